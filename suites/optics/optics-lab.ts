// Shared steps of the optics suite: find the device whose ports carry modules, read and write CMIS pages through its `cmis` capability, wait on module state.
//
// What the suite needs of a testbed: a device (kind `switch`) whose state answers `/optics/ports`
// with the modules in its ports (technology, far end `device:port`, fibre length, electrical
// draw) and `/optics/els` for the external laser sources of CPO ports, plus `cmis` to reach each
// module's memory (on gear: a console bridge per module, drivers/serial). The far ends are
// modules too, in a device reachable the same way. Without these the tests are blocked.
import type { Lab } from '../../harness/suite.ts';
import {
  CmisLowerView,
  CmisPage01View,
  CmisPage02View,
  CmisPage10View,
  CmisPage11View,
  CmisThresholds,
  CmisUpper00View,
} from '../../protocols/cmis/index.ts';

export type OpticsTechnology = 'conventional' | 'lpo' | 'lro' | 'npo' | 'cpo';

/** One port's module as the device reports it (`/optics/port[name=P]`). */
export interface OpticsPort {
  name: string;
  profile: string;
  technology: OpticsTechnology;
  rateGbps: number;
  peer: string | null;
  lengthM: number | null;
  powerDrawW: number;
  els: { id: string; lane: number } | null;
}

export interface OpticsEls {
  id: string;
  lanes: Array<{ lane: number; ports: string[] }>;
}

/** Reach limits of the seed facts: LPO and LRO < 500 m (OPT-3, OPT-4), NPO and CPO < 2 km (OPT-5, OPT-8). */
export const REACH_LIMIT_M: Partial<Record<OpticsTechnology, number>> = { lpo: 500, lro: 500, npo: 2000, cpo: 2000 };

type Caps = 'cmis' | 'state' | 'counters' | 'faults';

/** A device with modules in its ports, and the memory pages of each module as a host reads them. */
export class OpticsDevice {
  constructor(
    readonly lab: Lab,
    readonly device: Awaited<ReturnType<typeof requireOpticsSwitch>>['device'],
    readonly ports: OpticsPort[],
  ) {}

  get id(): string {
    return this.device.id;
  }

  port(name: string): OpticsPort {
    const p = this.ports.find((x) => x.name === name);
    if (!p) throw new Error(`${this.id} has no module in ${name}`);
    return p;
  }

  /** Host reads (monitors refreshed, latched flags in range cleared). */
  lower(port: string) {
    return this.device.cmis.read(port, 0, 0, 0, 128).then((b) => CmisLowerView.checked(b));
  }
  upper00(port: string) {
    return this.device.cmis.read(port, 0, 0, 128, 128).then((b) => CmisUpper00View.checked(b));
  }
  page01(port: string) {
    return this.device.cmis.read(port, 0, 0x01, 128, 128).then((b) => CmisPage01View.checked(b));
  }
  async thresholds(port: string): Promise<CmisThresholds> {
    const multiplier = (await this.page01(port)).biasMultiplier;
    return CmisThresholds.parse(CmisPage02View.checked(await this.device.cmis.read(port, 0, 0x02, 128, 128)), multiplier);
  }
  page10(port: string) {
    return this.device.cmis.read(port, 0, 0x10, 128, 128).then((b) => CmisPage10View.checked(b));
  }
  page11(port: string) {
    return this.device.cmis.read(port, 0, 0x11, 128, 128).then((b) => CmisPage11View.checked(b));
  }
  /** Page 11h bytes 128-133 and 154-255 only: states, monitors and status without clearing any flag. */
  async page11NoFlags(port: string): Promise<CmisPage11View> {
    const buf = new Uint8Array(128);
    buf.set(await this.device.cmis.read(port, 0, 0x11, 128, 6), 0);
    buf.set(await this.device.cmis.read(port, 0, 0x11, 154, 102), 26);
    return CmisPage11View.checked(buf);
  }
  /** Module state (lower byte 3) without touching any flag. */
  async moduleState(port: string): Promise<number> {
    const [b] = await this.device.cmis.read(port, 0, 0, 3, 1);
    return ((b as number) >> 1) & 7;
  }
  write(port: string, page: number, offset: number, ...bytes: number[]): Promise<void> {
    return this.device.cmis.write(port, 0, page, offset, Uint8Array.from(bytes));
  }
  operStatus(port: string): Promise<unknown> {
    return this.device.state.get(`/interfaces/interface[name=${port}]/oper-status`);
  }
}

/**
 * The `switch` whose state lists the most modules in its ports (the first of equals), with
 * `cmis`, `state`, `counters` and `faults`; blocked when the testbed has none.
 */
export async function requireOpticsSwitch(lab: Lab) {
  let best: { id: string; ports: OpticsPort[] } | undefined;
  for (const d of lab.devices('switch')) {
    if (!d.state || !d.cmis) continue;
    const ports = (await d.state.get('/optics/ports')) as OpticsPort[] | undefined;
    if (Array.isArray(ports) && ports.length > (best?.ports.length ?? 0)) best = { id: d.id, ports };
  }
  if (!best) return lab.block(`testbed ${lab.testbedName} has no switch that reports modules in its ports (/optics/ports) and offers cmis`);
  return { device: lab.requireDevice<Caps>(best.id, ['cmis', 'state', 'counters', 'faults']), ports: best.ports };
}

export async function opticsSwitch(lab: Lab): Promise<OpticsDevice> {
  const { device, ports } = await requireOpticsSwitch(lab);
  return new OpticsDevice(lab, device, ports);
}

/** The device at the far end of `port` (`device:port` from the module's state), as an OpticsDevice. */
export async function farEnd(lab: Lab, near: OpticsDevice, port: string): Promise<{ far: OpticsDevice; farPort: string }> {
  const peer = near.port(port).peer;
  if (peer === null) return lab.block(`${near.id}:${port} is not cabled`);
  const sep = peer.lastIndexOf(':');
  const id = peer.slice(0, sep);
  const farPort = peer.slice(sep + 1);
  const d = lab.requireDevice<Caps>(id, ['cmis', 'state', 'counters', 'faults']);
  const ports = (await d.state.get('/optics/ports')) as OpticsPort[] | undefined;
  if (!Array.isArray(ports)) return lab.block(`${id} does not report the modules in its ports (/optics/ports)`);
  return { far: new OpticsDevice(lab, d, ports), farPort };
}

/**
 * Ports of `dev` with a cabled module of `technology`, in port order, optionally only those
 * within `maxM` of fibre. `need` of them or the test is blocked.
 */
export function portsOf(lab: Lab, dev: OpticsDevice, technology: OpticsTechnology | 'any', need = 1, maxM = Infinity): OpticsPort[] {
  const ports = dev.ports.filter((p) => (technology === 'any' || p.technology === technology) && p.peer !== null && (p.lengthM ?? 0) <= maxM);
  if (ports.length < need) {
    lab.block(`${dev.id} has ${ports.length} cabled ${technology} module(s)${maxM < Infinity ? ` within ${maxM} m` : ''}; the test needs ${need}`);
  }
  return ports;
}

/** Lanes of a mask (bit n = lane n + 1). */
export const lanesOfMask = (mask: number): number[] => [1, 2, 3, 4, 5, 6, 7, 8].filter((l) => (mask >> (l - 1)) & 1);
export const maskOfLanes = (lanes: readonly number[]): number => lanes.reduce((m, l) => m | (1 << (l - 1)), 0);
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
