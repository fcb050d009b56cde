// An emulated external laser source (ELSFP): CW lanes that light CPO ports, with CMIS pages 1Ah/1Bh; a failure darkens exactly the ports it feeds.
//
// Guarantees: a port is lit while the lane feeding it is enabled (page 1Ah byte 220) and not
// failed; every change of a lane tells the ports it feeds (OpticalModule.laserChanged) at once. A
// lane failing latches its fault flag (1Ah byte 166), and an enabled lane going dark its low-power
// alarm (191); fault code 1 (APC loop failure) shows while it is failed. The memory follows
// protocols/cmis/els.ts. Assumed: identifier 0x19 (the ELSFP housing is OSFP-like; we found no
// SFF-8024 ELSFP identifier), one bank of up to 8 lanes, 229 THz (1310 nm) lanes, 250 mA and
// 100 mW per lane at nominal. The ELS has no state machine here: it is always ModuleReady.
import type { Rng } from '../sim/rng.ts';
import {
  CMIS_IDENTIFIER,
  CMIS_LOWER as L,
  CMIS_MODULE_STATE,
  ELS_LANE_STATE,
  ELS_PAGE1A as A,
  ELS_PAGE1B as B,
  CmisIdentity,
  CmisLowerView,
  CmisMemory,
  CmisUpper00View,
  ElsPage1AView,
  ElsPage1BView,
  cmisPowerClassForWatts,
} from '../../protocols/cmis/index.ts';
import { OPTICS_DEFECT, checkOpticsDefects, type OpticsDefectId } from './defects.ts';
import type { LaserSupply, OpticalModule } from './module.ts';

export interface ExternalLaserSourceOptions {
  id: string;
  /** A stream of its own (e.g. `rng.fork(id)`): serial number and monitor noise. */
  rng: Rng;
  /** 1..8, default 8. */
  lanes?: number;
  /** Nominal CW power per lane, mW; default 100. */
  lanePowerMw?: number;
  defects?: readonly string[];
}

const BIAS_MA = 250;
const FREQUENCY_5GHZ = 45_800;

export class ExternalLaserSource implements LaserSupply {
  readonly id: string;
  readonly lanes: number;
  readonly memory: CmisMemory;
  readonly defects: ReadonlySet<OpticsDefectId>;
  private readonly rng: Rng;
  private readonly lanePowerMw: number;
  private readonly p1a: ElsPage1AView;
  private readonly p1b: ElsPage1BView;
  private readonly feeds = new Map<OpticalModule, number>();
  private readonly failed = new Set<number>();
  private lastDark = 0;
  private lastFault = 0;

  constructor(o: ExternalLaserSourceOptions) {
    this.id = o.id;
    this.lanes = o.lanes ?? 8;
    if (!Number.isInteger(this.lanes) || this.lanes < 1 || this.lanes > 8) throw new RangeError(`ELS '${o.id}': ${this.lanes} lanes, must be 1..8`);
    this.rng = o.rng;
    this.lanePowerMw = o.lanePowerMw ?? 100;
    this.defects = checkOpticsDefects(o.id, 'els', o.defects);
    this.memory = new CmisMemory({
      pages: [0x01, 0x02, 0x1a, 0x1b],
      listener: {
        beforeRead: () => this.refresh(),
        afterWrite: (_bank, page, offset, data) => {
          if (page === 0x1a && offset <= A.LANE_ENABLE.at && A.LANE_ENABLE.at < offset + data.length) this.changed();
        },
      },
    });
    this.p1a = ElsPage1AView.unchecked(this.memory.upperPage(0, 0x1a));
    this.p1b = ElsPage1BView.unchecked(this.memory.upperPage(0, 0x1b));
    this.writeAdministrative();
    this.refresh();
  }

  /** Lights `ports` from `lane` (1-based). */
  feed(lane: number, ...ports: OpticalModule[]): void {
    if (!Number.isInteger(lane) || lane < 1 || lane > this.lanes) throw new RangeError(`ELS '${this.id}': no lane ${lane}`);
    for (const p of ports) {
      this.feeds.set(p, lane);
      p.setLaserSupply(this);
    }
  }
  /** Ids of the ports `lane` feeds, in the order they were fed. */
  portsFedBy(lane: number): string[] {
    return [...this.feeds].filter(([, l]) => l === lane).map(([p]) => p.id);
  }
  lightFraction(port: OpticalModule): number {
    const lane = this.feeds.get(port);
    return lane !== undefined && this.lit(lane) ? 1 : 0;
  }
  /** Fails one lane, or the whole unit. */
  fail(lane?: number): void {
    for (const l of lane === undefined ? this.allLanes() : [lane]) this.failed.add(l);
    this.changed();
  }
  repair(lane?: number): void {
    for (const l of lane === undefined ? this.allLanes() : [lane]) this.failed.delete(l);
    this.changed();
  }

  private allLanes(): number[] {
    return Array.from({ length: this.lanes }, (_, i) => i + 1);
  }
  /** The defect shifts a failure to the next lane. */
  private dark(lane: number): boolean {
    const source = this.defects.has(OPTICS_DEFECT.ELS_WRONG_PORTS) ? ((lane + this.lanes - 2) % this.lanes) + 1 : lane;
    return this.failed.has(source);
  }
  private lit(lane: number): boolean {
    return this.p1a.get(A.LANE_ENABLE, lane) === 1 && !this.dark(lane);
  }
  private changed(): void {
    this.refresh();
    for (const port of this.feeds.keys()) port.laserChanged();
  }
  private refresh(): void {
    let lowPower = 0;
    let fault = 0;
    for (const l of this.allLanes()) {
      const on = this.lit(l);
      this.p1a.set(A.LANE_STATE, on ? ELS_LANE_STATE.ON : ELS_LANE_STATE.OFF, l);
      this.p1b.set(B.POWER_MONITOR, on ? Math.round(this.lanePowerMw * 100 * (1 + (this.rng.next() - 0.5) * 0.01)) : 0, l);
      this.p1b.set(B.BIAS_MONITOR, on ? BIAS_MA * 10 : 0, l);
      this.p1b.set(B.VOLTAGE_MONITOR, 220, l);
      this.p1a.set(A.FAULT_WARN_CODE, this.failed.has(l) ? 1 : 0, l);
      if (this.failed.has(l)) fault |= 1 << (l - 1);
      if (this.p1a.get(A.LANE_ENABLE, l) === 1 && !on) lowPower |= 1 << (l - 1);
    }
    // Flags latch on the rising edge of their condition (a failed lane; an enabled lane left dark).
    this.p1a.setMask(A.LANE_FAULT_FLAGS, this.p1a.getMask(A.LANE_FAULT_FLAGS) | (fault & ~this.lastFault));
    this.p1a.setMask(A.LOW_POWER_ALARM, this.p1a.getMask(A.LOW_POWER_ALARM) | (lowPower & ~this.lastDark));
    this.lastFault = fault;
    this.lastDark = lowPower;
    this.p1a.set(A.LANE_SUMMARY_FAULT, this.failed.size > 0 ? 1 : 0);
    const lit = this.allLanes().filter((l) => this.lit(l)).length;
    this.p1b.set(B.ICC_MONITOR, Math.round((0.2 + 0.3 * lit) / 200e-6));
  }
  private writeAdministrative(): void {
    const lower = CmisLowerView.unchecked(this.memory.lowerPage());
    lower.set(L.IDENTIFIER, CMIS_IDENTIFIER.OSFP);
    lower.set(L.REVISION, 0x50);
    lower.set(L.MODULE_STATE, CMIS_MODULE_STATE.READY);
    const powerW = 1 + 1.5 * this.lanes;
    new CmisIdentity({
      identifier: CMIS_IDENTIFIER.OSFP,
      vendorName: 'FABRIC-HIL',
      vendorOui: [0, 0, 0],
      partNumber: 'FH-ELSFP',
      vendorRev: 'A0',
      serialNumber: `FE${this.rng.nextU32().toString(16).toUpperCase().padStart(8, '0')}`,
      dateCode: '26030100',
      powerClass: cmisPowerClassForWatts(powerW),
      maxPowerW: Math.ceil(powerW * 4) / 4,
      connector: 0x0c,
      mediaTech: 0x08,
    }).emit(CmisUpper00View.unchecked(this.memory.upperPage(0, 0)));
    const mw10 = (f: number) => Math.round(this.lanePowerMw * f * 100);
    const a = this.p1a;
    a.set(A.MAX_OPTICAL_POWER, mw10(1.2));
    a.set(A.MIN_OPTICAL_POWER, mw10(0.5));
    a.set(A.MAX_LASER_BIAS, 4000);
    a.set(A.MIN_LASER_BIAS, 1000);
    a.set(A.CONTROL_MODE, 1);
    a.set(A.LANE_COUNT, this.lanes);
    [3800, 1200, 3500, 1500].forEach((v, i) => a.set([A.BIAS_HIGH_ALARM, A.BIAS_LOW_ALARM, A.BIAS_HIGH_WARN, A.BIAS_LOW_WARN][i], v));
    [1.15, 0.5, 1.1, 0.7].forEach((f, i) => a.set([A.POWER_HIGH_ALARM, A.POWER_LOW_ALARM, A.POWER_HIGH_WARN, A.POWER_LOW_WARN][i], mw10(f)));
    for (const l of this.allLanes()) {
      a.set(A.LANE_ENABLE, 1, l);
      a.set(A.LANE_TO_FIBER, l, l);
      a.set(A.LANE_FREQUENCY, FREQUENCY_5GHZ, l);
      this.p1b.set(B.BIAS_SETPOINT, BIAS_MA * 10, l);
      this.p1b.set(B.POWER_SETPOINT, mw10(1), l);
    }
    a.set(A.FIBER_CHECK_POWER, 1);
  }
}
