// `fabric-hil topo gse`: sizes a GSE N2N fabric (emulators/gse/sizing.ts) and prints it as a table or JSON.
import { SizingError, gseRoleName, ratio, sizeGseFabric, type GseDesign, type GseRole, type SizingResult } from '../emulators/gse/sizing.ts';

export { SizingError, type SizingResult } from '../emulators/gse/sizing.ts';

/**
 * Options of `fabric-hil topo gse --gpus N [--design three-tier|border|gsp-direct] [--rail]
 * [--oversub 1:K] [--radix N] [--json]`:
 * - `--gpus N`: GPUs to cover (required). Whole PoDs are built, so the capacity may be larger.
 * - `--design`: `three-tier` (default; GSP / GSF-T2 / GSF-T1 planes, GSE-TOPO-1..8), `border`
 *   (GSP / GSF / BORDER per PoD, CORE planes, GSE-TOPO-10) or `gsp-direct` (two-tier PoDs whose
 *   GSPs join the CORE planes, GSE-TOPO-11).
 * - `--rail`: rail-optimised GSF-T2 (GSE-TOPO-9, PoDs up to 32K GPUs); three-tier only. Servers are
 *   rail-attached in every design (port k of a server on GSP k of its SU).
 * - `--oversub 1:K`: oversubscription asked at GSF-T2 -> GSF-T1 (three-tier), BORDER -> CORE (border)
 *   or GSP -> CORE (gsp-direct) (GSE-TOPO-8 recommends 1:7). `K:1` and a bare `K` mean the same.
 *   Default 1:1. The PoD is kept; uplinks are cut to ceil(down / K). The table shows the computed
 *   ratio of every stage, which can differ (ports come in whole numbers; a full plane cuts more).
 * - `--radix N`: ports per switch, all at 400GE (default 128, a 51.2T box).
 * - `--json`: print the SizingResult as JSON instead of the table.
 * A request the model refuses throws SizingError (print its message, exit code 2).
 */
export interface TopoGseOptions {
  gpus: number;
  design?: GseDesign;
  rail?: boolean;
  /** '1:7', '7:1', '7' or the number K. */
  oversub?: string | number;
  radix?: number;
}

/** K from '1:K' (also 'K:1' or 'K'); throws SizingError unless K is a number >= 1. */
export function parseOversub(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?::\s*(\d+(?:\.\d+)?)\s*)?$/.exec(text);
  const [a, b] = m ? [Number(m[1]), m[2] === undefined ? 1 : Number(m[2])] : [NaN, NaN];
  const k = Math.max(a, b) / Math.min(a, b);
  if (!(k >= 1) || !Number.isFinite(k)) throw new SizingError('invalid', `oversub: expected 1:K with K >= 1 (e.g. 1:7), got '${text}'`);
  return k;
}

export function topoGse(opts: TopoGseOptions): SizingResult {
  return sizeGseFabric({
    gpus: opts.gpus,
    design: opts.design,
    railGsfT2: opts.rail,
    oversub: typeof opts.oversub === 'string' ? parseOversub(opts.oversub) : opts.oversub,
    radix: opts.radix,
  });
}

/** A readable report: summary lines, devices per role, the stages, the planes, notes. */
export function formatTopo(r: SizingResult): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const gbps = r.portRateBps / 1e9;
  const title = `GSE ${r.design}${r.railGsfT2 ? ' (rail-optimised GSF-T2)' : ''}: radix ${r.radix} x ${gbps}GE, ${r.attachment} attachment`;
  const lines = [
    title,
    `GPUs      ${n(r.gpusRequested)} requested, ${n(r.gpus)} built in ${n(r.pods)} PoD(s) of ${n(r.gpusPerPod)} (at most ${n(r.maxPods)} PoDs, ${n(r.maxGpus)} GPUs)`,
    `servers   ${n(r.servers)} (${r.gpusPerServer} GPUs, ${r.nicPortsPerServer} NIC ports each)`,
    `modules   ${n(r.sus)} SUs of ${r.gspsPerSu} GSPs (${n(r.gpusPerSu)} GPUs); ${r.susPerPod} SUs, ${r.gspsPerPod} GSPs per PoD; ${r.gspServerPorts} server ports per GSP`,
    '',
    table(
      ['role', 'devices', 'ports used'],
      [
        ...(Object.entries(r.devices) as Array<[GseRole, number]>).map(([role, count]) => [gseRoleName(role), n(count), `${r.portsUsed[role] ?? 0}/${r.radix}`]),
        ['switches', n(r.switches), ''],
      ],
    ),
    '',
    table(
      ['stage', 'links', 'per lower', 'per upper', 'per pair', 'optics', 'oversub'],
      [
        ...r.stages.map((s) => [
          `${gseRoleName(s.lower)} - ${gseRoleName(s.upper)}`,
          n(s.links),
          String(s.linksPerLower),
          String(s.linksPerUpper),
          String(s.linksPerPair),
          n(s.opticalModules),
          s.name === r.oversubStage && r.oversubRequested !== 1 ? `${ratio(s.oversubscription)} (asked ${r.oversubRequested}:1)` : ratio(s.oversubscription),
        ]),
        ['total', n(r.links), '', '', '', n(r.opticalModules), ''],
      ],
    ),
    '',
    planeLine(r),
    'optics    one module per connected port: two per link, NIC ends included',
  ];
  if (r.notes.length) lines.push('', 'notes', ...r.notes.map((x) => `  - ${x}`));
  return lines.join('\n');
}

function planeLine(r: SizingResult): string {
  const p = r.plane;
  const [lower, upper] = [gseRoleName(p.lower), gseRoleName(p.upper)];
  const limit = `non-blocking up to ${p.nonBlockingMaxPods} PoDs (${p.uplinksWanted} uplinks per ${lower}, at most ${p.maxDevicesPerPlane} ${upper} per plane)`;
  if (r.pods === 1) return `planes    none built for one PoD; ${p.planes} planes would be ${limit}`;
  return (
    `planes    ${p.planes.toLocaleString('en-US')} ${upper} planes x ${p.devicesPerPlane}: ${p.portsPerPlane.toLocaleString('en-US')} ports each, ` +
    `${p.portsUsedPerPlane.toLocaleString('en-US')} used, ${p.linksPerPair} link(s) per ${lower}-${upper} pair; ${p.uplinksUsed} uplinks per ${lower}; ${limit}`
  );
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}
