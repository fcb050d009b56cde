// Testbed-wide optics rules: modules on every link that declares none, chosen by the link's rate and length.
//
//   topology:
//     optics:                          first rule that fits a link wins
//       - { rateBps: 800000000000, minKm: 10, profile: coherent-800g-zr-plus }
//       - { rateBps: 800000000000, profile: conventional-800g-dr8 }
//
// A rule fits a link whose rate (default 100 Gb/s) equals `rateBps` and whose fibre length
// (default 2 m) lies in [minKm, maxKm] (defaults 0 and no bound). For each link:
// - neither end names a module (the device's `optics.ports.<port>` or `optics.default`): both ends
//   get the fitting rule's profile, and a link no rule fits is a problem naming the link;
// - one end names a module (or `null`, no module): the other end gets the same, as a cable needs
//   the same optics at both ends;
// - both ends name theirs: the link is left as written (the twin checks they match).
// A rule's profile must exist and run at the rule's rate. Without `topology.optics` nothing changes.
import { DEFAULT_LINK_LENGTH_KM, DEFAULT_LINK_RATE_BPS } from '../emulators/build.ts';
import { OPTICS_PROFILES } from '../emulators/optics/profiles.ts';
import type { Testbed, TestbedDevice } from './testbed.ts';

export interface OpticsRule {
  rateBps: number;
  profile: string;
  minKm?: number;
  maxKm?: number;
}

export type ProblemSink = (path: (string | number)[], message: string) => void;

type Explicit = string | null | undefined;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The module the device's own params put in `port`: a profile id, null (none), or undefined (not said). */
function explicitModule(d: TestbedDevice, port: string): Explicit {
  const o = d.params.optics;
  if (!isObject(o)) return undefined;
  if (isObject(o.ports) && port in o.ports) {
    const v = o.ports[port];
    return typeof v === 'string' || v === null ? v : undefined;
  }
  return typeof o.default === 'string' ? o.default : undefined;
}

function setModule(d: TestbedDevice, port: string, profile: string | null): void {
  const o = isObject(d.params.optics) ? d.params.optics : {};
  const ports = isObject(o.ports) ? o.ports : {};
  // New objects all the way down: YAML anchors share params between devices.
  d.params = { ...d.params, optics: { ...o, ports: { ...ports, [port]: profile } } };
}

/** Checks the rules (problems at topology.optics[i]); returns the usable ones. */
function checkRules(raw: unknown[], report: ProblemSink): OpticsRule[] {
  const ok: OpticsRule[] = [];
  const known = Object.keys(OPTICS_PROFILES);
  raw.forEach((r, i) => {
    if (!isObject(r) || typeof r.rateBps !== 'number' || typeof r.profile !== 'string') return; // the schema reported it
    const p = OPTICS_PROFILES[r.profile];
    if (!p) {
      report(['topology', 'optics', i, 'profile'], `unknown optics profile '${r.profile}' (profiles: ${known.join(', ')})`);
      return;
    }
    if (p.rateGbps * 1e9 !== r.rateBps) {
      report(['topology', 'optics', i, 'rateBps'], `profile '${p.id}' runs at ${p.rateGbps} Gb/s: expected rateBps ${p.rateGbps * 1e9}, got ${r.rateBps}`);
      return;
    }
    const minKm = typeof r.minKm === 'number' ? r.minKm : undefined;
    const maxKm = typeof r.maxKm === 'number' ? r.maxKm : undefined;
    if (minKm !== undefined && maxKm !== undefined && maxKm < minKm) {
      report(['topology', 'optics', i, 'maxKm'], `expected maxKm >= minKm (${minKm}), got ${maxKm}`);
      return;
    }
    ok.push({ rateBps: r.rateBps, profile: r.profile, ...(minKm !== undefined ? { minKm } : {}), ...(maxKm !== undefined ? { maxKm } : {}) });
  });
  return ok;
}

/** Puts modules on the testbed's links by `rules` (topology.optics); problems go to `report`. */
export function applyOpticsRules(rawRules: unknown, tb: Testbed, report: ProblemSink): void {
  if (!Array.isArray(rawRules) || rawRules.length === 0) return;
  const rules = checkRules(rawRules, report);
  if (rules.length !== rawRules.length) return; // fix the rules first
  const byId = new Map(tb.devices.map((d) => [d.id, d]));
  const unmatched: string[] = [];
  for (const l of tb.links) {
    const a = byId.get(l.a.device)!;
    const b = byId.get(l.b.device)!;
    const ea = explicitModule(a, l.a.port);
    const eb = explicitModule(b, l.b.port);
    if (ea !== undefined && eb !== undefined) continue;
    if (ea !== undefined) setModule(b, l.b.port, ea);
    else if (eb !== undefined) setModule(a, l.a.port, eb);
    else {
      const rate = l.rateBps ?? DEFAULT_LINK_RATE_BPS;
      const km = l.lengthKm ?? DEFAULT_LINK_LENGTH_KM;
      const rule = rules.find((r) => r.rateBps === rate && km >= (r.minKm ?? 0) && km <= (r.maxKm ?? Infinity));
      if (!rule) {
        unmatched.push(`${l.a.device}:${l.a.port} - ${l.b.device}:${l.b.port} (${rate / 1e9} Gb/s, ${km} km)`);
        continue;
      }
      setModule(a, l.a.port, rule.profile);
      setModule(b, l.b.port, rule.profile);
    }
  }
  if (unmatched.length > 0) {
    const shown = unmatched.length <= 3 ? unmatched.join('; ') : `${unmatched.slice(0, 3).join('; ')} and ${unmatched.length - 3} more`;
    report(['topology', 'optics'], `no rule fits ${unmatched.length === 1 ? 'link' : `${unmatched.length} links`} ${shown}: expected a rule with the link's rateBps and a minKm..maxKm range holding its length`);
  }
}
