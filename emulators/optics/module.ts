// An emulated CMIS 5.x optical module on virtual time: module and data-path state machines, monitors, latched flags, link optics.
//
// Guarantees: time comes only from the EventList and randomness only from the Rng (per-lane spread
// at construction, measurement noise at each monitor update), so one seed and one sequence of host
// actions give one sequence of memory images. The host reaches the module through `memory` (a
// CmisMemory: a read first refreshes the monitors and then clears the latched flags it returned; a
// write to a control acts at once) and through the LPMode input (`setLpMode`).
//
// Where CMIS 5 leaves room (or where we could not read it), the model chooses, and tests pin:
// - after insertion LowPwrAllowRequestHW = 1, LowPwrRequestSW = 0, DataPathDeinit = 0 and the
//   staged and active control sets select ApSel 1 on every data path it fits: an untouched module
//   comes up to DPActivated;
// - a flag latches on the rising edge of its condition and stays set until read;
// - a data path whose media lanes are all Tx-disabled leaves DPActivated through DPTxTurnOff to
//   DPInitialized and comes back through DPTxTurnOn (our reading of DPDeactivateS); a disabled
//   lane of a data path that stays activated is simply dark;
// - config status: ApSel not advertised -> 3; first lane not allowed or lanes not those of the
//   application -> 4; ApplyDPInit on part of the data path's lanes -> 7; ApplyDPInit while the data
//   path is not DPDeactivated -> 6 (ApplyImmediate re-initialises it instead). The staged values
//   and the lanes in use are taken when the host applies; the result shows after `configMs`;
// - the case temperature approaches ambient + 30 degC x (draw / full-load draw) with a 10 s time
//   constant; Vcc droops 4 mV per W (assumed). Monitors are recomputed when read and before every
//   change of draw or light, so a latched flag catches every peak;
// - a `warm` module was inserted long before time zero: it starts in ModuleReady with every data
//   path DPActivated, its case temperature settled and its latched flags already read (no event is
//   scheduled), as the modules of a running fabric; `clearLatchedFlags` reads them again after
//   cabling. A failed laser (`setLaserFailed`) darkens every lane and raises Tx fault.
import { PS_PER_MS, PS_PER_S, type EventList, type EventSource } from '../sim/eventlist.ts';
import type { Rng } from '../sim/rng.ts';
import {
  CMIS_CONFIG_STATUS as CS,
  CMIS_DP_STATE as DP,
  CMIS_LANE_FLAGS,
  CMIS_LOWER as L,
  CMIS_MEDIA_TYPE,
  CMIS_MODULE_STATE as MS,
  CMIS_PAGE01 as P01,
  CMIS_PAGE10 as P10,
  CMIS_PAGE11 as P11,
  CMIS_UPPER00,
  CmisApplication,
  CmisIdentity,
  CmisLowerView,
  CmisMemory,
  CmisPage01View,
  CmisPage02View,
  CmisPage10View,
  CmisPage11View,
  CmisThresholds,
  CmisUpper00View,
  cmisApSelEncode,
  cmisDurationCode,
  cmisPowerClassForWatts,
  cmisPowerRaw,
  cmisBiasRaw,
  cmisTemperatureRaw,
  cmisVccRaw,
  dbmToMw,
  mwToDbm,
  type CmisApSel,
  type CmisField,
  type CmisPageView,
  type CmisThresholdSet,
} from '../../protocols/cmis/index.ts';
import { OPTICS_DEFECT as D, checkOpticsDefects, type OpticsDefectId } from './defects.ts';
import { lineLossDb, linkQuality, type LinkQuality, type OpticalEnd } from './link.ts';
import type { OpticsProfile } from './profiles.ts';

const THERMAL_TAU_S = 10;
const CASE_RISE_AT_FULL_LOAD_C = 30;
const VCC_NOMINAL_V = 3.3;
const VCC_DROOP_V_PER_W = 0.004;

/** Where a CPO port gets its light (an ExternalLaserSource). */
export interface LaserSupply {
  /** Share of the nominal light the port receives now: 0 when dark, 1 when lit. */
  lightFraction(port: OpticalModule): number;
}

export interface OpticalModuleOptions {
  id: string;
  profile: OpticsProfile;
  events: EventList;
  /** A stream of its own (e.g. `rng.fork(id)`). */
  rng: Rng;
  defects?: readonly string[];
  vendorName?: string;
  /** Default 35 degC. */
  ambientC?: number;
  /** The hardware LPMode input at insertion; default deasserted. */
  lpMode?: boolean;
  /** Inserted long ago: ModuleReady, data paths DPActivated, temperature settled, flags read. */
  warm?: boolean;
}

interface DataPath {
  /** Host lanes, 1-based; the first is the DataPathID + 1. */
  lanes: number[];
  /** Media lanes it drives, 1-based. */
  media: number[];
  apSel: number;
  state: number;
  /** Bumped to cancel a pending transition. */
  gen: number;
  busy: boolean;
}

interface Reported {
  tempC: number;
  vccV: number;
  tx: number[];
  bias: number[];
  rx: number[];
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const maskOf = (lanes: readonly number[]) => lanes.reduce((m, l) => m | (1 << (l - 1)), 0);
const lanesOf = (mask: number) => range(8).filter((l) => (mask >> (l - 1)) & 1);

/** High alarm, low alarm, high warning, low warning as bits 0-3 (the flag order of CMIS). */
function crossings(v: number, t: CmisThresholdSet): number {
  return (v > t.highAlarm ? 1 : 0) | (v < t.lowAlarm ? 2 : 0) | (v > t.highWarn ? 4 : 0) | (v < t.lowWarn ? 8 : 0);
}

export class OpticalModule implements EventSource, OpticalEnd {
  simId?: number;
  readonly id: string;
  readonly profile: OpticsProfile;
  readonly memory: CmisMemory;
  readonly defects: ReadonlySet<OpticsDefectId>;
  private readonly events: EventList;
  private readonly rng: Rng;
  private readonly lower: CmisLowerView;
  private readonly p10: CmisPage10View;
  private readonly p11: CmisPage11View;
  private readonly thresholds: CmisThresholds;
  private readonly txNominalMw: number[];
  private readonly biasNominalMa: number[];

  private state: number = MS.LOW_PWR;
  private stateGen = 0;
  private lpMode: boolean;
  private dps: DataPath[] = [];
  private far: { peer: OpticalModule; lengthM: number; lossFactor: number } | undefined;
  private laser: LaserSupply | undefined;
  private ambientC: number;
  private tempC: number;
  private tempAtPs: number;
  private reported: Reported | undefined;
  private readonly lastCondition = new Map<string, number>();
  private agenda: Array<{ atPs: number; seq: number; run: () => void }> = [];
  private laserFailed = false;
  /** Told after every change of what the module launches or receives (the fabric's link model listens). */
  onOutputsChanged: (() => void) | undefined;
  private wakes: number[] = [];
  private seq = 0;

  constructor(o: OpticalModuleOptions) {
    this.id = o.id;
    this.profile = o.profile;
    this.events = o.events;
    this.rng = o.rng;
    this.defects = checkOpticsDefects(o.id, 'optical-module', o.defects);
    this.lpMode = o.lpMode ?? false;
    this.ambientC = this.tempC = o.ambientC ?? 35;
    this.tempAtPs = o.events.nowPs;
    this.memory = new CmisMemory({
      pages: [0x01, 0x02, 0x10, 0x11],
      listener: { beforeRead: () => this.refresh(), afterWrite: (bank, page, offset, data) => this.onHostWrite(bank, page, offset, data.length) },
    });
    this.lower = CmisLowerView.unchecked(this.memory.lowerPage());
    this.p10 = CmisPage10View.unchecked(this.memory.upperPage(0, 0x10));
    this.p11 = CmisPage11View.unchecked(this.memory.upperPage(0, 0x11));
    const spread = () => this.rng.next() * 2 - 1;
    this.txNominalMw = range(o.profile.mediaLanes).map(() => dbmToMw(o.profile.txPowerDbm + 0.5 * spread()));
    this.biasNominalMa = range(o.profile.mediaLanes).map(() => o.profile.biasMa * (1 + 0.05 * spread()));
    this.thresholds = this.defaultThresholds();
    this.writeAdministrative(o.vendorName ?? 'FABRIC-HIL', `FH${this.rng.nextU32().toString(16).toUpperCase().padStart(8, '0')}`);
    this.writeDefaults();
    if (o.warm) this.startWarm();
    else this.setModuleState(MS.LOW_PWR);
  }

  // ---- observation (the model's truth, not what the memory reports) ----

  get moduleState(): number {
    return this.state;
  }
  /** State of host lane `lane` (1-based); DPDeactivated for a lane of no data path. */
  dpState(lane: number): number {
    return this.dpOfHost(lane)?.state ?? DP.DEACTIVATED;
  }
  /** Optical power leaving media lane `lane`, mW. */
  txOutputMw(lane: number): number {
    if (!this.txIntended(lane) || this.laserFailed) return 0;
    const light = this.profile.needsEls ? (this.laser?.lightFraction(this) ?? 0) : 1;
    return (this.txNominalMw[lane - 1] ?? 0) * light;
  }
  /** Optical power arriving on media lane `lane` from the far end, mW. */
  rxInputMw(lane: number): number {
    return this.far ? this.far.peer.txOutputMw(lane) * this.far.lossFactor : 0;
  }
  /** Mean launch power over the media lanes, dBm (the floor when dark). */
  launchPowerDbm(): number {
    return mwToDbm(range(this.profile.mediaLanes).reduce((s, l) => s + this.txOutputMw(l), 0) / this.profile.mediaLanes);
  }
  get temperatureC(): number {
    this.advanceThermal();
    return this.tempC;
  }
  /** Electrical draw now, W. */
  powerDrawW(): number {
    const p = this.profile.powerW;
    if (this.state === MS.LOW_PWR || this.state === MS.FAULT) return Math.min(1.5, 0.1 * p);
    if (this.state !== MS.READY) return 0.5 * p;
    const busy = this.dps.filter((d) => d.state !== DP.DEACTIVATED).reduce((n, d) => n + d.lanes.length, 0);
    return 0.5 * p + (0.5 * p * busy) / this.profile.hostLanes;
  }
  /** The far end and fibre length, when connected. */
  get link(): { peer: OpticalModule; lengthM: number } | undefined {
    return this.far && { peer: this.far.peer, lengthM: this.far.lengthM };
  }
  /** Quality of the link to the far end with what both ends launch now. */
  linkQuality(): LinkQuality | undefined {
    return this.far && linkQuality(this, this.far.peer, this.far.lengthM);
  }

  // ---- the world around the module ----

  /** The hardware LPMode input (LowPwrRequestHW); honoured while LowPwrAllowRequestHW is set. */
  setLpMode(asserted: boolean): void {
    this.lpMode = asserted;
    this.evaluateModule();
  }
  setAmbientC(c: number): void {
    this.refresh();
    this.ambientC = c;
    this.refresh();
  }
  /** Enters ModuleFault with `cause` in lower page byte 41 (CMIS_FAULT_CAUSE); only reset() leaves it. */
  injectFault(cause: number): void {
    this.lower.set(L.FAULT_CAUSE, cause);
    this.setModuleState(MS.FAULT);
  }
  /** Reset (the ResetL input or SoftwareReset): controls back to their defaults, then ModuleLowPwr. */
  reset(): void {
    this.writeDefaults();
    this.lower.set(L.FAULT_CAUSE, 0);
    this.setModuleState(MS.LOW_PWR);
  }
  /** Connects media lane i of both modules through `lengthM` of fibre (replacing earlier links). */
  connect(peer: OpticalModule, lengthM: number): void {
    this.disconnect();
    peer.disconnect();
    const lossFactor = 10 ** (-lineLossDb(lengthM, this.profile, peer.profile) / 10);
    this.far = { peer, lengthM, lossFactor };
    peer.far = { peer: this, lengthM, lossFactor };
    this.farEndChanged();
    peer.farEndChanged();
  }
  disconnect(): void {
    const peer = this.far?.peer;
    this.far = undefined;
    if (peer) {
      peer.far = undefined;
      peer.farEndChanged();
    }
    this.farEndChanged();
  }
  /** CPO: the laser source lighting this port (ExternalLaserSource.feed calls it). */
  setLaserSupply(supply: LaserSupply | undefined): void {
    this.laser = supply;
    this.laserChanged();
  }
  /** Called by the laser source when the light it delivers changes. */
  laserChanged(): void {
    this.outputsChanged();
  }
  /** Called by the far end when what it launches changes. */
  farEndChanged(): void {
    this.refresh();
  }
  /** A laser failure (or its repair): every lane goes dark while failed, with Tx fault raised. */
  setLaserFailed(failed: boolean): void {
    if (failed === this.laserFailed) return;
    this.refresh();
    this.laserFailed = failed;
    this.outputsChanged();
  }
  /** Reads the latched flags as a host would (clearing them), e.g. after the fabric is cabled. */
  clearLatchedFlags(): void {
    this.memory.read(0, 0, 0, 128);
    this.memory.read(0, 0x11, 128, 128);
  }
  /** The state of a module that has been running for a long time (see the module doc). */
  private startWarm(): void {
    this.state = MS.READY;
    this.lower.set(L.MODULE_STATE, MS.READY);
    for (const dp of this.dps) {
      dp.state = DP.ACTIVATED;
      for (const l of dp.lanes) this.p11.set(P11.DP_STATE, DP.ACTIVATED, l);
    }
    this.tempC = this.ambientC + (this.powerDrawW() * CASE_RISE_AT_FULL_LOAD_C) / this.profile.powerW;
    this.tempAtPs = this.events.nowPs;
    this.refresh();
    this.clearLatchedFlags();
  }

  // ---- event scheduling: one pending wake per distinct time, an agenda of closures ----

  onEvent(): void {
    const now = this.events.nowPs;
    const i = this.wakes.indexOf(now);
    if (i >= 0) this.wakes.splice(i, 1);
    while (this.agenda.length && this.agenda[0].atPs <= now) (this.agenda.shift() as (typeof this.agenda)[0]).run();
    if (this.agenda.length) this.wakeAt(this.agenda[0].atPs);
  }
  private after(ms: number, run: () => void): void {
    const atPs = this.events.nowPs + Math.round(ms * PS_PER_MS);
    this.agenda.push({ atPs, seq: this.seq++, run });
    this.agenda.sort((a, b) => a.atPs - b.atPs || a.seq - b.seq);
    this.wakeAt(atPs);
  }
  private wakeAt(atPs: number): void {
    if (this.wakes.some((t) => t <= atPs)) return;
    this.wakes.push(atPs);
    this.events.schedule(atPs, this);
  }

  // ---- module state machine ----

  private lowPwrS(): boolean {
    return this.lower.get(L.LOW_PWR_REQUEST_SW) === 1 || (this.lower.get(L.LOW_PWR_ALLOW_REQUEST_HW) === 1 && this.lpMode);
  }
  private evaluateModule(): void {
    if (this.state === MS.LOW_PWR && !this.lowPwrS()) {
      if (this.defects.has(D.PWRUP_SKIPPED)) return this.setModuleState(MS.READY);
      this.setModuleState(MS.PWR_UP);
      this.afterState(this.profile.timing.pwrUpMs, MS.READY);
    } else if (this.state === MS.READY && this.lowPwrS()) {
      this.setModuleState(MS.PWR_DN);
      this.afterState(this.profile.timing.pwrDnMs, MS.LOW_PWR);
    }
  }
  private afterState(ms: number, next: number): void {
    const gen = this.stateGen;
    this.after(ms, () => gen === this.stateGen && this.setModuleState(next));
  }
  private setModuleState(s: number): void {
    this.refresh();
    this.stateGen++;
    this.state = s;
    this.lower.set(L.MODULE_STATE, s);
    if (s === MS.LOW_PWR || s === MS.READY || s === MS.FAULT) this.lower.set(L.STATE_CHANGED_FLAG, 1);
    if (s !== MS.READY) {
      for (const dp of this.dps) {
        dp.gen++;
        dp.busy = false;
        if (dp.state !== DP.DEACTIVATED) this.setDpState(dp, DP.DEACTIVATED);
      }
    }
    this.outputsChanged();
    if (s === MS.READY) for (const dp of this.dps) this.evaluateDp(dp);
    this.evaluateModule();
  }

  // ---- data-path state machine ----

  private dpOfHost(lane: number): DataPath | undefined {
    return this.dps.find((d) => d.lanes.includes(lane));
  }
  private dpOfMedia(lane: number): DataPath | undefined {
    return this.dps.find((d) => d.media.includes(lane));
  }
  private txDisabled(lane: number): boolean {
    return !this.defects.has(D.TX_DISABLE_IGNORED) && this.p10.get(P10.TX_DISABLE, lane) === 1;
  }
  private txIntended(lane: number): boolean {
    return this.state === MS.READY && this.dpOfMedia(lane)?.state === DP.ACTIVATED && !this.txDisabled(lane);
  }
  private evaluateDp(dp: DataPath): void {
    if (dp.busy || !this.dps.includes(dp)) return;
    const t = this.profile.timing;
    const deinit = this.state !== MS.READY || (this.p10.getMask(P10.DP_DEINIT) & maskOf(dp.lanes)) !== 0;
    const deactivate = deinit || dp.media.every((l) => this.txDisabled(l));
    if (dp.state === DP.DEACTIVATED && !deinit) this.transit(dp, DP.INIT, t.dpInitMs, DP.INITIALIZED);
    else if (dp.state === DP.INITIALIZED && deinit) this.transit(dp, DP.DEINIT, t.dpDeinitMs, DP.DEACTIVATED);
    else if (dp.state === DP.INITIALIZED && !deactivate) this.transit(dp, DP.TX_TURN_ON, t.txTurnOnMs, DP.ACTIVATED);
    else if (dp.state === DP.ACTIVATED && deactivate) this.transit(dp, DP.TX_TURN_OFF, t.txTurnOffMs, DP.INITIALIZED);
  }
  private transit(dp: DataPath, transient: number, ms: number, next: number): void {
    this.setDpState(dp, transient);
    dp.busy = true;
    const gen = dp.gen;
    this.after(ms, () => {
      if (gen !== dp.gen) return;
      dp.busy = false;
      this.setDpState(dp, next);
      this.evaluateDp(dp);
    });
  }
  private setDpState(dp: DataPath, s: number): void {
    this.refresh();
    dp.state = s;
    for (const l of dp.lanes) this.p11.set(P11.DP_STATE, s, l);
    if (s === DP.DEACTIVATED || s === DP.INITIALIZED || s === DP.ACTIVATED) {
      this.p11.setMask(P11.DP_STATE_CHANGED, this.p11.getMask(P11.DP_STATE_CHANGED) | maskOf(dp.lanes));
    }
    this.outputsChanged();
  }

  // ---- configuration (staged control set 0) ----

  /** A data path of `app` from host lane `first`, replacing the ones on its lanes. */
  private installDp(app: CmisApplication, apSel: CmisApSel, first: number): void {
    const lanes = app.lanesFrom(first);
    const mediaFirst = Math.floor(((first - 1) * this.profile.mediaLanes) / this.profile.hostLanes) + 1;
    const media = range(app.mediaLaneCount).map((i) => mediaFirst + i - 1).filter((l) => l <= this.profile.mediaLanes);
    for (const old of this.dps.filter((d) => d.lanes.some((l) => lanes.includes(l)))) this.removeDp(old);
    const dp: DataPath = { lanes, media, apSel: apSel.apSel, state: DP.DEACTIVATED, gen: 0, busy: false };
    this.dps.push(dp);
    for (const l of lanes) {
      this.p11.set(P11.DP_STATE, DP.DEACTIVATED, l);
      this.p11.set(P11.ACTIVE_APSEL, cmisApSelEncode({ ...apSel, dataPathId: first - 1 }), l);
    }
  }
  private removeDp(dp: DataPath): void {
    dp.gen++;
    this.dps = this.dps.filter((d) => d !== dp);
    for (const l of dp.lanes) {
      this.p11.set(P11.DP_STATE, DP.DEACTIVATED, l);
      this.p11.set(P11.ACTIVE_APSEL, 0, l);
    }
    if (dp.state !== DP.DEACTIVATED) this.outputsChanged();
  }
  private applyConfig(mask: number, immediate: boolean): void {
    // The staged settings and the lanes in use are taken when the host applies.
    const staged = new Map(lanesOf(mask).map((l) => [l, this.p10.stagedApSel(l)] as const));
    const inUse = new Set(range(8).filter((l) => (this.dpOfHost(l)?.state ?? DP.DEACTIVATED) !== DP.DEACTIVATED && !immediate));
    for (const l of staged.keys()) this.p11.set(P11.CONFIG_STATUS, CS.IN_PROGRESS, l);
    this.after(this.profile.timing.configMs, () => this.finishConfig(staged, inUse));
  }
  private finishConfig(staged: Map<number, CmisApSel>, inUse: Set<number>): void {
    this.refresh();
    const status = new Map<number, number>();
    const groups = new Map<string, number[]>();
    for (const [l, a] of staged) {
      if (l > this.profile.hostLanes) status.set(l, CS.REJECTED_INVALID_DATA_PATH);
      else if (a.apSel === 0) {
        const dp = this.dpOfHost(l);
        if (inUse.has(l)) status.set(l, CS.REJECTED_LANE_IN_USE);
        else {
          if (dp) this.removeDp(dp);
          status.set(l, CS.SUCCESS);
        }
      } else groups.set(`${a.apSel}/${a.dataPathId}`, [...(groups.get(`${a.apSel}/${a.dataPathId}`) ?? []), l]);
    }
    const activeBefore = range(8).map((l) => this.p11.get(P11.ACTIVE_APSEL, l));
    for (const lanes of groups.values()) {
      const apSel = staged.get(lanes[0]) as CmisApSel;
      const code = this.checkDataPath(apSel, lanes, inUse);
      for (const l of lanes) status.set(l, code);
      if (code !== CS.SUCCESS) continue;
      const init = this.profile.applications[apSel.apSel - 1] ?? this.profile.applications[0];
      this.installDp(new CmisApplication(init), apSel, apSel.dataPathId + 1);
    }
    if (this.defects.has(D.ACTIVE_APSEL_STALE)) activeBefore.forEach((v, i) => this.p11.set(P11.ACTIVE_APSEL, v, i + 1));
    for (const [l, code] of status) this.p11.set(P11.CONFIG_STATUS, code, l);
    for (const dp of this.dps) this.evaluateDp(dp);
  }
  private checkDataPath(a: CmisApSel, lanes: number[], inUse: Set<number>): number {
    let init = this.profile.applications[a.apSel - 1];
    if (!init) {
      if (!this.defects.has(D.INVALID_APSEL_ACCEPTED)) return CS.REJECTED_INVALID_APSEL;
      init = this.profile.applications[0];
    }
    const app = new CmisApplication(init);
    const first = a.dataPathId + 1;
    const expected = app.lanesFrom(first);
    if (!app.allowsFirstLane(first) || expected[expected.length - 1] > this.profile.hostLanes) return CS.REJECTED_INVALID_DATA_PATH;
    if (lanes.length !== expected.length || lanes.some((l) => !expected.includes(l))) {
      return lanes.every((l) => expected.includes(l)) ? CS.REJECTED_PARTIAL_DATA_PATH : CS.REJECTED_INVALID_DATA_PATH;
    }
    if (expected.some((l) => inUse.has(l))) return CS.REJECTED_LANE_IN_USE;
    return CS.SUCCESS;
  }

  // ---- host writes ----

  private onHostWrite(bank: number, page: number, offset: number, len: number): void {
    const hit = (addr: number) => offset <= addr && addr < offset + len;
    if (hit(26)) {
      if (this.lower.get(L.SOFTWARE_RESET) === 1) return this.reset();
      this.evaluateModule();
    }
    if (page !== 0x10 || bank !== 0) return;
    const dpInit = hit(143) ? this.p10.getMask(P10.APPLY_DP_INIT) : 0;
    const immediate = hit(144) ? this.p10.getMask(P10.APPLY_IMMEDIATE) : 0;
    this.p10.setMask(P10.APPLY_DP_INIT, 0);
    this.p10.setMask(P10.APPLY_IMMEDIATE, 0);
    if (hit(128) || hit(130)) {
      this.outputsChanged();
      for (const dp of this.dps) this.evaluateDp(dp);
    }
    if (dpInit) this.applyConfig(dpInit, false);
    if (immediate) this.applyConfig(immediate, true);
  }

  // ---- monitors and flags ----

  private advanceThermal(): void {
    const now = this.events.nowPs;
    const target = this.ambientC + (this.powerDrawW() * CASE_RISE_AT_FULL_LOAD_C) / this.profile.powerW;
    this.tempC = target + (this.tempC - target) * Math.exp(-(now - this.tempAtPs) / PS_PER_S / THERMAL_TAU_S);
    this.tempAtPs = now;
  }
  private noise(amplitude: number): number {
    return (this.rng.next() * 2 - 1) * amplitude;
  }
  private outputsChanged(): void {
    this.refresh();
    this.far?.peer.farEndChanged();
    this.onOutputsChanged?.();
  }
  /** Brings monitors up to now, writes them, and latches the flags their values cross. */
  private refresh(): void {
    this.advanceThermal();
    if (!this.reported || !this.defects.has(D.MONITORS_FROZEN)) {
      const n = range(this.profile.mediaLanes);
      this.reported = {
        tempC: this.tempC + this.noise(0.05),
        vccV: VCC_NOMINAL_V - VCC_DROOP_V_PER_W * this.powerDrawW() + this.noise(0.0005),
        tx: n.map((l) => this.txOutputMw(l) * (1 + this.noise(0.005))),
        bias: n.map((l) => (this.txIntended(l) ? this.biasNominalMa[l - 1] * (1 + this.noise(0.005)) : 0)),
        rx: n.map((l) => this.rxInputMw(l) * (1 + this.noise(0.005))),
      };
      this.writeMonitors(this.reported);
    }
    this.writeFlags(this.reported);
  }
  private writeMonitors(r: Reported): void {
    const t = this.defects.has(D.TEMPERATURE_SCALE) ? Math.max(-0x8000, Math.min(0x7fff, Math.round(r.tempC * 10))) : cmisTemperatureRaw(r.tempC, true);
    this.lower.set(L.TEMPERATURE, t);
    this.lower.set(L.VCC, cmisVccRaw(r.vccV, true));
    r.tx.forEach((mw, i) => this.p11.set(P11.TX_POWER, cmisPowerRaw(mw, true), i + 1));
    r.bias.forEach((ma, i) => this.p11.set(P11.TX_BIAS, cmisBiasRaw(ma, 1, true), i + 1));
    r.rx.forEach((mw, i) => this.p11.set(P11.RX_POWER, cmisPowerRaw(mw, true), i + 1));
  }
  private writeFlags(r: Reported): void {
    const th = this.thresholds;
    this.latch('temp', this.lower, L.TEMP_FLAGS, crossings(r.tempC, th.temperature));
    this.latch('vcc', this.lower, L.VCC_FLAGS, crossings(r.vccV, th.vcc));
    const flags = { TX_POWER: [0, 0, 0, 0], TX_BIAS: [0, 0, 0, 0], RX_POWER: [0, 0, 0, 0] };
    let los = 0;
    let fault = 0;
    let txOn = 0;
    const losMw = dbmToMw(this.profile.rxLosDbm);
    for (const l of range(this.profile.mediaLanes)) {
      const bit = 1 << (l - 1);
      const intended = this.txIntended(l);
      // Low alarms of a lane that is meant to be dark say nothing: only high ones count there.
      const txMask = intended ? 0b1111 : 0b0101;
      const c = { TX_POWER: crossings(r.tx[l - 1], th.txPower) & txMask, TX_BIAS: this.profile.biasMa > 0 ? crossings(r.bias[l - 1], th.txBias) & txMask : 0, RX_POWER: 0 };
      if (this.dpOfMedia(l)) {
        c.RX_POWER = crossings(r.rx[l - 1], th.rxPower);
        if (r.rx[l - 1] < losMw) los |= bit;
      }
      for (const m of ['TX_POWER', 'TX_BIAS', 'RX_POWER'] as const) for (let k = 0; k < 4; k++) if ((c[m] >> k) & 1) flags[m][k] |= bit;
      if (intended && this.txOutputMw(l) === 0) fault |= bit;
      if (this.txOutputMw(l) > 0) txOn |= bit;
    }
    for (const m of ['TX_POWER', 'TX_BIAS', 'RX_POWER'] as const) CMIS_LANE_FLAGS[m].forEach((f, k) => this.latch(`${m}${k}`, this.p11, f, flags[m][k]));
    this.latch('los', this.p11, P11.RX_LOS, los);
    this.latch('fault', this.p11, P11.TX_FAULT, fault);
    this.p11.setMask(P11.TX_OUTPUT_STATUS, txOn);
    const rxOk = this.dps
      .filter((d) => d.state === DP.ACTIVATED && d.media.every((l) => r.rx[l - 1] >= dbmToMw(this.profile.rxSensitivityDbm)))
      .reduce((m, d) => m | maskOf(d.lanes), 0);
    this.p11.setMask(P11.RX_OUTPUT_STATUS, rxOk);
  }
  /** Sets the flag bits whose condition rose since the last update (or, defective, mirrors it). */
  private latch(key: string, view: CmisPageView, f: CmisField, condition: number): void {
    const read = () => (f.type === 'bits' ? view.get(f) : view.getMask(f));
    const current = read();
    const next = this.defects.has(D.FLAGS_NOT_LATCHED) ? condition : current | (condition & ~(this.lastCondition.get(key) ?? 0));
    this.lastCondition.set(key, condition);
    if (next !== current) f.type === 'bits' ? view.set(f, next) : view.setMask(f, next);
  }

  // ---- memory contents at insertion ----

  private defaultThresholds(): CmisThresholds {
    const p = this.profile;
    const mw = (dbm: number) => Math.round(dbmToMw(dbm) * 10_000) / 10_000;
    const b = p.biasMa;
    return new CmisThresholds({
      temperature: { highAlarm: 75, lowAlarm: -5, highWarn: 70, lowWarn: 0 },
      vcc: { highAlarm: 3.465, lowAlarm: 3.135, highWarn: 3.45, lowWarn: 3.15 },
      txPower: { highAlarm: mw(p.txPowerDbm + 4), lowAlarm: mw(p.txPowerDbm - 6), highWarn: mw(p.txPowerDbm + 3), lowWarn: mw(p.txPowerDbm - 5) },
      txBias: { highAlarm: 2 * b, lowAlarm: 0.2 * b, highWarn: 1.8 * b, lowWarn: 0.3 * b },
      rxPower: { highAlarm: mw(p.txPowerDbm + 4), lowAlarm: mw(p.rxSensitivityDbm - 2), highWarn: mw(p.txPowerDbm + 3), lowWarn: mw(p.rxSensitivityDbm) },
    });
  }
  /** Identity, advertising and thresholds: what does not change while the module runs. */
  private writeAdministrative(vendorName: string, serialNumber: string): void {
    const p = this.profile;
    const apps = p.applications.map((a) => new CmisApplication(a));
    this.lower.set(L.IDENTIFIER, p.identifier);
    this.lower.set(L.REVISION, 0x50);
    this.lower.set(L.MEDIA_TYPE, CMIS_MEDIA_TYPE.SMF);
    CmisApplication.emitList(apps.slice(0, 8), this.lower.raw(L.APPLICATIONS));
    const understated = this.defects.has(D.POWER_CLASS_UNDERSTATED);
    const advertisedW = understated ? p.powerW / 2 : p.powerW;
    new CmisIdentity({
      identifier: p.identifier,
      vendorName,
      vendorOui: [0, 0, 0],
      partNumber: p.partNumber,
      vendorRev: 'A0',
      serialNumber,
      dateCode: '26030100',
      powerClass: understated ? cmisPowerClassForWatts(advertisedW) : p.powerClass,
      maxPowerW: understated ? Math.ceil(advertisedW * 4) / 4 : p.maxPowerW,
      connector: p.connector,
      mediaTech: p.mediaTech,
    }).emit(CmisUpper00View.unchecked(this.memory.upperPage(0, 0)));
    if (this.defects.has(D.IDENTITY_CHECKSUM)) {
      const u = CmisUpper00View.unchecked(this.memory.upperPage(0, 0));
      u.set(CMIS_UPPER00.CHECKSUM, (u.computeChecksum() + 1) & 0xff);
    }
    const p01 = CmisPage01View.unchecked(this.memory.upperPage(0, 0x01));
    const t = p.timing;
    p01.set(P01.HW_MAJOR, 1);
    p01.set(P01.MODULE_PWRUP_DURATION, cmisDurationCode(t.pwrUpMs));
    p01.set(P01.MODULE_PWRDN_DURATION, cmisDurationCode(t.pwrDnMs));
    p01.set(P01.DP_INIT_DURATION, cmisDurationCode(t.dpInitMs));
    p01.set(P01.DP_DEINIT_DURATION, cmisDurationCode(t.dpDeinitMs));
    p01.set(P01.TX_TURNON_DURATION, cmisDurationCode(t.txTurnOnMs));
    p01.set(P01.TX_TURNOFF_DURATION, cmisDurationCode(t.txTurnOffMs));
    p01.set(P01.TX_DISABLE_SUPPORTED, 1);
    p01.set(P01.RX_LOS_SUPPORTED, 1);
    p01.set(P01.TX_BIAS_MON_SUPPORTED, p.biasMa > 0 ? 1 : 0);
    p01.set(P01.TX_POWER_MON_SUPPORTED, 1);
    p01.set(P01.RX_POWER_MON_SUPPORTED, 1);
    apps.forEach((a, i) => {
      const firsts = lanesOf(a.hostLaneAssignment).map((f) => Math.floor(((f - 1) * p.mediaLanes) / p.hostLanes) + 1);
      p01.set(P01.MEDIA_LANE_ASSIGNMENT, maskOf(firsts), i + 1);
    });
    this.thresholds.emit(CmisPage02View.unchecked(this.memory.upperPage(0, 0x02)));
  }
  /** Controls and the control sets as after insertion or reset. */
  private writeDefaults(): void {
    this.lower.set(L.LOW_PWR_ALLOW_REQUEST_HW, 1);
    this.lower.set(L.LOW_PWR_REQUEST_SW, 0);
    this.lower.set(L.SOFTWARE_RESET, 0);
    this.memory.upperPage(0, 0x10).fill(0);
    for (const dp of [...this.dps]) this.removeDp(dp);
    this.p11.setMask(P11.CONFIG_STATUS, 0);
    const app = new CmisApplication(this.profile.applications[0]);
    for (let first = 1; first + app.hostLaneCount - 1 <= this.profile.hostLanes; first += app.hostLaneCount) {
      if (!app.allowsFirstLane(first)) continue;
      const apSel = { apSel: 1, dataPathId: first - 1, explicitControl: false };
      for (const l of app.lanesFrom(first)) this.p10.setStagedApSel(l, apSel);
      this.installDp(app, apSel, first);
    }
  }
}
