// Defect profiles: named, deliberate spec violations an emulated device can be switched into.
//
// A profile says which device kinds it applies to and which requirements a suite must check to
// catch it (the audit command scores suites by the share of defects caught). Models read the ids
// from `TwinDeviceSpec.defects`; `checkDefects` rejects unknown ids and ids that do not apply to
// the device's kind with a TwinBuildError naming the device. Driver behaviours (e.g. a management
// plane that stops answering) are registered apart: they are accepted on any device but are no
// spec violation, so the audit does not list them.

import { TwinBuildError } from '../twin.ts';

export interface DefectProfile {
  id: string;
  description: string;
  /** Device kinds (model kinds) the defect applies to; `*` for every kind. */
  appliesTo: string[];
  /** Requirement IDs whose checks should catch it. */
  requirements: string[];
}

const profiles = new Map<string, DefectProfile>();
const driverBehaviours = new Map<string, string>();

/** Registers a behaviour a driver serves (not a spec violation; accepted on every device kind). */
export function registerDriverBehaviour(id: string, description: string): void {
  if (profiles.has(id) || driverBehaviours.has(id)) throw new Error(`defect id '${id}' is already registered`);
  driverBehaviours.set(id, description);
}

/** Adds a profile; an id can be registered once. */
export function registerDefect(profile: DefectProfile): void {
  if (profiles.has(profile.id) || driverBehaviours.has(profile.id)) throw new Error(`defect profile '${profile.id}' is already registered`);
  if (profile.appliesTo.length === 0) throw new Error(`defect profile '${profile.id}' applies to no device kind`);
  profiles.set(profile.id, { ...profile, appliesTo: [...profile.appliesTo], requirements: [...profile.requirements] });
}

export function defectProfile(id: string): DefectProfile | undefined {
  const p = profiles.get(id);
  return p === undefined ? undefined : { ...p, appliesTo: [...p.appliesTo], requirements: [...p.requirements] };
}

/** All profiles, sorted by id. */
export function defectProfiles(): DefectProfile[] {
  return [...profiles.keys()].sort().map((id) => defectProfile(id) as DefectProfile);
}

/** Every id a device may list: the profiles and the driver behaviours. */
export function defectIds(): string[] {
  return [...profiles.keys(), ...driverBehaviours.keys()].sort();
}

/** Profiles that apply to a device kind. */
export function defectsForKind(kind: string): DefectProfile[] {
  return defectProfiles().filter((p) => appliesTo(p, kind));
}

function appliesTo(p: DefectProfile, kind: string): boolean {
  return p.appliesTo.includes(kind) || p.appliesTo.includes('*');
}

/** Validates a device's defect list; throws TwinBuildError naming the device. */
export function checkDefects(deviceId: string, kind: string, ids: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const id of ids ?? []) {
    if (driverBehaviours.has(id)) {
      if (!out.includes(id)) out.push(id);
      continue;
    }
    const p = profiles.get(id);
    if (p === undefined) {
      throw new TwinBuildError(`device '${deviceId}': unknown defect profile '${id}'; known profiles: ${defectIds().join(', ')}`);
    }
    if (!appliesTo(p, kind)) {
      throw new TwinBuildError(
        `device '${deviceId}': defect profile '${id}' does not apply to kind '${kind}' (it applies to ${p.appliesTo.join(', ')})`,
      );
    }
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

registerDriverBehaviour(
  'mgmt-unresponsive',
  'The management plane stops answering: state, config and counters requests never complete (served by the emulator driver).',
);

registerDefect({
  id: 'counters-frozen',
  description: 'Port counters never move: octets, packets, discards and errors stay at their initial values.',
  appliesTo: ['switch'],
  requirements: ['RFC2863-ifHCInOctets', 'RFC2863-ifHCOutOctets', 'RFC2863-ifHCInUcastPkts'],
});

registerDefect({
  id: 'link-down-ignored',
  description: 'A link-down on one of its ports is ignored: traffic keeps flowing through it and oper-status stays up.',
  appliesTo: ['switch'],
  requirements: ['RFC2863-ifOperStatus', 'RFC8343-oper-status'],
});

registerDefect({
  id: 'uet-go-back-n',
  description: 'The UET endpoint recovers losses by go-back-N (discards out-of-order packets, resends from the first loss) instead of selective retransmission.',
  appliesTo: ['host', 'traffic-generator'],
  requirements: ['UEC-6'],
});

registerDefect({
  id: 'ecmp-ignores-entropy',
  description: 'The switch hashes only the flow, not the packet entropy: a sprayed flow stays on one path.',
  appliesTo: ['switch'],
  requirements: ['UEC-5'],
});
