// Shared steps of the GSE suite: find the GSE domains of the testbed, wait for the control plane, run RoCE flows, decode frames.
//
// Everything is learned from the devices (the `/gse/...` state paths of the GSE model, interface
// state and counters) and from the testbed wiring (`lab.links`), never from the emulator, so the
// suite runs on gear that serves the same paths. A domain is the set of GSE switches reporting the
// same `/gse/system/domain`; its servers are the hosts cabled to its GSPs' server ports.
import { expect, type Lab } from '../../harness/suite.ts';
import { EthernetView } from '../../protocols/ethernet/ethernet.ts';
import { ETHERTYPE } from '../../protocols/ethernet/ethertype.ts';
import { Ipv4View } from '../../protocols/ipv4/ipv4.ts';
import { ipv4FormatAddress } from '../../protocols/ipv4/address.ts';
import { gseIsEthertype, parseGseFrame, type ParsedGseFrame } from '../../protocols/gse/frame.ts';
import { GSE_TYPE, gseLayoutNote } from '../../protocols/gse/header.ts';
import { prng } from '../../protocols/testing.ts';

export const GSE_KINDS = ['gse-gsp', 'gse-gsf', 'gse-border', 'gse-core'] as const;
/** RoCEv2 frames of the tests (bytes on the wire, the NICs' MTU). */
export const FRAME_BYTES = 4096;

type AnyDevice = ReturnType<Lab['devices']>[number];
type Dev<C extends string> = AnyDevice & { [K in C]-?: NonNullable<AnyDevice[K & keyof AnyDevice]> };
export type StateDevice = Dev<'state'>;

export interface GseSystem {
  role: 'gsp' | 'gsf' | 'border' | 'core';
  tier: 'T1' | 'T2' | null;
  gseId: number | null;
  pod: number | null;
  plane: number | null;
  index: number | null;
  domain: string;
  asn: number;
  forwardingMode: string;
}

export interface GseSwitch {
  id: string;
  kind: string;
  sys: GseSystem;
  dev: StateDevice;
}

export interface Server {
  id: string;
  /** The server's NIC port cabled to the GSP. */
  port: string;
  gsp: string;
  gspPort: string;
}

export interface GseDomain {
  name: string;
  switches: GseSwitch[];
  gsps: GseSwitch[];
  gsfT2: GseSwitch[];
  gsfT1: GseSwitch[];
  borders: GseSwitch[];
  cores: GseSwitch[];
  servers: Server[];
}

/** The GSE domains of the testbed (devices with state), in the order of their first device. */
export async function gseDomains(lab: Lab): Promise<GseDomain[]> {
  const out = new Map<string, GseDomain>();
  for (const kind of GSE_KINDS) {
    for (const d of lab.devices(kind)) {
      if (d.state === undefined) continue;
      const sys = (await d.state.get('/gse/system')) as GseSystem | undefined;
      if (sys === undefined || sys === null) continue;
      let dom = out.get(sys.domain);
      if (dom === undefined) {
        dom = { name: sys.domain, switches: [], gsps: [], gsfT2: [], gsfT1: [], borders: [], cores: [], servers: [] };
        out.set(sys.domain, dom);
      }
      const sw: GseSwitch = { id: d.id, kind: d.kind, sys, dev: d as StateDevice };
      dom.switches.push(sw);
      if (sys.role === 'gsp') dom.gsps.push(sw);
      else if (sys.role === 'gsf') (sys.tier === 'T1' ? dom.gsfT1 : dom.gsfT2).push(sw);
      else if (sys.role === 'border') dom.borders.push(sw);
      else if (sys.role === 'core') dom.cores.push(sw);
    }
  }
  const hosts = lab.devices('host');
  for (const dom of out.values()) {
    for (const g of dom.gsps) {
      for (const h of hosts) {
        for (const [gspPort, port] of lab.links(g.id, h.id)) dom.servers.push({ id: h.id, port, gsp: g.id, gspPort });
      }
    }
  }
  return [...out.values()];
}

/** A domain with the shape a test needs, or the test is blocked. */
export async function requireDomain(lab: Lab, what: string, ok: (d: GseDomain) => boolean): Promise<GseDomain> {
  const all = await gseDomains(lab);
  const d = all.find(ok);
  if (d === undefined) {
    lab.block(`testbed ${lab.testbedName} has no GSE domain with ${what} (domains: ${all.map((x) => `${x.name} [${x.gsps.length} GSP, ${x.gsfT2.length} GSF-T2, ${x.gsfT1.length} GSF-T1, ${x.borders.length} BORDER]`).join(', ') || 'none'})`);
  }
  return d;
}

export const threeTier = (d: GseDomain): boolean => d.gsfT1.length > 0 && d.borders.length === 0 && new Set(d.gsps.map((g) => g.sys.pod)).size >= 2;
export const borderDesign = (d: GseDomain): boolean => d.borders.length > 0 && d.cores.length > 0 && new Set(d.gsps.map((g) => g.sys.pod)).size >= 2;

export function serversOf(dom: GseDomain, gsp: string): Server[] {
  return dom.servers.filter((s) => s.gsp === gsp);
}

/** Ports of `a` cabled to devices of `others`, by the testbed wiring. */
export function portsToward(lab: Lab, a: string, others: readonly { id: string }[]): string[] {
  return others.flatMap((o) => lab.links(a, o.id).map(([pa]) => pa));
}

interface GspidRoute {
  gspId: number;
  pathLength: number;
  ports: string[];
}

/**
 * The GSE ids a device must reach: every GSP of the domain in a three-tier fabric (GSE spans the
 * PoDs); in a Border fabric (GSE inside each PoD, IP between them) the GSPs and BORDERs of its PoD.
 */
export function gseIdsFor(dom: GseDomain, sw: GseSwitch): number[] {
  const edges = [...dom.gsps, ...dom.borders];
  const inScope = dom.borders.length > 0 && sw.sys.pod !== null ? edges.filter((e) => e.sys.pod === sw.sys.pod) : edges;
  return inScope.map((e) => e.sys.gseId as number);
}

/**
 * Waits until every GSP, GSF and BORDER of the domain has a route to every GSE id it must reach and
 * every GSP knows every server address of the domain.
 */
export async function waitConverged(lab: Lab, dom: GseDomain): Promise<void> {
  const speakers = [...dom.gsps, ...dom.gsfT2, ...dom.gsfT1, ...dom.borders];
  // Waits run on the clock of a device the test uses.
  lab.requireDevice(dom.gsps[0].id, ['state']);
  await lab.until(
    async () => {
      for (const s of speakers) {
        const routes = (await s.dev.state.get('/gse/bgp/gspid')) as GspidRoute[] | undefined;
        const have = new Set((routes ?? []).map((r) => r.gspId));
        if (!gseIdsFor(dom, s).every((id) => have.has(id))) return false;
      }
      // Every GSP reaches every server address of the domain (DPORT entries, or IP routes).
      for (const g of dom.gsps) {
        const dports = ((await g.dev.state.get('/gse/bgp/dport')) ?? []) as Array<{ address: string }>;
        const ips = ((await g.dev.state.get('/gse/bgp/ip-routes')) ?? []) as Array<{ address: string }>;
        if (new Set([...dports, ...ips].map((e) => e.address)).size < dom.servers.length) return false;
      }
      return true;
    },
    { timeoutMs: 2, pollMs: 0.02, what: `GSPID routes of every device of GSE domain ${dom.name}` },
  );
}

/** A random permutation with no fixed point (Sattolo's algorithm: one cycle), the same for a seed. */
export function derangement(n: number, seed: number): number[] {
  const rnd = prng(seed);
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor((rnd() / 4294967296) * i);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

export interface FlowReq {
  from: Server;
  to: Server;
  bytes: number;
  name?: string;
}

export interface FlowResult {
  name: string;
  from: Server;
  to: Server;
  bytes: number;
  done: boolean;
  fctPs: number;
  rxBytes: number;
  outOfOrder: number;
  retransmissions: number;
  lostFrames: number;
}

export interface RunResult {
  flows: FlowResult[];
  startPs: number;
  endPs: number;
}

/**
 * Runs RoCEv2 flows between servers (all start together) until every one completes, or fails the
 * test after `timeoutMs` of device time. `onTick` runs every `tickMs` while waiting (sampling).
 */
export async function runFlows(
  lab: Lab,
  flows: readonly FlowReq[],
  opts: { timeoutMs?: number; tickMs?: number; onTick?: () => Promise<void> } = {},
): Promise<RunResult> {
  const bySource = new Map<string, FlowReq[]>();
  for (const f of flows) {
    const list = bySource.get(f.from.id) ?? [];
    list.push(f);
    bySource.set(f.from.id, list);
  }
  const devs = [...bySource.keys()].map((id) => lab.requireDevice(id, ['traffic']));
  const names = new Map<string, FlowReq>();
  let k = 0;
  for (const d of devs) {
    const list = (bySource.get(d.id) as FlowReq[]).map((f) => {
      const name = f.name ?? `f${k++}:${f.from.id}->${f.to.id}`;
      names.set(name, f);
      return { name, txPort: f.from.port, rxPort: `${f.to.id}:${f.to.port}`, bytes: f.bytes, frameBytes: FRAME_BYTES, transport: 'roce' as const };
    });
    await d.traffic.setFlows(list);
  }
  const startPs = await lab.nowPs();
  for (const d of devs) await d.traffic.start();
  const timeoutMs = opts.timeoutMs ?? 5;
  const tickMs = opts.tickMs ?? 0.01;
  const metrics = async () => (await Promise.all(devs.map((d) => d.traffic.metrics()))).flat();
  await lab.until(
    async () => {
      if (opts.onTick) await opts.onTick();
      return (await metrics()).every((m) => m.done);
    },
    { timeoutMs, pollMs: tickMs, what: `${flows.length} RoCE flow(s) completing` },
  );
  const endPs = await lab.nowPs();
  const flowsOut = (await metrics()).map((m): FlowResult => {
    const f = names.get(m.name) as FlowReq;
    return {
      name: m.name,
      from: f.from,
      to: f.to,
      bytes: f.bytes,
      done: m.done,
      fctPs: m.fctPs ?? NaN,
      rxBytes: m.rxBytes,
      outOfOrder: m.outOfOrder,
      retransmissions: m.retransmissions,
      lostFrames: m.lostFrames,
    };
  });
  return { flows: flowsOut, startPs, endPs };
}

/** No flow lost, reordered or retransmitted a frame, and each delivered all its bytes. */
export function expectCleanDelivery(r: RunResult): void {
  for (const f of r.flows) {
    expect(f.rxBytes, `${f.name}: bytes delivered`).toBe(f.bytes);
    expect(f.lostFrames, `${f.name}: frames lost`).toBe(0);
    expect(f.outOfOrder, `${f.name}: out-of-order deliveries at the NIC`).toBe(0);
    expect(f.retransmissions, `${f.name}: retransmissions`).toBe(0);
  }
}

export type CounterSnapshot = Map<string, Record<string, { inOctets: bigint; outOctets: bigint; inDiscards: bigint; outDiscards: bigint; pfcPauseTx?: bigint; pfcPauseRx?: bigint; ecnMarked?: bigint }>>;

export async function snapshotCounters(lab: Lab, ids: readonly string[]): Promise<CounterSnapshot> {
  const out: CounterSnapshot = new Map();
  for (const id of ids) out.set(id, await lab.requireDevice(id, ['counters']).counters.all());
  return out;
}

/** A counter's increase on a port between two snapshots. */
export function delta(a: CounterSnapshot, b: CounterSnapshot, id: string, port: string, key: 'inOctets' | 'outOctets' | 'inDiscards' | 'outDiscards' | 'pfcPauseTx' | 'pfcPauseRx' | 'ecnMarked'): number {
  return Number((b.get(id)?.[port]?.[key] ?? 0n) - (a.get(id)?.[port]?.[key] ?? 0n));
}

/** Discards (in and out) on every port of the devices between two snapshots. */
export function discards(a: CounterSnapshot, b: CounterSnapshot): Array<{ device: string; port: string; in: number; out: number }> {
  const out: Array<{ device: string; port: string; in: number; out: number }> = [];
  for (const [id, ports] of b) {
    for (const port of Object.keys(ports)) {
      const i = delta(a, b, id, port, 'inDiscards');
      const o = delta(a, b, id, port, 'outDiscards');
      if (i !== 0 || o !== 0) out.push({ device: id, port, in: i, out: o });
    }
  }
  return out;
}

// --- frames ---------------------------------------------------------------------------------------

export function ethertypeOf(bytes: Uint8Array): number {
  return EthernetView.checked(bytes).ethertype;
}

/** The IPv4 packet of a plain Ethernet / IPv4 frame, cut to its length, or null. */
export function plainIpv4(bytes: Uint8Array): Uint8Array | null {
  const ev = EthernetView.checked(bytes);
  if (ev.ethertype !== ETHERTYPE.IPV4) return null;
  const ip = Ipv4View.checked(ev.payload);
  return ev.payload.subarray(0, ip.totalLen);
}

/** UDP destination port of an IPv4 packet carrying UDP, or -1. */
export function udpDstPort(ip: Uint8Array): number {
  const v = Ipv4View.checked(ip);
  if (v.protocol !== 17) return -1;
  const udp = ip.subarray(v.headerLen);
  return udp.length >= 4 ? (udp[2] << 8) | udp[3] : -1;
}

export function ipv4Dst(ip: Uint8Array): string {
  return ipv4FormatAddress(Ipv4View.checked(ip).dst);
}

export function isGse(bytes: Uint8Array): boolean {
  return gseIsEthertype(ethertypeOf(bytes));
}

/** GSE data frames (the modelled header layout) among captured frames. */
export function gseData(frames: readonly { bytes: Uint8Array }[]): ParsedGseFrame[] {
  return frames.filter((f) => isGse(f.bytes)).map((f) => parseGseFrame(f.bytes)).filter((g) => g.gse.type === GSE_TYPE.DATA);
}

/** An IP packet as a forwarding device may pass it on: TTL, header checksum and ECN bits masked. */
export function ipKey(ip: Uint8Array): string {
  const c = Uint8Array.from(ip);
  c[1] &= 0xfc;
  c[8] = 0;
  c[10] = 0;
  c[11] = 0;
  return Buffer.from(c).toString('hex');
}

/** The DPORT of a BORDER's IP side in the modelled header (state shows it as 'ip'). */
export const DPORT_IP_WIRE = 0xffff;

export interface DportEntry {
  address: string;
  gspId: number;
  dport: number | 'ip';
  dportName: string | null;
  origin: string;
}

/** The DPORT entry a device holds for an address (the first, when BORDERs advertise it alike), as on the wire. */
export async function dportOf(dev: StateDevice, address: string): Promise<{ gspId: number; dport: number; origin: string } | undefined> {
  const table = ((await dev.state.get('/gse/bgp/dport')) ?? []) as DportEntry[];
  const e = table.find((x) => x.address === address);
  return e === undefined ? undefined : { gspId: e.gspId, dport: e.dport === 'ip' ? DPORT_IP_WIRE : e.dport, origin: e.origin };
}

/** Records that header checks use the modelled GSE layout (protocols/gse), as the report must say. */
export function noteGseLayout(lab: Lab): void {
  lab.attach('gse-header-layout.txt', gseLayoutNote, 'text/plain');
}
