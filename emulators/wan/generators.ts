// Topology generator `wan-interconnect`: two DCs' provider-edge routers over long fibre, a transit router, a traffic generator per DC.
//
// Devices (ids prefixed with the fabric id): pe1, pe2 (routers with ports wan1..wan3 and
// ate1..ate<n>), p1 (transit router, wan1/wan2), ate1, ate2 (traffic generators p1..p<n>).
// Links: pe1:wan1 - pe2:wan1 (standard fibre) and pe1:wan2 - pe2:wan2 (hollow-core), both
// `directKm` long; pe1:wan3 - p1:wan1 - p1:wan2 - pe2:wan3, `transitKm` each; ate<i>:p<k> -
// pe<i>:ate<k>. The shape suites/router expects; the default testbed lists the same by hand.

import { GeneratorError, intParam, numberParam, registerGenerator, type GeneratedTopology } from '../generators.ts';

export interface WanInterconnectParams {
  directKm?: number;
  transitKm?: number;
  wanRateBps?: number;
  /** Rate of the transit router's span toward PE2 (default wanRateBps). */
  transitRateBps?: number;
  ateRateBps?: number;
  atePorts?: number;
  routerParams?: Record<string, unknown>;
}

export function wanInterconnect(prefix: string, p: WanInterconnectParams = {}): GeneratedTopology {
  const raw = p as Record<string, unknown>;
  const directKm = numberParam(raw, 'directKm', 100, 0);
  const transitKm = numberParam(raw, 'transitKm', 300, 0);
  const wanRateBps = numberParam(raw, 'wanRateBps', 800e9, 1);
  const transitRateBps = numberParam(raw, 'transitRateBps', wanRateBps, 1);
  const ateRateBps = numberParam(raw, 'ateRateBps', 400e9, 1);
  const atePorts = intParam(raw, 'atePorts', 6, 1, 64);
  const rp = raw.routerParams ?? { queueBytes: 1 << 29, ecnMinBytes: 1 << 20, ecnMaxBytes: 8 << 20 };
  if (typeof rp !== 'object' || rp === null || Array.isArray(rp)) throw new GeneratorError('routerParams', 'expected a mapping of router model parameters');
  const id = (n: string) => `${prefix}-${n}`;
  const ate = Array.from({ length: atePorts }, (_, k) => `ate${k + 1}`);
  const devices: GeneratedTopology['devices'] = [
    { id: id('pe1'), kind: 'router', ports: ['wan1', 'wan2', 'wan3', ...ate], params: { ...(rp as object) } },
    { id: id('pe2'), kind: 'router', ports: ['wan1', 'wan2', 'wan3', ...ate], params: { ...(rp as object) } },
    { id: id('p1'), kind: 'router', ports: ['wan1', 'wan2'], params: { ...(rp as object) } },
    { id: id('ate1'), kind: 'traffic-generator', ports: ate.map((_, k) => `p${k + 1}`) },
    { id: id('ate2'), kind: 'traffic-generator', ports: ate.map((_, k) => `p${k + 1}`) },
  ];
  const end = (d: string, port: string) => ({ device: id(d), port });
  const links: GeneratedTopology['links'] = [
    { a: end('pe1', 'wan1'), b: end('pe2', 'wan1'), rateBps: wanRateBps, lengthKm: directKm, fibre: 'smf' },
    { a: end('pe1', 'wan2'), b: end('pe2', 'wan2'), rateBps: wanRateBps, lengthKm: directKm, fibre: 'hollow-core' },
    { a: end('pe1', 'wan3'), b: end('p1', 'wan1'), rateBps: wanRateBps, lengthKm: transitKm, fibre: 'smf' },
    { a: end('p1', 'wan2'), b: end('pe2', 'wan3'), rateBps: transitRateBps, lengthKm: transitKm, fibre: 'smf' },
  ];
  for (const [i, pe] of [
    [1, 'pe1'],
    [2, 'pe2'],
  ] as const) {
    ate.forEach((port, k) => links.push({ a: end(`ate${i}`, `p${k + 1}`), b: end(pe, port), rateBps: ateRateBps, lengthKm: 0.01 }));
  }
  return { devices, links };
}

registerGenerator('wan-interconnect', {
  description: 'two DC provider-edge routers joined by a standard and a hollow-core link and a transit router; a traffic generator per DC',
  params: {
    directKm: 'length of the two direct PE-PE links (default 100)',
    transitKm: 'length of each span through the transit router (default 300)',
    wanRateBps: 'WAN link rate (default 800e9)',
    transitRateBps: 'rate of the span from the transit router to PE2 (default wanRateBps)',
    ateRateBps: 'traffic generator link rate (default 400e9)',
    atePorts: 'traffic generator ports per DC (default 6)',
    routerParams: 'model parameters of every router (queueBytes, ecnMinBytes, bfd, pfc...)',
  },
  generate: (prefix, params) => wanInterconnect(prefix, params as WanInterconnectParams),
});
