// The `scaleup-supernode` topology generator: accelerators on one switch, or on leaf and spine switches, for any scale-up protocol.
//
// Devices (prefix = the fabric id):
//   <prefix>-sw0                 the switch of a one-tier supernode        kind scaleup-switch
//   <prefix>-leaf<i>, -spine<i>  the switches of a two-tier supernode      kind scaleup-switch
//   <prefix>-acc<i>              accelerator i                             kind accelerator
// Ports are `p0`, `p1`, ... in link order: on a leaf the accelerators first, then the uplinks;
// every accelerator has one port `p0`. Each device's params carry `protocol`, `lanes` and
// `laneRateBps`; accelerators their `scaleupId` and `index`, switches `tier` (1 leaf or single,
// 2 spine) and `index`. A link runs at lanes x the lower lane rate of its two ends (UAL-3: 1, 2 or
// 4 lanes of 200 Gb/s, 100 Gb/s fallback): accelerators listed in `fallback` run their lanes at
// 100 Gb/s. Ids are 0..N-1 (`ids: dense`) or spread evenly over the protocol's id space, the first
// 0 and the last the highest id (`ids: spread`), so that a supernode exercises the whole space.
import { GeneratorError, intParam, kindParam, numberParam, registerGenerator, type GeneratedTopology } from '../generators.ts';
import { SCALEUP_PROTOCOLS, type ScaleupProtocol } from '../../protocols/scaleup/efficiency.ts';
import { ACCELERATOR_KIND, SCALEUP_ID_SPACE, SCALEUP_SWITCH_KIND } from './fabric.ts';

type Device = GeneratedTopology['devices'][number];

function objectParam(p: Record<string, unknown>, name: string): Record<string, unknown> {
  const v = p[name] ?? {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new GeneratorError(name, 'expected a mapping of parameter names to values');
  return v as Record<string, unknown>;
}

/** Ids of `n` accelerators: dense 0..n-1, or spread over 0..max with both ends used. */
export function supernodeIds(n: number, max: number, mode: 'dense' | 'spread'): number[] {
  if (mode === 'dense' || n === 1) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: n }, (_, i) => Math.round((i * max) / (n - 1)));
}

registerGenerator('scaleup-supernode', {
  description: 'scale-up supernode: accelerators on one switch, or on leaf switches joined by spines (UALink, SUE, ESUN, EthLink, ETH+, ETH-X)',
  params: {
    protocol: 'ualink (default), sue, esun, ethlink, ethplus or ethx',
    accelerators: 'accelerators (default 8; 1 to 1024 on one switch)',
    tiers: '1 (default: one switch) or 2 (leaves and spines)',
    acceleratorsPerLeaf: 'two tiers: accelerators under each leaf (default 16)',
    spines: 'two tiers: spine switches (default acceleratorsPerLeaf: non-blocking)',
    uplinksPerSpine: 'two tiers: links from each leaf to each spine (default 1)',
    lanes: 'lanes per link: 1, 2 or 4 (default 4)',
    laneRateBps: 'lane rate: 200e9 (default) or 100e9',
    fallback: 'indices of accelerators whose lanes run at 100e9 (default none)',
    ids: 'dense (default: 0..N-1) or spread (over the whole id space, last = highest id)',
    lengthKm: 'cable length (default 0.002 km = 10 ns)',
    switchParams: 'model parameters for every switch (latencyNs, queueBytes, ecnThresholdBytes...)',
    acceleratorParams: 'model parameters for every accelerator (maxOutstanding, window, fcs...)',
  },
  generate(prefix, p) {
    const protocol = kindParam(p, 'protocol', 'ualink', SCALEUP_PROTOCOLS) as ScaleupProtocol;
    const n = intParam(p, 'accelerators', 8, 1, 65535);
    const tiers = intParam(p, 'tiers', 1, 1, 2);
    const lanes = intParam(p, 'lanes', 4, 1, 4);
    if (lanes === 3) throw new GeneratorError('lanes', 'expected 1, 2 or 4 lanes per link, got 3');
    const laneRateBps = numberParam(p, 'laneRateBps', 200e9, 1);
    if (laneRateBps !== 200e9 && laneRateBps !== 100e9) throw new GeneratorError('laneRateBps', `expected 200e9 or 100e9, got ${laneRateBps}`);
    const fallbackRaw = p.fallback ?? [];
    if (!Array.isArray(fallbackRaw) || !fallbackRaw.every((x) => Number.isInteger(x) && x >= 0 && x < n)) {
      throw new GeneratorError('fallback', `expected a list of accelerator indices 0..${n - 1}`);
    }
    const fallback = new Set(fallbackRaw as number[]);
    const mode = kindParam(p, 'ids', 'dense', ['dense', 'spread']) as 'dense' | 'spread';
    const space = SCALEUP_ID_SPACE[protocol];
    if (n > space.max + 1) throw new GeneratorError('accelerators', `${protocol} ids have ${space.bits} bits: at most ${space.max + 1} accelerators`);
    const lengthKm = numberParam(p, 'lengthKm', 0.002, 0);
    const switchParams = objectParam(p, 'switchParams');
    const accParams = objectParam(p, 'acceleratorParams');
    const ids = supernodeIds(n, space.max, mode);

    const devices: Device[] = [];
    const links: GeneratedTopology['links'] = [];
    const ports = new Map<string, number>();
    const rateOf = new Map<string, number>();
    const add = (name: string, kind: string, params: Record<string, unknown>, rate: number): string => {
      const id = `${prefix}-${name}`;
      devices.push({ id, kind, ports: [], params });
      ports.set(id, 0);
      rateOf.set(id, rate);
      return id;
    };
    const port = (id: string): string => {
      const k = ports.get(id) as number;
      ports.set(id, k + 1);
      return `p${k}`;
    };
    const link = (a: string, b: string): void => {
      const rateBps = lanes * Math.min(rateOf.get(a) as number, rateOf.get(b) as number);
      links.push({ a: { device: a, port: port(a) }, b: { device: b, port: port(b) }, rateBps, lengthKm, fibre: 'smf' });
    };
    const sw = (name: string, tier: number, index: number) => add(name, SCALEUP_SWITCH_KIND, { ...switchParams, protocol, tier, index, lanes, laneRateBps }, laneRateBps);
    const acc = (i: number) => {
      const rate = fallback.has(i) ? 100e9 : laneRateBps;
      return add(`acc${i}`, ACCELERATOR_KIND, { ...accParams, protocol, scaleupId: ids[i], index: i, lanes, laneRateBps: rate }, rate);
    };

    if (tiers === 1) {
      if (n > 1024) throw new GeneratorError('accelerators', `one switch serves at most 1024 accelerators (single hop), got ${n}: use tiers: 2`);
      const s = sw('sw0', 1, 0);
      for (let i = 0; i < n; i++) link(s, acc(i));
    } else {
      const per = intParam(p, 'acceleratorsPerLeaf', 16, 1, 1024);
      const spines = intParam(p, 'spines', per, 1, 1024);
      const up = intParam(p, 'uplinksPerSpine', 1, 1, 64);
      const leaves = Math.ceil(n / per);
      const leafIds = Array.from({ length: leaves }, (_, l) => sw(`leaf${l}`, 1, l));
      const spineIds = Array.from({ length: spines }, (_, s) => sw(`spine${s}`, 2, s));
      for (let i = 0; i < n; i++) link(leafIds[Math.floor(i / per)], acc(i));
      for (const l of leafIds) for (const s of spineIds) for (let k = 0; k < up; k++) link(l, s);
    }
    for (const d of devices) d.ports = Array.from({ length: ports.get(d.id) as number }, (_, i) => `p${i}`);
    return { devices, links };
  },
});
