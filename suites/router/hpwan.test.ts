// Router suite, HP-WAN at the DC1 gateway: negotiated rates, quota admission, ingress shaping, proxy congestion notification, slices.
//
// Test plan (requirement IDs in brackets):
// 1. Minimum rate [HPW-2, HPW-4]: a task asks for a 300 Gb/s minimum on one ingress port; with
//    DC1 -> DC2 traffic held on one 800GE link and 800 Gb/s of best effort competing, the task
//    still receives at least 97 % of 300 Gb/s (a FIFO share would be about 218 Gb/s).
// 2. Maximum and optimal rates [HPW-1, HPW-2, HPW-4]: a maximum-mode task of 100 Gb/s offered
//    400 Gb/s receives 100 Gb/s +-5 %; an optimal-mode request for 50-200 Gb/s is granted 200 Gb/s
//    and held to it +-5 %.
// 3. Quota admission [HPW-3]: with a 500 Gb/s quota, a 300 Gb/s minimum is granted, a second one
//    refused (with a reason), a 100-400 Gb/s optimal range granted the 200 Gb/s left; releasing
//    the first lets the refused request in.
// 4. Proxy congestion notification [HPW-5, HPW-1]: RoCE traffic (3 x 4 MB at 400 Gb/s) held on one
//    800GE WAN link congests the DC1 gateway's egress; without a proxy the sender learns of it from
//    the receiver's CNP one WAN round trip later; with the gateway proxying its hosts, the first
//    notification reaching the sender comes from the proxy, sooner.
// 5. Slice bandwidth [RTR-4]: an SRv6 slice of 100 Gb/s on a tenant instance, offered 300 Gb/s,
//    delivers 100 Gb/s +-5 %.
// 6. Elastic bandwidth [RTR-6]: a slice provisioned at 100 Mb/s (the low end of RTR-6), offered
//    150 Gb/s, delivers 100 Mb/s +-10 % over 40 ms; re-provisioned to 100 Gb/s (the high end)
//    while the traffic runs, it delivers 100 Gb/s +-5 % in the millisecond after the first one
//    (RTR-6 asks for seconds).
// Devices: wan-lab.ts (two PEs with traffic generators and their direct links).
import { test, expect, req, describe } from '../../harness/suite.ts';
import type { Lab } from '../../harness/suite.ts';
import { ROCE_OPCODE, ROCE_UDP_PORT } from '../../protocols/roce/bth.ts';
import { ConfigSession, PS_PER_MS, decode, metricPath, wanLab, type FlowDef } from './wan-lab.ts';

type Wan = ReturnType<typeof wanLab>;
const G = 1e9;
const JUMBO = 9000;
/** Measuring starts once the first frames crossed the WAN (0.5 ms over 100 km) and queues settled. */
const WARM_MS = 1;
const taskPath = (name: string) => `/hpwan/tasks/task[name=${name}]/config`;
const taskState = (name: string) => `/hpwan/tasks/task[name=${name}]/state`;

/** Receive rates (b/s) of flows over [warmMs, warmMs + windowMs] of sending. */
async function rates(lab: Lab, w: Wan, flows: FlowDef[], warmMs: number, windowMs: number): Promise<Record<string, number>> {
  await w.dc1.ate.traffic.setFlows(flows);
  await w.dc1.ate.traffic.start();
  await lab.advance(warmMs);
  const a = await w.dc1.ate.traffic.metrics();
  await lab.advance(windowMs);
  const b = await w.dc1.ate.traffic.metrics();
  await w.dc1.ate.traffic.stop();
  await lab.advance(2);
  return Object.fromEntries(b.map((m, i) => [m.name, ((m.rxBytes - a[i]!.rxBytes) * 8) / (windowMs / 1e3)]));
}

const endless = (name: string, tx: string, rx: string, rateBps?: number): FlowDef => ({
  name,
  txPort: tx,
  rxPort: rx,
  bytes: 1e12,
  frameBytes: JUMBO,
  ...(rateBps !== undefined ? { rateBps } : {}),
});

/** Holds DC1 -> DC2 traffic on the first direct link. */
async function oneLink(cfg: ConfigSession, w: Wan): Promise<void> {
  for (const [p] of w.direct.slice(1)) await cfg.set(w.dc1.pe, metricPath(p), { metric: 1000 });
  if (w.transit) await cfg.set(w.dc1.pe, metricPath(w.transit.pe1Port), { metric: 1000 });
}

describe('router HP-WAN', () => {
  test('a minimum rate holds under contention', req('HPW-2', 'HPW-4'), async ({ lab }) => {
    const w = wanLab(lab);
    const cfg = new ConfigSession();
    const rx = (i: number) => `${w.dc2.ate.id}:${w.dc2.atePorts[i]}`;
    try {
      await oneLink(cfg, w);
      await cfg.set(w.dc1.pe, '/hpwan/quota/config', { 'bandwidth-bps': 800 * G });
      await cfg.set(w.dc1.pe, taskPath('train'), { 'ingress-interface': w.dc1.pePorts[0], mode: 'minimum', 'min-rate-bps': 300 * G });
      expect(await w.dc1.pe.state.get(`${taskState('train')}/status`), 'task granted').toBe('granted');
      const r = await rates(
        lab,
        w,
        [endless('task', w.dc1.atePorts[0]!, rx(0), 300 * G), endless('best-effort-1', w.dc1.atePorts[1]!, rx(1)), endless('best-effort-2', w.dc1.atePorts[2]!, rx(2))],
        WARM_MS,
        1,
      );
      for (const [k, v] of Object.entries(r)) lab.metric({ name: `received rate, ${k}`, unit: 'Gb/s', value: v / G });
      expect(r.task! / G, 'task rate under contention (Gb/s), minimum 300').toBeGreaterThanOrEqual(300 * 0.97);
    } finally {
      await cfg.restore();
    }
  });

  test('a maximum rate is enforced and an optimal range is negotiated and held', req('HPW-1', 'HPW-2', 'HPW-4'), async ({ lab }) => {
    const w = wanLab(lab);
    const cfg = new ConfigSession();
    const rx = (i: number) => `${w.dc2.ate.id}:${w.dc2.atePorts[i]}`;
    try {
      await cfg.set(w.dc1.pe, '/hpwan/quota/config', { 'bandwidth-bps': 800 * G });
      await cfg.set(w.dc1.pe, taskPath('capped'), { 'ingress-interface': w.dc1.pePorts[5], mode: 'maximum', 'max-rate-bps': 100 * G });
      await cfg.set(w.dc1.pe, taskPath('optimal'), { 'ingress-interface': w.dc1.pePorts[4], mode: 'optimal', 'min-rate-bps': 50 * G, 'max-rate-bps': 200 * G });
      const opt = (await w.dc1.pe.state.get(taskState('optimal'))) as { status: string; 'negotiated-rate-bps': number };
      expect(opt.status, 'optimal request granted').toBe('granted');
      expect(opt['negotiated-rate-bps'] / G, 'negotiated optimal rate (Gb/s)').toBe(200);
      const r = await rates(lab, w, [endless('capped', w.dc1.atePorts[5]!, rx(5)), endless('optimal', w.dc1.atePorts[4]!, rx(4))], WARM_MS, 1);
      lab.metric({ name: 'received rate, maximum-mode task (100 Gb/s cap, 400 offered)', unit: 'Gb/s', value: r.capped! / G });
      lab.metric({ name: 'received rate, optimal-mode task (200 Gb/s negotiated, 400 offered)', unit: 'Gb/s', value: r.optimal! / G });
      expect(r.capped! / G, 'maximum-mode task rate (Gb/s)').toBeGreaterThan(95);
      expect(r.capped! / G, 'maximum-mode task rate (Gb/s)').toBeLessThan(105);
      expect(r.optimal! / G, 'optimal-mode task rate (Gb/s)').toBeGreaterThan(190);
      expect(r.optimal! / G, 'optimal-mode task rate (Gb/s)').toBeLessThan(210);
    } finally {
      await cfg.restore();
    }
  });

  test('admission control refuses a reservation beyond the quota', req('HPW-3'), async ({ lab }) => {
    const w = wanLab(lab);
    const pe = w.dc1.pe;
    const cfg = new ConfigSession();
    try {
      await cfg.set(pe, '/hpwan/quota/config', { 'bandwidth-bps': 500 * G });
      await cfg.set(pe, taskPath('a'), { 'ingress-interface': w.dc1.pePorts[0], mode: 'minimum', 'min-rate-bps': 300 * G });
      await cfg.set(pe, taskPath('b'), { 'ingress-interface': w.dc1.pePorts[1], mode: 'minimum', 'min-rate-bps': 300 * G });
      await cfg.set(pe, taskPath('c'), { 'ingress-interface': w.dc1.pePorts[2], mode: 'optimal', 'min-rate-bps': 100 * G, 'max-rate-bps': 400 * G });
      const st = async (n: string) => (await pe.state.get(taskState(n))) as { status: string; 'negotiated-rate-bps': number; reason?: string };
      expect((await st('a')).status, 'first 300 Gb/s minimum').toBe('granted');
      const b = await st('b');
      expect(b.status, 'second 300 Gb/s minimum (200 Gb/s left)').toBe('refused');
      expect(b.reason, 'refusal reason').toBeTruthy();
      const c = await st('c');
      expect(c.status, '100-400 Gb/s optimal range').toBe('granted');
      expect(c['negotiated-rate-bps'] / G, 'optimal range granted what is left (Gb/s)').toBe(200);
      const q = (await pe.state.get('/hpwan/quota/state')) as { 'reserved-bps': number; 'bandwidth-bps': number };
      expect(q['reserved-bps'], 'reserved within the quota').toBeLessThanOrEqual(q['bandwidth-bps']);
      await pe.config.edit(taskPath('a'), null, 'delete');
      await pe.config.edit(taskPath('b'), { 'ingress-interface': w.dc1.pePorts[1], mode: 'minimum', 'min-rate-bps': 300 * G }, 'replace');
      expect((await st('b')).status, 'the refused request once the first is released').toBe('granted');
    } finally {
      await cfg.restore();
    }
  });

  test('proxy congestion notification reaches the sender sooner than an end-to-end signal', req('HPW-5', 'HPW-1'), async ({ lab }) => {
    const w = wanLab(lab);
    const cfg = new ConfigSession();
    const tx = w.dc1.atePorts[0]!;
    /** First CNP at the sender from the proxy (source other than the receiver) and end to end, ms after the start. */
    const firstCnps = async (): Promise<{ proxyMs?: number; e2eMs?: number }> => {
      await w.dc1.ate.capture.start(tx);
      const t0 = await lab.nowPs();
      await w.dc1.ate.traffic.setFlows(
        [0, 1, 2].map((i) => ({ name: `roce${i}`, txPort: w.dc1.atePorts[i]!, rxPort: `${w.dc2.ate.id}:${w.dc2.atePorts[i]}`, bytes: 4e6, frameBytes: 4096, transport: 'roce' as const })),
      );
      await w.dc1.ate.traffic.start();
      await lab.advance(4);
      await w.dc1.ate.traffic.stop();
      await lab.advance(2);
      const frames = await w.dc1.ate.capture.stop(tx);
      const sentTo = decode(frames, 'tx').find(({ f }) => f.udp?.dstPort === ROCE_UDP_PORT)?.f.ip?.dst;
      const cnps = decode(frames, 'rx').filter(({ f }) => f.udp?.dstPort === ROCE_UDP_PORT && f.payload[0] === ROCE_OPCODE.CNP);
      const at = (x: (typeof cnps)[0] | undefined) => (x === undefined ? undefined : (x.timePs - t0) / PS_PER_MS);
      return { proxyMs: at(cnps.find(({ f }) => f.ip!.src !== sentTo)), e2eMs: at(cnps.find(({ f }) => f.ip!.src === sentTo)) };
    };
    try {
      // 3 x 400 Gb/s into one 800GE WAN link: the DC1 gateway's WAN egress congests
      await oneLink(cfg, w);
      for (const r of [w.dc1.pe, w.dc2.pe]) await cfg.set(r, '/qos/ecn/config', { 'min-bytes': 1e6, 'max-bytes': 8e6 });
      const e2e = await firstCnps();
      expect(e2e.e2eMs, 'an end-to-end CNP (ECN marked at the congestion, echoed by the receiver)').toBeDefined();
      await cfg.set(w.dc1.pe, '/hpwan/proxy/config', { enabled: true, interfaces: w.dc1.pePorts.slice(0, 3) });
      const proxied = await firstCnps();
      expect(proxied.proxyMs, 'a congestion notification from the proxy gateway').toBeDefined();
      lab.metric({ name: 'first end-to-end CNP at the sender (no proxy)', unit: 'ms', value: e2e.e2eMs! });
      lab.metric({ name: 'first proxy notification at the sender', unit: 'ms', value: proxied.proxyMs! });
      lab.metric({ name: 'notification time saved by the proxy', unit: 'ms', value: e2e.e2eMs! - proxied.proxyMs! });
      expect(proxied.proxyMs!, 'proxy notification (ms) before the end-to-end CNP').toBeLessThan(e2e.e2eMs!);
    } finally {
      await w.dc1.ate.traffic.stop();
      await cfg.restore();
    }
  });

  test('an SRv6 slice delivers its bandwidth', req('RTR-4'), async ({ lab }) => {
    const w = wanLab(lab);
    const cfg = new ConfigSession();
    try {
      await cfg.set(w.dc1.pe, '/network-instances/network-instance[name=slice-a]/config', { 'address-family': 'ipv4', interfaces: [w.dc1.pePorts[3]] });
      await cfg.set(w.dc2.pe, '/network-instances/network-instance[name=slice-a]/config', { 'address-family': 'ipv4', interfaces: [w.dc2.pePorts[3]] });
      await cfg.set(w.dc1.pe, '/network-slices/slice[name=a]/config', { 'network-instance': 'slice-a', 'bandwidth-bps': 100 * G });
      const r = await rates(lab, w, [endless('slice', w.dc1.atePorts[3]!, `${w.dc2.ate.id}:${w.dc2.atePorts[3]}`, 300 * G)], WARM_MS, 1);
      lab.metric({ name: 'received rate, 100 Gb/s slice offered 300 Gb/s', unit: 'Gb/s', value: r.slice! / G });
      expect(r.slice! / G, 'slice rate (Gb/s)').toBeGreaterThan(95);
      expect(r.slice! / G, 'slice rate (Gb/s)').toBeLessThan(105);
    } finally {
      await cfg.restore();
    }
  });

  test('elastic bandwidth: a slice re-provisioned in flight from 100 Mb/s to 100 Gb/s delivers the new rate', req('RTR-6'), async ({ lab }) => {
    const w = wanLab(lab);
    const cfg = new ConfigSession();
    const slice = '/network-slices/slice[name=elastic]/config';
    try {
      await cfg.set(w.dc1.pe, '/network-instances/network-instance[name=slice-e]/config', { 'address-family': 'ipv4', interfaces: [w.dc1.pePorts[4]] });
      await cfg.set(w.dc2.pe, '/network-instances/network-instance[name=slice-e]/config', { 'address-family': 'ipv4', interfaces: [w.dc2.pePorts[4]] });
      await cfg.set(w.dc1.pe, slice, { 'network-instance': 'slice-e', 'bandwidth-bps': 0.1 * G });
      await w.dc1.ate.traffic.setFlows([endless('elastic', w.dc1.atePorts[4]!, `${w.dc2.ate.id}:${w.dc2.atePorts[4]}`, 150 * G)]);
      await w.dc1.ate.traffic.start();
      const rx = async () => (await w.dc1.ate.traffic.metrics())[0]!.rxBytes;
      const rate = async (windowMs: number) => {
        const a = await rx();
        await lab.advance(windowMs);
        return ((await rx()) - a) * 8 / (windowMs / 1e3);
      };
      await lab.advance(WARM_MS);
      const low = await rate(40);
      await cfg.set(w.dc1.pe, slice, { 'network-instance': 'slice-e', 'bandwidth-bps': 100 * G });
      await lab.advance(1);
      const high = await rate(1);
      await w.dc1.ate.traffic.stop();
      await lab.advance(2);
      lab.metric({ name: 'received rate, slice at 100 Mb/s', unit: 'Mb/s', value: low / 1e6 });
      lab.metric({ name: 'received rate, the same slice re-provisioned to 100 Gb/s', unit: 'Gb/s', value: high / G });
      expect(low / 1e6, 'rate at 100 Mb/s (Mb/s)').toBeGreaterThan(90);
      expect(low / 1e6, 'rate at 100 Mb/s (Mb/s)').toBeLessThan(110);
      expect(high / G, 'rate 1 ms after re-provisioning to 100 Gb/s (Gb/s)').toBeGreaterThan(95);
      expect(high / G, 'rate 1 ms after re-provisioning to 100 Gb/s (Gb/s)').toBeLessThan(105);
    } finally {
      await cfg.restore();
    }
  });
});
