// GSE N2N fabric sizing: devices, links, optical modules and every stage's oversubscription, computed from port counts.
//
// Model (seed-facts GSE-TOPO-1..11). Every switch has `radix` ports of one rate (default 128 x 400GE
// = 51.2T). A server has `gpusPerServer` GPUs and `nicPortsPerServer` NIC ports; an SU is
// `nicPortsPerServer` GSPs, one per rail, with their servers (GSE-TOPO-5). Rail attachment puts port
// k of each server of an SU on GSP k; zero-rail puts all ports of a server on one GSP. Either way an
// SU holds as many servers as a GSP has server ports.
//
//   three-tier  GSP (R/2 server ports, R/2 up: one link to each GSF-T2 of its PoD) - GSF-T2 (R/2
//               down: full mesh to the PoD's GSPs, R/2 up) - GSF-T1 in planes: plane i joins GSF-T2 i
//               of every PoD (GSE-TOPO-2..4). With `railGsfT2` the GSF-T2s form one rail per GSP
//               index: rail r joins GSP r of every SU of the PoD, as many GSF-T2s as SUs, so a PoD
//               grows to R/2 SUs (GSE-TOPO-9: 32K GPUs).
//   border      GSP - GSF (as GSF-T2) - BORDER (one link to each GSF of its PoD, the rest up) - CORE
//               in planes: plane i joins BORDER i of every PoD (GSE-TOPO-10).
//   gsp-direct  GSP (d server ports, g to the GSFs, c to the CORE) - GSF (all ports to the PoD's
//               GSPs); CORE planes: plane i joins GSP i of every PoD (GSE-TOPO-11). d is the largest
//               that leaves g >= speedup x d and c = ceil(d / K).
//
// Whole PoDs are built (GSE-TOPO-6 counts 25 PoDs for 100K GPUs), so the capacity may exceed the
// request. A plane device needs a link to every PoD, so a design takes at most `radix` PoDs; a plane
// holds at most `maxPerPlane` devices (16, GSE-TOPO-4 and -10). A lower device spreads its uplinks
// evenly, the same number of links to every device of its plane (containers are sprayed over equal
// paths), using as few plane devices as carry them. Uplinks the plane cannot take stay unused and the
// stage's oversubscription shows it: this is GSE-TOPO-7 (16 x 128 = 2048 ports per plane carry the
// 64 uplinks of a GSF-T2 up to 32 PoDs; at 128 PoDs 16, so 4:1).
//
// Oversubscription of a stage = the lower device's capacity towards the servers over its capacity
// towards the stage's upper devices (1 non-blocking, 4 means 4:1, below 1 a speedup). A requested 1:K
// (GSE-TOPO-8: at GSF-T2 in three-tier, at BORDER in border, at GSP -> CORE in gsp-direct) keeps the
// PoD and uses ceil(down / K) uplinks, so the computed ratio exceeds K only where the plane forces it.
//
// Optical modules: one per connected port, i.e. two per link, on switch-switch links and on NIC-GSP
// links alike (NIC end and GSP end). With it GSE-TOPO-9 ("rail and full-mesh totals are equal") holds
// whenever both designs build the same capacity in whole PoDs: 131,072 GPUs are 32 full-mesh PoDs or
// 4 rail PoDs, and devices, links and modules agree (harness/topo.test.ts). At 100,000 GPUs whole rail
// PoDs overshoot (4 x 32K), which the result's notes say.

export type GseDesign = 'three-tier' | 'border' | 'gsp-direct';
export type GseAttachment = 'zero-rail' | 'rail';
export type GseRole = 'gsp' | 'gsf-t2' | 'gsf-t1' | 'gsf' | 'border' | 'core';

export const GSE_DESIGNS: readonly GseDesign[] = ['three-tier', 'border', 'gsp-direct'];

export interface SizingOptions {
  /** GPUs to cover. */
  gpus: number;
  /** Default 'three-tier'. */
  design?: GseDesign;
  /** Ports per switch, all of one rate; default 128 (51.2T at 400GE). */
  radix?: number;
  /** Default 400e9. */
  portRateBps?: number;
  /** Default 8 (GSE-TOPO-1). */
  gpusPerServer?: number;
  /** Default 8 (GSE-TOPO-1); also the GSPs per SU. */
  nicPortsPerServer?: number;
  /** Default 'rail' (an SU is "8 GSPs of an 8-rail deployment", GSE-TOPO-5). */
  attachment?: GseAttachment;
  /** Rail-optimised GSF-T2 (GSE-TOPO-9); three-tier with rail attachment only. Default false. */
  railGsfT2?: boolean;
  /** K of a requested 1:K oversubscription at the design's stage (see the module doc); default 1. */
  oversub?: number;
  /** gsp-direct only: GSP -> GSF capacity at least this times the server capacity; default 1. */
  speedup?: number;
  /** Devices per interconnect plane at most (GSF-T1 or CORE); default 16 (GSE-TOPO-4, -10). */
  maxPerPlane?: number;
}

export type SizingErrorCode = 'invalid' | 'radix-too-small' | 'too-many-pods';

/** A request the model refuses, with the reason. */
export class SizingError extends Error {
  override readonly name = 'SizingError';
  constructor(
    readonly code: SizingErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** One stage of links between two tiers (server/gsp is the NIC-GSP stage). */
export interface SizingStage {
  name: string;
  lower: 'server' | GseRole;
  upper: GseRole;
  links: number;
  /** Links of this stage on one lower device (for servers: NIC ports). */
  linksPerLower: number;
  /** Links of this stage on one upper device. */
  linksPerUpper: number;
  /** Parallel links between a lower and an upper device that are joined. */
  linksPerPair: number;
  opticalModules: number;
  /** Lower device's server-facing capacity over its capacity in this stage; null when the stage is not built. */
  oversubscription: number | null;
}

/** The interconnect planes (GSF-T1 or CORE): the figures GSE-TOPO-7 argues with. */
export interface SizingPlane {
  lower: GseRole;
  upper: GseRole;
  planes: number;
  devicesPerPlane: number;
  maxDevicesPerPlane: number;
  portsPerPlane: number;
  portsUsedPerPlane: number;
  linksPerPair: number;
  /** Uplinks each lower device would use for the requested oversubscription. */
  uplinksWanted: number;
  uplinksUsed: number;
  /** Most PoDs a full plane serves with uplinksWanted per lower device. */
  nonBlockingMaxPods: number;
}

export interface SizingResult {
  design: GseDesign;
  attachment: GseAttachment;
  railGsfT2: boolean;
  radix: number;
  portRateBps: number;
  gpusRequested: number;
  /** GPUs the built PoDs hold. */
  gpus: number;
  servers: number;
  gpusPerServer: number;
  nicPortsPerServer: number;
  pods: number;
  sus: number;
  susPerPod: number;
  gspsPerSu: number;
  gspsPerPod: number;
  gpusPerSu: number;
  gpusPerPod: number;
  /** Server-facing ports of a GSP. */
  gspServerPorts: number;
  maxPods: number;
  maxGpus: number;
  /** Devices per role, GSP first. */
  devices: Partial<Record<GseRole, number>>;
  /** Ports in use on one device of each role (of `radix`). */
  portsUsed: Partial<Record<GseRole, number>>;
  switches: number;
  stages: SizingStage[];
  plane: SizingPlane;
  links: number;
  opticalModules: number;
  oversubRequested: number;
  /** Where the requested oversubscription applies. */
  oversubStage: string;
  notes: string[];
}

type Resolved = Required<SizingOptions>;

/** One PoD of a design: counts per PoD and the PoD-internal switch stages. */
interface PodShape {
  gspsPerPod: number;
  roles: Array<[GseRole, number]>;
  stages: Array<Omit<SizingStage, 'links' | 'opticalModules'> & { lowerPerPod: number }>;
  /** The devices that join the planes, one plane per device of a PoD. */
  plane: { lower: GseRole; upper: GseRole; perPod: number; down: number; upFree: number };
  /** Rail design: SUs per rail PoD. */
  railSus?: number;
}

const ROLE_NAMES: Record<GseRole, string> = {
  gsp: 'GSP',
  'gsf-t2': 'GSF-T2',
  'gsf-t1': 'GSF-T1',
  gsf: 'GSF',
  border: 'BORDER',
  core: 'CORE',
};

export function gseRoleName(r: GseRole | 'server'): string {
  return r === 'server' ? 'server' : ROLE_NAMES[r];
}

/** Sizes a GSE fabric for `opts.gpus` GPUs; throws SizingError with the reason when it cannot. */
export function sizeGseFabric(opts: SizingOptions): SizingResult {
  const o = resolve(opts);
  const shapes = podShapes(o);
  // An SU holds as many servers as a GSP has server ports.
  const gpusPerSu = serverPorts(o) * o.gpusPerServer;
  const gpusOf = (s: PodShape) => (s.gspsPerPod / o.nicPortsPerServer) * gpusPerSu;
  const largest = shapes[shapes.length - 1];
  const maxPods = o.radix;
  const maxGpus = maxPods * gpusOf(largest);
  const pods = Math.ceil(o.gpus / gpusOf(largest));
  if (pods > maxPods) {
    throw new SizingError(
      'too-many-pods',
      `${fmt(o.gpus)} GPUs need ${pods} PoDs of ${fmt(gpusOf(largest))} GPUs, but a ${gseRoleName(largest.plane.upper)} ` +
        `with ${o.radix} ports links to every PoD of its plane, so a plane takes at most ${maxPods} PoDs ` +
        `(${fmt(maxGpus)} GPUs): not coverable with this design and radix`,
    );
  }
  const shape = shapes.find((s) => pods * gpusOf(s) >= o.gpus)!;
  return assemble(o, shape, pods, gpusPerSu, maxPods, maxGpus);
}

function resolve(opts: SizingOptions): Resolved {
  const o: Resolved = {
    gpus: opts.gpus,
    design: opts.design ?? 'three-tier',
    radix: opts.radix ?? 128,
    portRateBps: opts.portRateBps ?? 400e9,
    gpusPerServer: opts.gpusPerServer ?? 8,
    nicPortsPerServer: opts.nicPortsPerServer ?? 8,
    attachment: opts.attachment ?? 'rail',
    railGsfT2: opts.railGsfT2 ?? false,
    oversub: opts.oversub ?? 1,
    speedup: opts.speedup ?? 1,
    maxPerPlane: opts.maxPerPlane ?? 16,
  };
  const whole = (name: string, v: number, min: number) => {
    if (!Number.isSafeInteger(v) || v < min) throw new SizingError('invalid', `${name}: expected a whole number >= ${min}, got ${v}`);
  };
  whole('gpus', o.gpus, 1);
  whole('radix', o.radix, 1);
  whole('gpusPerServer', o.gpusPerServer, 1);
  whole('nicPortsPerServer', o.nicPortsPerServer, 1);
  whole('maxPerPlane', o.maxPerPlane, 1);
  if (!GSE_DESIGNS.includes(o.design)) throw new SizingError('invalid', `design: expected one of ${GSE_DESIGNS.join(', ')}, got '${o.design}'`);
  if (o.attachment !== 'rail' && o.attachment !== 'zero-rail') throw new SizingError('invalid', `attachment: expected rail or zero-rail, got '${o.attachment}'`);
  if (!(o.portRateBps > 0)) throw new SizingError('invalid', `portRateBps: expected > 0, got ${o.portRateBps}`);
  if (!(o.oversub >= 1) || !Number.isFinite(o.oversub)) throw new SizingError('invalid', `oversub: expected 1:K with K >= 1, got K = ${o.oversub}`);
  if (!(o.speedup >= 1) || !Number.isFinite(o.speedup)) throw new SizingError('invalid', `speedup: expected a number >= 1, got ${o.speedup}`);
  if (o.speedup !== 1 && o.design !== 'gsp-direct') throw new SizingError('invalid', `speedup applies to the gsp-direct design only (GSE-TOPO-11)`);
  if (o.railGsfT2 && o.design !== 'three-tier') throw new SizingError('invalid', `rail-optimised GSF-T2 is a three-tier design (GSE-TOPO-9), not ${o.design}`);
  if (o.railGsfT2 && o.attachment !== 'rail') {
    throw new SizingError('invalid', 'rail-optimised GSF-T2 needs rail attachment: with zero-rail, GSPs of different rails would share no GSF-T2');
  }
  if (o.radix % 2 !== 0 || o.radix < 4) throw new SizingError('radix-too-small', `radix ${o.radix}: expected an even number >= 4 (half the ports down, half up)`);
  return o;
}

/** Server-facing ports of a GSP. */
function serverPorts(o: Resolved): number {
  return o.design === 'gsp-direct' ? gspDirectSplit(o).d : o.radix / 2;
}

/** gsp-direct GSP ports: d to servers, g to GSFs, c to the CORE. */
function gspDirectSplit(o: Resolved): { d: number; g: number; c: number } {
  const align = o.attachment === 'zero-rail' ? o.nicPortsPerServer : 1;
  for (let d = Math.floor(o.radix / align) * align; d >= align; d -= align) {
    const c = Math.ceil(d / o.oversub);
    const g = o.radix - d - c;
    if (g >= Math.ceil(d * o.speedup)) return { d, g, c };
  }
  throw new SizingError(
    'radix-too-small',
    `radix ${o.radix}: a gsp-direct GSP cannot hold ${align} server port(s) plus ${o.speedup}x towards the GSFs plus 1:${o.oversub} towards the CORE`,
  );
}

/** Candidate PoDs, smallest first (several only for the rail design). */
function podShapes(o: Resolved): PodShape[] {
  const R = o.radix;
  const half = R / 2;
  const rails = o.nicPortsPerServer;
  if (o.attachment === 'zero-rail' && o.design !== 'gsp-direct' && half % rails !== 0) {
    throw new SizingError(
      'radix-too-small',
      `radix ${R}: a GSP has ${half} server ports, not a whole number of ${rails}-port servers (zero-rail puts all ports of a server on one GSP)`,
    );
  }
  const wholeSus = (ports: number, holder: string): number => {
    const n = Math.floor(ports / rails) * rails;
    if (n === 0) throw new SizingError('radix-too-small', `radix ${R}: a ${holder} with ${ports} GSP-facing ports cannot take one SU of ${rails} GSPs`);
    return n;
  };
  if (o.design === 'three-tier' && o.railGsfT2) {
    // Rail r of a PoD: GSP r of each of s SUs and tau GSF-T2s in full mesh. GSP up and GSF-T2 down
    // are both R/2, so tau = s with R/2 / s links per pair: s must divide R/2.
    const out: PodShape[] = [];
    for (let s = 1; s <= half; s++) {
      if (half % s !== 0) continue;
      const tau = s;
      const pair = half / tau;
      out.push({
        gspsPerPod: rails * s,
        roles: [['gsp', rails * s], ['gsf-t2', rails * tau]],
        stages: [{ name: 'gsp/gsf-t2', lower: 'gsp', upper: 'gsf-t2', lowerPerPod: rails * s, linksPerLower: half, linksPerUpper: s * pair, linksPerPair: pair, oversubscription: 1 }],
        plane: { lower: 'gsf-t2', upper: 'gsf-t1', perPod: rails * tau, down: s * pair, upFree: R - half },
        railSus: s,
      });
    }
    return out;
  }
  if (o.design === 'three-tier') {
    const gsps = wholeSus(half, 'GSF-T2');
    return [
      {
        gspsPerPod: gsps,
        roles: [['gsp', gsps], ['gsf-t2', half]],
        stages: [{ name: 'gsp/gsf-t2', lower: 'gsp', upper: 'gsf-t2', lowerPerPod: gsps, linksPerLower: half, linksPerUpper: gsps, linksPerPair: 1, oversubscription: 1 }],
        plane: { lower: 'gsf-t2', upper: 'gsf-t1', perPod: half, down: gsps, upFree: R - half },
      },
    ];
  }
  if (o.design === 'border') {
    const gsps = wholeSus(half, 'GSF');
    return [
      {
        gspsPerPod: gsps,
        roles: [['gsp', gsps], ['gsf', half], ['border', half]],
        stages: [
          { name: 'gsp/gsf', lower: 'gsp', upper: 'gsf', lowerPerPod: gsps, linksPerLower: half, linksPerUpper: gsps, linksPerPair: 1, oversubscription: 1 },
          { name: 'gsf/border', lower: 'gsf', upper: 'border', lowerPerPod: half, linksPerLower: half, linksPerUpper: half, linksPerPair: 1, oversubscription: gsps / half },
        ],
        plane: { lower: 'border', upper: 'core', perPod: half, down: half, upFree: R - half },
      },
    ];
  }
  const { d, g, c } = gspDirectSplit(o);
  const gsps = wholeSus(R, 'GSF');
  return [
    {
      gspsPerPod: gsps,
      roles: [['gsp', gsps], ['gsf', g]],
      stages: [{ name: 'gsp/gsf', lower: 'gsp', upper: 'gsf', lowerPerPod: gsps, linksPerLower: g, linksPerUpper: gsps, linksPerPair: 1, oversubscription: d / g }],
      plane: { lower: 'gsp', upper: 'core', perPod: gsps, down: d, upFree: c },
    },
  ];
}

/** Spreads `want` uplinks of each lower device of `pods` PoDs over one plane: t devices, m links per pair. */
function fitPlane(pods: number, want: number, radix: number, maxPerPlane: number): { t: number; m: number } {
  const mMax = Math.floor(radix / pods);
  let best = { t: 0, m: 0 };
  for (let t = 1; t <= Math.min(maxPerPlane, want); t++) {
    const m = Math.min(mMax, Math.floor(want / t));
    if (t * m > best.t * best.m) best = { t, m };
  }
  return best;
}

/** Most PoDs a plane of at most `maxPerPlane` devices serves with `want` evenly spread uplinks each. */
function nonBlockingMaxPods(want: number, radix: number, maxPerPlane: number): number {
  let best = 0;
  for (let t = 1; t <= Math.min(maxPerPlane, want); t++) if (want % t === 0) best = Math.max(best, Math.floor(radix / (want / t)));
  return Math.min(best, radix);
}

function assemble(o: Resolved, shape: PodShape, pods: number, gpusPerSu: number, maxPods: number, maxGpus: number): SizingResult {
  const rails = o.nicPortsPerServer;
  const d = serverPorts(o);
  const susPerPod = shape.gspsPerPod / rails;
  const sus = pods * susPerPod;
  const servers = sus * d;
  const gpus = servers * o.gpusPerServer;
  const gsps = pods * shape.gspsPerPod;
  const p = shape.plane;
  const planes = p.perPod;
  const wanted = Math.min(p.upFree, Math.ceil(p.down / o.oversub));
  const { t, m } = pods > 1 ? fitPlane(pods, wanted, o.radix, o.maxPerPlane) : { t: 0, m: 0 };
  const used = t * m;

  const stages: SizingStage[] = [
    withLinks({
      name: 'server/gsp',
      lower: 'server',
      upper: 'gsp',
      lowerPerPod: shape.gspsPerPod,
      linksPerLower: rails,
      linksPerUpper: d,
      linksPerPair: o.attachment === 'zero-rail' ? rails : 1,
      oversubscription: 1,
    }, pods, gsps * d),
    ...shape.stages.map((s) => withLinks(s, pods)),
    withLinks({
      name: `${p.lower}/${p.upper}`,
      lower: p.lower,
      upper: p.upper,
      lowerPerPod: planes,
      linksPerLower: used,
      linksPerUpper: pods * m,
      linksPerPair: m,
      oversubscription: used ? p.down / used : null,
    }, pods),
  ];
  const devices: Partial<Record<GseRole, number>> = {};
  for (const [role, perPod] of shape.roles) devices[role] = perPod * pods;
  devices[p.upper] = planes * t;
  const portsUsed: Partial<Record<GseRole, number>> = {};
  for (const s of stages) {
    if (s.lower !== 'server') portsUsed[s.lower] = (portsUsed[s.lower] ?? 0) + s.linksPerLower;
    portsUsed[s.upper] = (portsUsed[s.upper] ?? 0) + s.linksPerUpper;
  }
  const oversubStage = { 'three-tier': 'gsf-t2/gsf-t1', border: 'border/core', 'gsp-direct': 'gsp/core' }[o.design];
  const result: SizingResult = {
    design: o.design,
    attachment: o.attachment,
    railGsfT2: o.railGsfT2,
    radix: o.radix,
    portRateBps: o.portRateBps,
    gpusRequested: o.gpus,
    gpus,
    servers,
    gpusPerServer: o.gpusPerServer,
    nicPortsPerServer: rails,
    pods,
    sus,
    susPerPod,
    gspsPerSu: rails,
    gspsPerPod: shape.gspsPerPod,
    gpusPerSu,
    gpusPerPod: susPerPod * gpusPerSu,
    gspServerPorts: d,
    maxPods,
    maxGpus,
    devices,
    portsUsed,
    switches: Object.values(devices).reduce((a, b) => a + b, 0),
    stages,
    plane: {
      lower: p.lower,
      upper: p.upper,
      planes,
      devicesPerPlane: t,
      maxDevicesPerPlane: o.maxPerPlane,
      portsPerPlane: t * o.radix,
      portsUsedPerPlane: pods * used,
      linksPerPair: m,
      uplinksWanted: wanted,
      uplinksUsed: used,
      nonBlockingMaxPods: nonBlockingMaxPods(wanted, o.radix, o.maxPerPlane),
    },
    links: stages.reduce((a, s) => a + s.links, 0),
    opticalModules: stages.reduce((a, s) => a + s.opticalModules, 0),
    oversubRequested: o.oversub,
    oversubStage,
    notes: [],
  };
  result.notes = notes(o, result, shape);
  return result;
}

function withLinks(s: Omit<SizingStage, 'links' | 'opticalModules'> & { lowerPerPod: number }, pods: number, links?: number): SizingStage {
  const { lowerPerPod, ...rest } = s;
  const n = links ?? pods * lowerPerPod * s.linksPerLower;
  // One module per connected port: both ends of every link (see the module doc).
  return { ...rest, links: n, opticalModules: 2 * n };
}

function notes(o: Resolved, r: SizingResult, shape: PodShape): string[] {
  const out: string[] = [];
  const p = r.plane;
  const lower = gseRoleName(p.lower);
  const upper = gseRoleName(p.upper);
  if (r.gpus > r.gpusRequested) {
    out.push(`${fmt(r.gpusRequested)} GPUs requested: ${r.pods} whole PoD(s) of ${fmt(r.gpusPerPod)} GPUs hold ${fmt(r.gpus)}`);
  }
  if (r.pods === 1) out.push(`one PoD: no ${upper} is built; the ${p.uplinksWanted} uplinks of each ${lower} stay free for growth`);
  const exact = shape.plane.down / o.oversub;
  if (o.oversub !== 1 && p.uplinksWanted !== exact) {
    out.push(`1:${o.oversub} at ${lower}: ${shape.plane.down} down ports need ${round(exact)} uplinks; ${p.uplinksWanted} give ${ratio(shape.plane.down / p.uplinksWanted)}`);
  }
  if (r.pods > 1 && p.uplinksUsed < p.uplinksWanted) {
    out.push(
      `plane limit: ${p.devicesPerPlane} ${upper} x ${o.radix} ports = ${fmt(p.portsPerPlane)} ports per plane; ${r.pods} PoDs leave ` +
        `${p.uplinksUsed} of ${p.uplinksWanted} uplinks per ${lower}, ${ratio(shape.plane.down / p.uplinksUsed)} ` +
        `(up to ${p.nonBlockingMaxPods} PoDs would get all ${p.uplinksWanted})`,
    );
  }
  if (o.railGsfT2) {
    out.push(
      `rail PoD of ${shape.railSus} SUs: rail r joins GSP r of every SU and ${shape.railSus} GSF-T2s; traffic between rails ` +
        `leaves the PoD through GSF-T1 unless the servers forward it between rails`,
    );
    out.push('GSE-TOPO-9: totals equal a full-mesh fabric of the same capacity in whole PoDs (e.g. 131,072 GPUs)');
  }
  if (o.design === 'gsp-direct') {
    const [gs] = shape.stages;
    out.push(`GSP ports: ${r.gspServerPorts} to servers, ${gs.linksPerLower} to GSFs (speedup ${round(gs.linksPerLower / r.gspServerPorts)}), ${shape.plane.upFree} to the CORE; plane i joins GSP i of every PoD`);
  }
  return out;
}

/** `4:1`, `1:1`, or `speedup 1.2` below 1. */
export function ratio(x: number | null): string {
  if (x === null) return '-';
  return x >= 1 ? `${round(x)}:1` : `speedup ${round(1 / x)}`;
}

function round(x: number): string {
  return String(Math.round(x * 100) / 100);
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
