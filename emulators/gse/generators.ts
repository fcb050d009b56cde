// Topology generators for emulatable GSE N2N fabrics: gse-three-tier, gse-border and gse-gsp-direct.
//
// The shapes of emulators/gse/sizing.ts at a size the emulator can run (defaults: 2 PoDs x 4 GSPs x
// 2 servers), large enough on request for a whole 4096-GPU PoD (64 GSPs x 64 GSF-T2, 64 servers
// each). Importing this module registers the generators.
//
// Device ids (prefix = the fabric id):
//   <prefix>-gsp<pod>-<i>      GSP i of a PoD                       kind gse-gsp
//   <prefix>-gsf<pod>-<i>      GSF i of a PoD (GSF-T2 in three-tier) kind gse-gsf, tier T2
//   <prefix>-gsft1<plane>-<i>  GSF-T1 i of a plane (three-tier)     kind gse-gsf, tier T1
//   <prefix>-border<pod>-<i>   BORDER i of a PoD (border)           kind gse-border
//   <prefix>-core<plane>-<i>   CORE i of a plane (border, gsp-direct) kind gse-core
//   <prefix>-srv<pod>-<i>      server i of a PoD                    kind host
// Ports are `p0`, `p1`, ... in link order: on every switch the server- or lower-tier-facing ports come
// first, then the upward ones; a server's NIC ports are p0..p(nicPorts-1). Every device's params carry
// its role (`role`, `design`, `pod` or `plane`, `index`; GSPs also `gspId`, `su`, `rail`; GSFs `tier`,
// and `plane` where a plane joins it) for the models that come later. A plane joins device i of every
// PoD: GSF-T2 i (three-tier), BORDER i (border), GSP i (gsp-direct).
import { GeneratorError, intParam, kindParam, numberParam, registerGenerator, type GeneratedTopology, type TopologyGenerator } from '../generators.ts';

type Device = GeneratedTopology['devices'][number];

/** Builds devices and links, numbering ports in link order and checking the switch radix. */
class GseBuilder {
  readonly devices: Device[] = [];
  private readonly links: GeneratedTopology['links'] = [];
  private readonly portCount = new Map<string, number>();
  constructor(
    private readonly prefix: string,
    private readonly design: string,
    private readonly rateBps: number,
    private readonly lengthKm: number,
    private readonly switchParams: Record<string, unknown>,
  ) {}

  add(name: string, kind: string, params: Record<string, unknown>): string {
    const id = `${this.prefix}-${name}`;
    const extra = kind === 'host' ? {} : this.switchParams;
    this.devices.push({ id, kind, ports: [], params: { ...extra, design: this.design, ...params } });
    this.portCount.set(id, 0);
    return id;
  }

  /** `n` parallel links between two devices. */
  link(a: string, b: string, n = 1): void {
    for (let k = 0; k < n; k++) {
      this.links.push({ a: { device: a, port: this.port(a) }, b: { device: b, port: this.port(b) }, rateBps: this.rateBps, lengthKm: this.lengthKm, fibre: 'smf' });
    }
  }

  private port(id: string): string {
    const n = this.portCount.get(id)!;
    this.portCount.set(id, n + 1);
    return `p${n}`;
  }

  finish(radix: number): GeneratedTopology {
    for (const d of this.devices) {
      const n = this.portCount.get(d.id)!;
      if (d.kind !== 'host' && n > radix) throw new GeneratorError('radix', `${d.id} needs ${n} ports, more than the radix ${radix}`);
      d.ports = Array.from({ length: n }, (_, i) => `p${i}`);
    }
    return { devices: this.devices, links: this.links };
  }
}

interface Common {
  pods: number;
  gspsPerPod: number;
  serversPerGsp: number;
  nicPorts: number;
  attachment: string;
  radix: number;
  b: GseBuilder;
}

const COMMON_PARAMS = {
  pods: 'PoDs (default 2)',
  gspsPerPod: 'GSPs per PoD (default 4)',
  serversPerGsp: 'servers per GSP (default 2); with rail attachment, servers per SU (each GSP has that many server ports)',
  nicPorts: 'NIC ports per server (default 1); with rail attachment also the GSPs per SU',
  attachment: "zero-rail (default: all ports of a server on one GSP) or rail (port k of each server on GSP k of its SU)",
  rateBps: 'link rate (default 400e9)',
  lengthKm: 'fibre length of every link (default 0.1 km = 0.5 us)',
  radix: 'most ports on a switch (default 128); a larger shape is refused',
  switchParams: 'model parameters for every switch',
} as const;

function common(prefix: string, design: string, p: Record<string, unknown>): Common {
  const c: Common = {
    pods: intParam(p, 'pods', 2, 1, 128),
    gspsPerPod: intParam(p, 'gspsPerPod', 4, 1, 512),
    serversPerGsp: intParam(p, 'serversPerGsp', 2, 0, 512),
    nicPorts: intParam(p, 'nicPorts', 1, 1, 16),
    attachment: kindParam(p, 'attachment', 'zero-rail', ['zero-rail', 'rail']),
    radix: intParam(p, 'radix', 128, 2, 1024),
    b: new GseBuilder(prefix, design, numberParam(p, 'rateBps', 400e9, 1), numberParam(p, 'lengthKm', 0.1, 0), objectParam(p, 'switchParams')),
  };
  if (c.attachment === 'rail' && c.gspsPerPod % c.nicPorts !== 0) {
    throw new GeneratorError('gspsPerPod', `rail attachment: expected a multiple of nicPorts (${c.nicPorts} GSPs per SU), got ${c.gspsPerPod}`);
  }
  return c;
}

/** The GSPs of every PoD, ids by [pod][i]. */
function addGsps(c: Common): string[][] {
  const su = c.nicPorts; // GSPs per SU, as in sizing.ts
  return range(c.pods).map((pod) =>
    range(c.gspsPerPod).map((i) =>
      c.b.add(`gsp${pod}-${i}`, 'gse-gsp', { role: 'gsp', pod, index: i, gspId: pod * c.gspsPerPod + i, su: Math.floor(i / su), rail: i % su }),
    ),
  );
}

/** Servers and their NIC-GSP links (the server-facing ports come first on every GSP). */
function addServers(c: Common, gsps: string[][]): void {
  for (let pod = 0; pod < c.pods; pod++) {
    let n = 0;
    if (c.attachment === 'zero-rail') {
      gsps[pod].forEach((gsp, i) => {
        for (let j = 0; j < c.serversPerGsp; j++) {
          c.b.link(gsp, c.b.add(`srv${pod}-${n}`, 'host', { role: 'server', pod, index: n++, su: Math.floor(i / c.nicPorts), gsps: [i] }), c.nicPorts);
        }
      });
      continue;
    }
    for (let su = 0; su < c.gspsPerPod / c.nicPorts; su++) {
      const members = range(c.nicPorts).map((k) => su * c.nicPorts + k);
      for (let j = 0; j < c.serversPerGsp; j++) {
        const srv = c.b.add(`srv${pod}-${n}`, 'host', { role: 'server', pod, index: n++, su, gsps: members });
        for (const g of members) c.b.link(gsps[pod][g], srv);
      }
    }
  }
}

/** Every lower device joined to every upper device by `n` links. */
function fullMesh(b: GseBuilder, lower: string[], upper: string[], n: number): void {
  for (const l of lower) for (const u of upper) b.link(l, u, n);
}

/** Plane i joins device i of every PoD through `perPlane` devices made by `add`. */
function addPlanes(b: GseBuilder, perPod: string[][], perPlane: number, links: number, add: (plane: number, i: number) => string): void {
  const planes = perPod[0]?.length ?? 0;
  for (let plane = 0; plane < planes; plane++) {
    const members = perPod.map((pod) => pod[plane]);
    const devices = range(perPlane).map((i) => add(plane, i));
    fullMesh(b, members, devices, links);
  }
}

const THREE_TIER: TopologyGenerator = {
  description: 'GSE three-tier: GSPs, GSF-T2 full mesh per PoD (or rail-optimised), GSF-T1 planes joining GSF-T2 i of every PoD',
  params: {
    ...COMMON_PARAMS,
    gsfT2PerPod: 'GSF-T2 per PoD, also the number of GSF-T1 planes (default 2)',
    gsfT1PerPlane: 'GSF-T1 per plane (default 1; 0 builds no GSF-T1)',
    railGsfT2: 'rail-optimised GSF-T2 (default false): GSP r of every SU joins only the GSF-T2s of rail r (index mod nicPorts)',
    gspLinks: 'parallel links between a GSP and each GSF-T2 it joins (default 1)',
    t1Links: 'parallel links between a GSF-T2 and each GSF-T1 of its plane (default 1)',
  },
  generate(prefix, p) {
    const c = common(prefix, 'three-tier', p);
    const t2 = intParam(p, 'gsfT2PerPod', 2, 1, 512);
    const t1 = intParam(p, 'gsfT1PerPlane', 1, 0, 128);
    const rail = boolParam(p, 'railGsfT2');
    const rails = rail ? c.nicPorts : 1;
    if (rail && c.attachment !== 'rail') throw new GeneratorError('railGsfT2', 'needs attachment: rail (with zero-rail, GSPs of different rails would share no GSF-T2)');
    if (t2 % rails !== 0) throw new GeneratorError('gsfT2PerPod', `rail-optimised: expected a multiple of nicPorts (${rails} rails), got ${t2}`);
    const gsps = addGsps(c);
    const gsfs = range(c.pods).map((pod) =>
      range(t2).map((i) => c.b.add(`gsf${pod}-${i}`, 'gse-gsf', { role: 'gsf', tier: 'T2', pod, index: i, plane: i, ...(rail ? { rail: i % rails } : {}) })),
    );
    addServers(c, gsps);
    const gspLinks = intParam(p, 'gspLinks', 1, 1, 128);
    for (let pod = 0; pod < c.pods; pod++) {
      for (let r = 0; r < rails; r++) {
        const inRail = <T>(xs: T[]) => xs.filter((_, i) => i % rails === r);
        fullMesh(c.b, inRail(gsps[pod]), inRail(gsfs[pod]), gspLinks);
      }
    }
    addPlanes(c.b, gsfs, t1, intParam(p, 't1Links', 1, 1, 128), (plane, i) => c.b.add(`gsft1${plane}-${i}`, 'gse-gsf', { role: 'gsf', tier: 'T1', plane, index: i }));
    return c.b.finish(c.radix);
  },
};

const BORDER: TopologyGenerator = {
  description: 'GSE multi-PoD border: GSPs, GSF full mesh, BORDER full mesh per PoD (GSE in the PoD), CORE planes joining BORDER i of every PoD (IP between PoDs)',
  params: {
    ...COMMON_PARAMS,
    gsfPerPod: 'GSFs per PoD (default 2)',
    borderPerPod: 'BORDERs per PoD, also the number of CORE planes (default 2)',
    corePerPlane: 'COREs per plane (default 1; 0 builds no CORE)',
    gspLinks: 'parallel links between a GSP and each GSF (default 1)',
    borderLinks: 'parallel links between a GSF and each BORDER (default 1)',
    coreLinks: 'parallel links between a BORDER and each CORE of its plane (default 1)',
  },
  generate(prefix, p) {
    const c = common(prefix, 'border', p);
    const nGsf = intParam(p, 'gsfPerPod', 2, 1, 512);
    const nBorder = intParam(p, 'borderPerPod', 2, 1, 512);
    const gsps = addGsps(c);
    const gsfs = range(c.pods).map((pod) => range(nGsf).map((i) => c.b.add(`gsf${pod}-${i}`, 'gse-gsf', { role: 'gsf', tier: 'T2', pod, index: i })));
    const borders = range(c.pods).map((pod) => range(nBorder).map((i) => c.b.add(`border${pod}-${i}`, 'gse-border', { role: 'border', pod, index: i, plane: i })));
    addServers(c, gsps);
    const gspLinks = intParam(p, 'gspLinks', 1, 1, 128);
    const borderLinks = intParam(p, 'borderLinks', 1, 1, 128);
    for (let pod = 0; pod < c.pods; pod++) {
      fullMesh(c.b, gsps[pod], gsfs[pod], gspLinks);
      fullMesh(c.b, gsfs[pod], borders[pod], borderLinks);
    }
    addPlanes(c.b, borders, intParam(p, 'corePerPlane', 1, 0, 128), intParam(p, 'coreLinks', 1, 1, 128), (plane, i) => c.b.add(`core${plane}-${i}`, 'gse-core', { role: 'core', plane, index: i }));
    return c.b.finish(c.radix);
  },
};

const GSP_DIRECT: TopologyGenerator = {
  description: 'GSE gsp-direct: two-tier PoDs (GSP, GSF full mesh) whose GSPs join CORE planes directly: plane i joins GSP i of every PoD',
  params: {
    ...COMMON_PARAMS,
    gsfPerPod: 'GSFs per PoD (default 2)',
    corePerPlane: 'COREs per plane, one plane per GSP index (default 1; 0 builds no CORE)',
    gspLinks: 'parallel links between a GSP and each GSF (default 1)',
    coreLinks: 'parallel links between a GSP and each CORE of its plane (default 1)',
  },
  generate(prefix, p) {
    const c = common(prefix, 'gsp-direct', p);
    const nGsf = intParam(p, 'gsfPerPod', 2, 1, 512);
    const gsps = addGsps(c);
    const gsfs = range(c.pods).map((pod) => range(nGsf).map((i) => c.b.add(`gsf${pod}-${i}`, 'gse-gsf', { role: 'gsf', tier: 'T2', pod, index: i })));
    addServers(c, gsps);
    const gspLinks = intParam(p, 'gspLinks', 1, 1, 128);
    for (let pod = 0; pod < c.pods; pod++) fullMesh(c.b, gsps[pod], gsfs[pod], gspLinks);
    addPlanes(c.b, gsps, intParam(p, 'corePerPlane', 1, 0, 128), intParam(p, 'coreLinks', 1, 1, 128), (plane, i) => c.b.add(`core${plane}-${i}`, 'gse-core', { role: 'core', plane, index: i }));
    return c.b.finish(c.radix);
  },
};

/** The generators by name, with their parameter docs (`params`). */
export const GSE_GENERATORS: Readonly<Record<string, TopologyGenerator>> = {
  'gse-three-tier': THREE_TIER,
  'gse-border': BORDER,
  'gse-gsp-direct': GSP_DIRECT,
};

/** Parameter docs of each generator (the registry's `params`). */
export const GSE_GENERATOR_PARAMS: Readonly<Record<string, Record<string, string>>> = Object.fromEntries(
  Object.entries(GSE_GENERATORS).map(([name, g]) => [name, g.params]),
);

for (const [name, g] of Object.entries(GSE_GENERATORS)) registerGenerator(name, g);

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function boolParam(p: Record<string, unknown>, name: string): boolean {
  const v = p[name] ?? false;
  if (typeof v !== 'boolean') throw new GeneratorError(name, `expected true or false, got ${JSON.stringify(v)}`);
  return v;
}

function objectParam(p: Record<string, unknown>, name: string): Record<string, unknown> {
  const v = p[name] ?? {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new GeneratorError(name, 'expected a mapping of parameter names to values');
  return v as Record<string, unknown>;
}
