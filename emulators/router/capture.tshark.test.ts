// Interop: router captures (BFD, SRv6 with its SRH, End.DT6 inner IPv6, multicast copies, proxy CNP) read back by tshark.
//
// Plan: on the wan-interconnect topology, BFD 10 ms x 3 runs on PE1-PE2 wan1 and PE1 records
// every control packet it sends; an L3VPN instance with an SR policy through the transit router
// carries a flow; an IPv6 instance a second one; a multicast group and a proxy CNP complete the
// set. The captures are written as pcapng and read by tshark (Wireshark 4.0):
// - nothing on stderr, no expert info of warning severity or above, nothing malformed;
// - BFD (UDP 3784, IPv6 link-local, hop limit 255): every frame PE1 sent, in order, has the
//   version, diagnostic, state, flags, Detect Mult, length, both discriminators and the three
//   intervals the model sent; the frames PE1 received carry PE2's discriminator;
// - SRv6: at the headend the IPv6 destination is the transit End SID, the SRH (routing type 4)
//   has Segments Left 1, Last Entry 1 and the segment list [End.DT4 SID, End SID] the model
//   built; after End, Segments Left 0 and the destination the End.DT4 SID; tshark decodes the
//   inner IPv4/UDP of the tenant flow; the End.DT6 traffic carries an inner IPv6/UDP packet;
// - multicast copies go to the group's IPv4 and MAC addresses; the proxy CNP is an InfiniBand
//   CNP (opcode 0x81) from the proxy's address.
// Without tshark the file is skipped, except under CI=true, where that is a failure.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tsharkField, tsharkFields, tsharkJson, tsharkVersion, type TsharkPacket } from '../../protocols/pcapng/tshark.ts';
import { buildTwin } from '../build.ts';
import { capturesToPcapng, type PortCapture } from '../fabric/pcapng.ts';
import '../registry.ts';
import type { Twin, TwinNode } from '../twin.ts';
import { wanInterconnect } from '../wan/generators.ts';
import type { RouterModel } from './model.ts';

const MISSING = 'tshark not found on PATH: install the Debian package tshark (apt-get install -y --no-install-recommends tshark)';
const version = await tsharkVersion();
if (!version) {
  if (process.env.CI === 'true') {
    test('tshark is installed (required when CI=true)', () => {
      throw new Error(`${MISSING}; CI needs it for the router capture interop test`);
    });
  } else {
    console.warn(`${MISSING}; skipping the router capture interop test`);
  }
}

interface Run {
  twin: Twin;
  pe1: TwinNode;
  pe2: TwinNode;
  p1: TwinNode;
  sent: Array<{ timePs: number; header: import('../../protocols/bfd/control.ts').BfdControlHeader }>;
  end: string;
  dt4: string;
  dt6: string;
  proxyAddress: string;
  packets: Map<string, TsharkPacket[]>;
}

const ip6 = (L: Record<string, unknown>, field: string) => tsharkFields(L, field);

function routing(L: Record<string, unknown>): unknown {
  const ip = L.ipv6;
  const outer = Array.isArray(ip) ? ip[0] : ip;
  return (outer as Record<string, unknown>)['ipv6.routing'];
}

describe.skipIf(!version)(`tshark ${version ?? ''} reads the router's captures`, () => {
  let dir: string;
  const run = {} as Run;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'router-tshark-'));
    const g = wanInterconnect('w');
    const twin = buildTwin({ devices: g.devices, links: g.links }, { seed: 3 });
    const n = (id: string) => twin.node(`w-${id}`)!;
    const [pe1, pe2, p1, ate1, ate2] = [n('pe1'), n('pe2'), n('p1'), n('ate1'), n('ate2')];
    Object.assign(run, { twin, pe1, pe2, p1 });
    const bfd = { 'desired-minimum-tx-interval': 10_000, 'required-minimum-receive': 10_000, 'detection-multiplier': 3 };
    pe1.config!.edit('/bfd/interfaces/interface[id=wan1]/config', bfd, 'replace');
    pe2.config!.edit('/bfd/interfaces/interface[id=wan1]/config', bfd, 'replace');
    for (let i = 0; i < 400 && pe1.state!.get('/bfd/interfaces/interface[id=wan1]/state/detection-time') !== 30_000; i++) twin.runFor(10e9);
    for (const r of [pe1, pe2]) {
      r.config!.edit('/network-instances/network-instance[name=a]/config', { interfaces: ['ate4'] }, 'replace');
      r.config!.edit('/network-instances/network-instance[name=b]/config', { 'address-family': 'ipv6', interfaces: ['ate5'] }, 'replace');
    }
    run.end = (p1.state!.get('/srv6/state/sids') as Array<{ sid: string; behavior: string }>).find((s) => s.behavior === 'End')!.sid;
    run.dt4 = pe2.state!.get('/network-instances/network-instance[name=a]/state/service-sid') as string;
    run.dt6 = pe2.state!.get('/network-instances/network-instance[name=b]/state/service-sid') as string;
    pe1.config!.edit(
      '/network-instances/network-instance[name=a]/segment-routing/policies/policy[name=p]/config',
      { endpoint: pe2.state!.get('/srv6/state/source-address'), 'segment-list': [run.end] },
      'replace',
    );
    pe2.config!.edit('/multicast/igmp/interfaces/interface[name=ate6]/config', { 'static-groups': ['239.7.7.7'] }, 'replace');
    pe1.config!.edit('/hpwan/proxy/config', { interfaces: ['ate1', 'ate2', 'ate3'] }, 'replace');
    pe1.config!.edit('/routing/interfaces/interface[name=wan2]/config', { metric: 1000 }, 'replace');
    run.proxyAddress = pe1.state!.get('/system/state/ipv4-loopback') as string;
    const router = (pe1 as RouterModel).router;
    router.bfdLog = [];
    const ports: Array<[TwinNode, string]> = [
      [pe1, 'wan1'],
      [pe1, 'wan3'],
      [p1, 'wan2'],
      [ate2, 'p6'],
      [ate1, 'p1'],
    ];
    for (const [d, p] of ports) d.capture!.start(p);
    ate1.traffic!.setFlows([
      { name: 'a', txPort: 'p4', rxPort: 'w-ate2:p4', bytes: 5 * 1000, frameBytes: 1000 },
      { name: 'b', txPort: 'p5', rxPort: 'w-ate2:p5', bytes: 5 * 1000, frameBytes: 1000 },
      { name: 'm', txPort: 'p6', rxPort: 'w-ate2:p6', bytes: 5 * 1000, frameBytes: 1000, multicastGroup: '239.7.7.7' },
      ...[1, 2, 3].map((i) => ({ name: `r${i}`, txPort: `p${i}`, rxPort: `w-ate2:p${i}`, bytes: 2e6, frameBytes: 4096, transport: 'roce' as const })),
    ]);
    ate1.traffic!.start();
    twin.runFor(60e9);
    run.sent = router.bfdLog.filter((x) => x.port === 0);
    router.bfdLog = null;
    run.packets = new Map();
    for (const [d, p] of ports) {
      const caps: PortCapture[] = [{ name: `${d.id}:${p}`, frames: d.capture!.stop(p) }];
      const file = join(dir, `${d.id}-${p}.pcapng`);
      writeFileSync(file, capturesToPcapng(caps));
      run.packets.set(`${d.id}:${p}`, await tsharkJson(file));
    }
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('no expert warnings or errors, nothing malformed', () => {
    for (const [name, pkts] of run.packets) {
      expect(pkts.length, `${name}: frames`).toBeGreaterThan(0);
      for (const p of pkts) {
        const L = p._source.layers;
        const severities = tsharkFields(L, '_ws.expert.severity').map(Number);
        expect(severities.filter((s) => s >= 0x00600000), `${name}: expert severities`).toEqual([]);
        expect(Object.keys(L), `${name}: malformed`).not.toContain('_ws.malformed');
      }
    }
  });

  test('BFD: every control packet PE1 sent decodes to the header the model sent', () => {
    const pkts = run.packets.get('w-pe1:wan1')!.filter((p) => tsharkField(p._source.layers, 'frame.interface_name')?.endsWith('/tx') && p._source.layers.bfd);
    expect(pkts.length).toBe(run.sent.length);
    expect(pkts.length).toBeGreaterThan(4);
    pkts.forEach((p, i) => {
      const L = p._source.layers;
      const B = L.bfd;
      const h = run.sent[i]!.header;
      expect(tsharkField(L, 'frame.protocols')).toBe('eth:ethertype:ipv6:udp:bfd');
      expect(tsharkField(L, 'udp.dstport')).toBe('3784');
      expect(tsharkField(L, 'ipv6.hlim')).toBe('255');
      expect(tsharkField(L, 'ipv6.src')).toMatch(/^fe80::/);
      expect(tsharkField(B, 'bfd.version')).toBe('1');
      expect(Number(tsharkField(B, 'bfd.diag'))).toBe(h.diag);
      expect(Number(tsharkField(B, 'bfd.sta'))).toBe(h.state);
      expect(tsharkField(B, 'bfd.flags.p')).toBe(h.poll ? '1' : '0');
      expect(tsharkField(B, 'bfd.flags.f')).toBe(h.final ? '1' : '0');
      expect(tsharkField(B, 'bfd.detect_time_multiplier')).toBe(String(h.detectMult));
      expect(tsharkField(B, 'bfd.message_length')).toBe('24');
      expect(Number(tsharkField(B, 'bfd.my_discriminator'))).toBe(h.myDiscriminator);
      expect(Number(tsharkField(B, 'bfd.your_discriminator'))).toBe(h.yourDiscriminator);
      expect(tsharkField(B, 'bfd.desired_min_tx_interval')).toBe(String(h.desiredMinTxUs));
      expect(tsharkField(B, 'bfd.required_min_rx_interval')).toBe(String(h.requiredMinRxUs));
      expect(tsharkField(B, 'bfd.required_min_echo_interval')).toBe('0');
      expect(Number(tsharkField(L, 'frame.time_epoch')) * 1e12).toBeCloseTo(run.sent[i]!.timePs, -4);
    });
    const state = run.pe1.state!.get('/bfd/interfaces/interface[id=wan1]/state') as Record<string, number>;
    const last = pkts.at(-1)!._source.layers.bfd;
    expect(Number(tsharkField(last, 'bfd.my_discriminator'))).toBe(state['local-discriminator']);
    expect(Number(tsharkField(last, 'bfd.your_discriminator'))).toBe(state['remote-discriminator']);
    expect(Number(tsharkField(last, 'bfd.sta'))).toBe(3);
    const rx = run.packets.get('w-pe1:wan1')!.filter((p) => tsharkField(p._source.layers, 'frame.interface_name')?.endsWith('/rx') && p._source.layers.bfd);
    expect(rx.length).toBeGreaterThan(4);
    for (const p of rx) expect(Number(tsharkField(p._source.layers.bfd, 'bfd.my_discriminator'))).toBe(state['remote-discriminator']);
  });

  test('SRv6: the SRH the headend inserted and the transit router advanced, with the tenant packet inside', () => {
    const srv6 = (name: string) => run.packets.get(name)!.filter((p) => tsharkField(p._source.layers, 'frame.interface_name')?.endsWith('/tx') && routing(p._source.layers));
    const head = srv6('w-pe1:wan3');
    const mid = srv6('w-p1:wan2');
    expect(head.length).toBe(5);
    expect(mid.length).toBe(5);
    for (const [pkts, sl, dst] of [
      [head, '1', run.end],
      [mid, '0', run.dt4],
    ] as const) {
      for (const p of pkts) {
        const L = p._source.layers;
        const R = routing(L);
        expect(tsharkField(L, 'frame.protocols')).toBe('eth:ethertype:ipv6:ipv6.routing:ip:udp:data');
        expect(ip6(L, 'ipv6.dst')[0]).toBe(dst);
        expect(tsharkField(R, 'ipv6.routing.type')).toBe('4');
        expect(tsharkField(R, 'ipv6.routing.segleft')).toBe(sl);
        expect(tsharkField(R, 'ipv6.routing.srh.last_entry')).toBe('1');
        expect(tsharkFields(R, 'ipv6.routing.srh.addr')).toEqual([run.dt4, run.end]);
        expect(tsharkField(R, 'ipv6.routing.nxt')).toBe('4');
        expect(tsharkField(L, 'ip.dst')).toMatch(/^10\./);
        expect(tsharkField(L, 'udp.dstport')).toBe('9');
      }
    }
  });

  test('End.DT6 traffic carries an inner IPv6 packet to the IPv6 instance\'s SID', () => {
    const v6 = run.packets
      .get('w-pe1:wan1')!
      .filter((p) => tsharkField(p._source.layers, 'frame.interface_name')?.endsWith('/tx') && ip6(p._source.layers, 'ipv6.dst')[0] === run.dt6);
    expect(v6.length).toBe(5);
    for (const p of v6) {
      const L = p._source.layers;
      expect(tsharkField(L, 'frame.protocols')).toBe('eth:ethertype:ipv6:ipv6:udp:data');
      expect(ip6(L, 'ipv6.nxt')[0]).toBe('41');
      expect(ip6(L, 'ipv6.src')[1]).toMatch(/^fd00::/);
      expect(tsharkField(L, 'udp.checksum.status')).toBe('1');
    }
  });

  test('multicast copies and the proxy CNP', () => {
    const mc = run.packets.get('w-ate2:p6')!.filter((p) => tsharkField(p._source.layers, 'ip.dst') === '239.7.7.7');
    expect(mc.length).toBe(5);
    for (const p of mc) expect(tsharkField(p._source.layers, 'eth.dst')).toBe('01:00:5e:07:07:07');
    const cnp = run.packets
      .get('w-ate1:p1')!
      .filter((p) => tsharkField(p._source.layers, 'frame.interface_name')?.endsWith('/rx') && tsharkField(p._source.layers, 'ip.src') === run.proxyAddress);
    expect(cnp.length).toBeGreaterThan(0);
    for (const p of cnp) {
      const L = p._source.layers;
      // tshark 4.0 names no BECN field: the opcode (CNP) and the destination QP of the flow's sender
      expect(tsharkField(L, 'infiniband.bth.opcode')).toBe('129');
      expect(tsharkField(L, 'udp.dstport')).toBe('4791');
    }
  });
});
