// Registers the optics family with the emulator: its defect profiles and the twin extension that puts modules on ports.
//
// Any device whose model has ports may carry modules (param `optics`, fabric.ts). The defect
// profiles apply to switches, the devices the optics suite assesses (a switch without modules
// accepts them and nothing changes). Hosts and traffic generators are left out on purpose: the
// audit switches every emulated device of a listed kind into a profile, and it cannot yet do so
// for devices of generated fabrics (their binding override would lack a driver).
import { registerTwinExtension } from '../build.ts';
import { registerDefect } from '../defects/registry.ts';
import { OPTICS_DEFECTS } from './defects.ts';
import { attachOptics } from './fabric.ts';

/** Kinds whose modules (and ELS) can be switched into the optics defect profiles. */
export const OPTICS_DEFECT_KINDS = ['switch'] as const;

for (const d of OPTICS_DEFECTS) {
  registerDefect({ id: d.id, description: d.description, appliesTo: [...OPTICS_DEFECT_KINDS], requirements: [...d.requirements] });
}

registerTwinExtension('optics', attachOptics);
