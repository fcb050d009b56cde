// PDS state of one UET endpoint (NIC): the PDC table and its state machine, start-PSN allocation, configuration, counters.
//
// Guarantees (UE 1.0 PDS, protocol-facts "PDC behaviour"): PDC ids are 16-bit, 0 is reserved and
// the lowest free id from the NIC's own (seeded, random) base is taken, so ids are reused once
// closed and two NICs do not hand out the same ids; an initiator PDC's start PSN is drawn
// from the NIC's seeded generator in [2^16, 2^31) and at least 2^16 (signed serial distance) from
// the last PSN used on that PDC id; every state change is logged with its device time (the last
// LOG_LIMIT entries are kept). States: initiator UNALLOC -> SYN (first packet sent) -> ESTABLISHED
// (first answer) -> CLOSING (close command sent) -> UNALLOC (close acknowledged); target UNALLOC ->
// PENDING (SYN received) -> ESTABLISHED (first packet without SYN) -> UNALLOC (close received); any
// -> ERROR when the PDC gives up (retry limit), then UNALLOC once freed.
// A NIC whose model is not a UEC NIC still has a NicPds (created on first use) with `uec` false: its
// flows keep the engine's plain behaviour and encodings.

import type { Host } from '../fabric/host.ts';
import type { Rng } from '../sim/rng.ts';
import { UET_START_PSN_MIN_DISTANCE, uetPsnDistance } from '../../protocols/uet/psn.ts';

export type PdcState = 'UNALLOC' | 'SYN' | 'PENDING' | 'ESTABLISHED' | 'CLOSING' | 'ERROR';
export type PdcMode = 'rud' | 'rod';
export type DeliveryMode = 'rud' | 'rod' | 'rudi' | 'uud';
export const DELIVERY_MODES: readonly DeliveryMode[] = ['rud', 'rod', 'rudi', 'uud'];

export interface PdcRecord {
  /** Local PDC id (1..65535). */
  readonly id: number;
  /** The peer's PDC id, 0 until known. */
  peerId: number;
  readonly role: 'initiator' | 'target';
  readonly mode: PdcMode;
  /** Endpoint address of the peer. */
  readonly peer: number;
  state: PdcState;
  readonly startPsn: number;
  /** Highest PSN used so far on this PDC (start PSN - 1 before the first). */
  lastPsn: number;
  readonly openedPs: number;
  /** Name of the flow that owns the PDC (for state readers). */
  readonly flow: string;
}

export interface PdcLogEntry {
  timePs: number;
  pdc: number;
  role: 'initiator' | 'target';
  from: PdcState;
  to: PdcState;
  flow: string;
}

export interface NicPdsConfig {
  /** Maximum PSN range this NIC accepts as a target, in units of 128 PSNs (advertised in ACK_CC). */
  mpr: number;
  /** Delivery mode of the flows set up next. */
  deliveryMode: DeliveryMode;
  /** SES job id (24 bits) and PIDonFEP (12 bits) written into requests. */
  jobId: number;
  pidOnFep: number;
}

export const NIC_PDS_DEFAULTS: NicPdsConfig = { mpr: 8, deliveryMode: 'rud', jobId: 0x00c0de, pidOnFep: 1 };

/** Behaviours a defect profile switches on (see uec/family.ts for the ids). */
export interface NicPdsDefects {
  retxFlagMissing: boolean;
  headerLayout: boolean;
  swappedPdcIds: boolean;
  psnReuse: boolean;
  rodOutOfOrder: boolean;
  nackWrongCode: boolean;
  noNack: boolean;
  ignoresMpr: boolean;
  pdcNeverCloses: boolean;
  rudiNoRetransmit: boolean;
  uudRetransmits: boolean;
  nsccIgnoresEcn: boolean;
  rudDuplicates: boolean;
  singleEntropy: boolean;
  goBackN: boolean;
}

export function noNicDefects(): NicPdsDefects {
  return {
    retxFlagMissing: false,
    headerLayout: false,
    swappedPdcIds: false,
    psnReuse: false,
    rodOutOfOrder: false,
    nackWrongCode: false,
    noNack: false,
    ignoresMpr: false,
    pdcNeverCloses: false,
    rudiNoRetransmit: false,
    uudRetransmits: false,
    nsccIgnoresEcn: false,
    rudDuplicates: false,
    singleEntropy: false,
    goBackN: false,
  };
}

/** The start PSN a NIC with the `psnReuse` defect gives every PDC (the provider's old fixed default). */
export const FIXED_START_PSN = 13;
/** Start PSNs are drawn in [2^16, 2^31) so that start + 2^31 never wraps (provider). */
const START_PSN_LOW = 0x10000;
const START_PSN_SPAN = 0x80000000 - START_PSN_LOW;
export const PDC_ID_MAX = 0xffff;
export const PDC_LOG_LIMIT = 4096;

export interface NicPdsCounters {
  pdcsOpened: number;
  pdcsClosed: number;
  pdcsClosedInError: number;
  /** NACKs sent, by code. */
  nacksTx: Record<number, number>;
  nacksRx: Record<number, number>;
  closesTx: number;
  clearsTx: number;
}

export class NicPds {
  /** PDS behaviour and UE encodings on (a UEC NIC model configured this NIC). */
  uec = false;
  config: NicPdsConfig = { ...NIC_PDS_DEFAULTS };
  defects: NicPdsDefects = noNicDefects();
  readonly log: PdcLogEntry[] = [];
  readonly counters: NicPdsCounters = { pdcsOpened: 0, pdcsClosed: 0, pdcsClosedInError: 0, nacksTx: {}, nacksRx: {}, closesTx: 0, clearsTx: 0 };
  private readonly pdcs = new Map<number, PdcRecord>();
  /** Last PSN used on each PDC id, kept after the PDC is freed (start-PSN rule). */
  private readonly lastPsnOfId = new Map<number, number>();
  private rng: Rng | null = null;
  /** Where the search for a free PDC id starts. */
  private idBase = 1;

  constructor(readonly name: string) {}

  /** Turns the UEC behaviour on with a seeded generator for PDC ids and start PSNs. */
  enable(rng: Rng): void {
    this.uec = true;
    this.rng = rng;
    this.idBase = 1 + Math.floor(rng.next() * 0x7ff0);
  }

  /** PDCs currently allocated, by id. */
  live(): PdcRecord[] {
    return [...this.pdcs.values()].sort((a, b) => a.id - b.id);
  }

  get(id: number): PdcRecord | undefined {
    return this.pdcs.get(id);
  }

  /** The last PSN used on `id` (the start-PSN rule's reference), if the id was used before. */
  lastPsnUsedOn(id: number): number | undefined {
    return this.lastPsnOfId.get(id);
  }

  private freeId(): number {
    for (let k = 0; k < PDC_ID_MAX; k++) {
      const id = ((this.idBase - 1 + k) % PDC_ID_MAX) + 1;
      if (!this.pdcs.has(id)) return id;
    }
    throw new RangeError(`NIC ${this.name}: no free PDC id (all ${PDC_ID_MAX} in use)`);
  }

  /** A start PSN for a new initiator PDC on `id` (random, >= 2^16 from the last PSN used on the id). */
  private drawStartPsn(id: number): number {
    if (this.defects.psnReuse) return FIXED_START_PSN;
    const rng = this.rng;
    if (rng === null) return 0;
    const last = this.lastPsnOfId.get(id);
    for (;;) {
      const psn = (START_PSN_LOW + Math.floor(rng.next() * START_PSN_SPAN)) >>> 0;
      if (last === undefined || Math.abs(uetPsnDistance(last, psn)) >= UET_START_PSN_MIN_DISTANCE) return psn;
    }
  }

  /** Opens an initiator PDC (state SYN: the first packet goes out now). */
  openInitiator(mode: PdcMode, peer: number, flow: string, nowPs: number): PdcRecord {
    const id = this.freeId();
    const startPsn = this.drawStartPsn(id);
    const pdc: PdcRecord = { id, peerId: 0, role: 'initiator', mode, peer, state: 'UNALLOC', startPsn, lastPsn: (startPsn - 1) >>> 0, openedPs: nowPs, flow };
    this.pdcs.set(id, pdc);
    this.counters.pdcsOpened++;
    this.transition(pdc, 'SYN', nowPs);
    return pdc;
  }

  /** Opens a target PDC for a SYN that named `startPsn` (state PENDING). */
  openTarget(mode: PdcMode, peer: number, peerId: number, startPsn: number, flow: string, nowPs: number): PdcRecord {
    const id = this.freeId();
    const pdc: PdcRecord = { id, peerId, role: 'target', mode, peer, state: 'UNALLOC', startPsn, lastPsn: (startPsn - 1) >>> 0, openedPs: nowPs, flow };
    this.pdcs.set(id, pdc);
    this.counters.pdcsOpened++;
    this.transition(pdc, 'PENDING', nowPs);
    return pdc;
  }

  /** Records that `psn` was used on the PDC (the start-PSN rule looks at the highest). */
  usePsn(pdc: PdcRecord, psn: number): void {
    if (uetPsnDistance(pdc.lastPsn, psn) > 0) pdc.lastPsn = psn;
  }

  transition(pdc: PdcRecord, to: PdcState, nowPs: number): void {
    if (pdc.state === to) return;
    this.log.push({ timePs: nowPs, pdc: pdc.id, role: pdc.role, from: pdc.state, to, flow: pdc.flow });
    if (this.log.length > PDC_LOG_LIMIT) this.log.splice(0, this.log.length - PDC_LOG_LIMIT);
    pdc.state = to;
  }

  /** Frees a PDC (state UNALLOC); `error` counts it as closed in error. */
  free(pdc: PdcRecord, nowPs: number, error = false): void {
    if (this.pdcs.get(pdc.id) !== pdc) return;
    if (error) this.transition(pdc, 'ERROR', nowPs);
    this.transition(pdc, 'UNALLOC', nowPs);
    this.pdcs.delete(pdc.id);
    this.lastPsnOfId.set(pdc.id, pdc.lastPsn);
    if (error) this.counters.pdcsClosedInError++;
    else this.counters.pdcsClosed++;
  }

  countNack(dir: 'tx' | 'rx', code: number): void {
    const t = dir === 'tx' ? this.counters.nacksTx : this.counters.nacksRx;
    t[code] = (t[code] ?? 0) + 1;
  }
}

const nics = new WeakMap<Host, NicPds>();

/** The PDS state of a host's NIC (created, plain, on first use). */
export function nicPdsOf(host: Host): NicPds {
  let n = nics.get(host);
  if (n === undefined) nics.set(host, (n = new NicPds(host.name)));
  return n;
}
