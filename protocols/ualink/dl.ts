// UALink DL flit (640 bytes): flit header, five segment headers, up to nine 64-byte TL flits, CRC; sequence numbers for link-level replay.
//
// UAL-4: the DL packs the TL's 64-byte flits into 640-byte DL flits and retries in units of DL
// flits on a CRC failure. Sizes follow public material (protocol-facts "UALink": a 3-byte flit
// header with a 9-bit flit sequence number, replay window 512, 4-byte CRC; a behavioural model
// splits the rest into five segment headers and 628 payload bytes); the bit layout is this
// project's (UALINK_LAYOUT_ASSUMED):
//
//   byte     field            meaning
//   0-2      flit header      op(3) payload(1) seq(9) ackValid(1) ackSeq(9) reserved(1), MSB first
//   3-7      segment headers  one per 128-byte segment of the payload area: slot0 present(1)
//                             slot0 control(1) slot1 present(1) slot1 control(1) reserved(4)
//   8-635    payload          TL flit k (0..8) at payload offset 64 k (segment k >> 1, slot k & 1);
//                             segment 4 has one slot; bytes 576-627 are unused (zero)
//   636-639  CRC              CRC-32 (IEEE 802.3 polynomial, as zlib) of bytes 0-635, big-endian
//
// Ops: 0 PAYLOAD (sequenced, kept in the sender's replay buffer), 1 ACK, 2 REPLAY_REQUEST (replay
// from ackSeq + 1), 3 NOP; unknown ops are kept. Sequence numbers run 1..511 and wrap to 1 (0 =
// unsequenced: every flit that is not PAYLOAD). ackValid + ackSeq acknowledge cumulatively up to
// ackSeq and may ride on any flit. Checks: PAYLOAD has a sequence number, other ops have none and
// carry no TL flit; the payload bit is set exactly when a slot is used; slots fill in order;
// reserved bits are zero (and ackSeq without ackValid); the CRC matches (parse option `verifyCrc`, default true).
import { crc32 } from 'node:zlib';
import { WireError, WireView, checkLen, checkUint, hex, type Field } from '../wire.ts';
import { UALINK_TL_FLIT_LEN, type UalinkTlFlit } from './tl.ts';

const F = {
  HEADER: [0, 3],
  SEGMENTS: [3, 8],
  PAYLOAD: [8, 636],
  CRC: [636, 640],
} as const satisfies Record<string, Field>;

const UALINK = 'ualink';

export const UALINK_DL_FLIT_LEN = F.CRC[1];
export const UALINK_DL_HEADER_LEN = F.HEADER[1];
export const UALINK_DL_SEGMENTS = F.SEGMENTS[1] - F.SEGMENTS[0];
export const UALINK_DL_PAYLOAD_LEN = F.PAYLOAD[1] - F.PAYLOAD[0];
export const UALINK_DL_CRC_LEN = F.CRC[1] - F.CRC[0];
/** Whole TL flits one DL flit carries (no TL flit straddles two DL flits, an assumption). */
export const UALINK_DL_TL_SLOTS = Math.floor(UALINK_DL_PAYLOAD_LEN / UALINK_TL_FLIT_LEN);
export const UALINK_DL_SEQ_MAX = 511;

export const UALINK_DL_OP = { PAYLOAD: 0, ACK: 1, REPLAY_REQUEST: 2, NOP: 3 } as const;
const OP_NAMES = ['payload', 'ack', 'replay-request', 'nop'];

export function ualinkDlOpName(op: number): string {
  return OP_NAMES[op] ?? `op-${op}`;
}

/** The sequence number after `s` (1..511, wrapping to 1). */
export function ualinkDlSeqNext(s: number): number {
  return s >= UALINK_DL_SEQ_MAX ? 1 : s + 1;
}

/** How far `b` lies after `a` in sequence space (0..510). */
export function ualinkDlSeqDistance(a: number, b: number): number {
  return (((b - a) % UALINK_DL_SEQ_MAX) + UALINK_DL_SEQ_MAX) % UALINK_DL_SEQ_MAX;
}

/** CRC of a flit's first 636 bytes. */
export function ualinkDlCrc(flit: Uint8Array): number {
  return crc32(flit.subarray(0, F.CRC[0])) >>> 0;
}

export class UalinkDlView extends WireView {
  static unchecked(buf: Uint8Array): UalinkDlView {
    return new UalinkDlView(buf);
  }
  static checked(buf: Uint8Array): UalinkDlView {
    const v = new UalinkDlView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(UALINK, 'dl.flit', this.buffer.length, UALINK_DL_FLIT_LEN);
  }
  private get hdr(): number {
    return (this.u8(0) << 16) | (this.u8(1) << 8) | this.u8(2);
  }
  private set hdr(v: number) {
    this.setU8(0, (v >> 16) & 0xff);
    this.setU8(1, (v >> 8) & 0xff);
    this.setU8(2, v & 0xff);
  }
  get op(): number {
    return this.hdr >> 21;
  }
  get payloadFlag(): boolean {
    return ((this.hdr >> 20) & 1) === 1;
  }
  get seq(): number {
    return (this.hdr >> 11) & 0x1ff;
  }
  get ackValid(): boolean {
    return ((this.hdr >> 10) & 1) === 1;
  }
  get ackSeq(): number {
    return (this.hdr >> 1) & 0x1ff;
  }
  get headerReserved(): number {
    return this.hdr & 1;
  }
  segmentHeader(i: number): number {
    return this.u8(F.SEGMENTS[0] + i);
  }
  /** Is TL slot k (0..8) used, and is it a control flit? */
  slotPresent(k: number): boolean {
    return ((this.segmentHeader(k >> 1) >> (k & 1 ? 5 : 7)) & 1) === 1;
  }
  slotControl(k: number): boolean {
    return ((this.segmentHeader(k >> 1) >> (k & 1 ? 4 : 6)) & 1) === 1;
  }
  /** The 64 bytes of TL slot k, in place. */
  slotBytes(k: number): Uint8Array {
    const at = F.PAYLOAD[0] + k * UALINK_TL_FLIT_LEN;
    return this.buffer.subarray(at, at + UALINK_TL_FLIT_LEN);
  }
  /** Used slots (they fill in order from slot 0). */
  get slotCount(): number {
    let n = 0;
    while (n < UALINK_DL_TL_SLOTS && this.slotPresent(n)) n++;
    return n;
  }
  get crc(): number {
    return this.u32(F.CRC);
  }
  get crcOk(): boolean {
    return this.crc === ualinkDlCrc(this.buffer);
  }
  setHeader(op: number, payload: boolean, seq: number, ack: number | null): void {
    this.hdr = ((op & 7) << 21) | ((payload ? 1 : 0) << 20) | ((seq & 0x1ff) << 11) | ((ack === null ? 0 : 1) << 10) | (((ack ?? 0) & 0x1ff) << 1);
  }
  setSegmentHeader(i: number, v: number): void {
    this.setU8(F.SEGMENTS[0] + i, v);
  }
  fillCrc(): void {
    this.setU32(F.CRC, ualinkDlCrc(this.buffer));
  }
  summary(): string {
    const ack = this.ackValid ? ` ack ${this.ackSeq}` : '';
    const seq = this.op === UALINK_DL_OP.PAYLOAD ? ` seq ${this.seq}` : '';
    let ctl = 0;
    const n = this.slotCount;
    for (let k = 0; k < n; k++) if (this.slotControl(k)) ctl++;
    return `UALink DL ${ualinkDlOpName(this.op)}${seq}${ack} tl ${n} (${ctl} control) crc ${hex(this.crc, 8)}${this.crcOk ? '' : ' BAD'}`;
  }
}

export interface UalinkDlInit {
  op: number;
  /** 1..511 for PAYLOAD, 0 otherwise. */
  seq?: number;
  /** Cumulative acknowledgement (the last sequence number received in order), or null. */
  ackSeq?: number | null;
  /** Up to nine TL flits (PAYLOAD only). */
  tl?: readonly UalinkTlFlit[];
}

/** A DL flit as plain values; the TL flits are views into the parsed buffer. */
export class UalinkDlHeader {
  readonly op: number;
  readonly seq: number;
  readonly ackSeq: number | null;
  readonly tl: readonly UalinkTlFlit[];
  constructor(init: UalinkDlInit) {
    this.op = init.op;
    this.seq = init.seq ?? 0;
    this.ackSeq = init.ackSeq ?? null;
    this.tl = init.tl ?? [];
  }
  /** `view` must be checked. */
  static parse(view: UalinkDlView, opts: { verifyCrc?: boolean } = {}): UalinkDlHeader {
    const bad = (field: string, detail: string) => new WireError('malformed', UALINK, field, detail);
    if (view.headerReserved !== 0) throw bad('dl.header', 'reserved bit set');
    if (!view.ackValid && view.ackSeq !== 0) throw bad('ackSeq', 'an acknowledgement without the ackValid bit');
    for (let i = 0; i < UALINK_DL_SEGMENTS; i++) {
      const s = view.segmentHeader(i);
      if ((s & 0x0f) !== 0) throw bad('dl.segment', `segment ${i}: reserved bits set (${hex(s, 2)})`);
      if ((s & 0x40) !== 0 && (s & 0x80) === 0) throw bad('dl.segment', `segment ${i}: slot 0 control without present`);
      if ((s & 0x10) !== 0 && (s & 0x20) === 0) throw bad('dl.segment', `segment ${i}: slot 1 control without present`);
    }
    if ((view.segmentHeader(UALINK_DL_SEGMENTS - 1) & 0x30) !== 0) throw bad('dl.segment', 'segment 4 has one slot');
    const n = view.slotCount;
    for (let k = n; k < UALINK_DL_TL_SLOTS; k++) if (view.slotPresent(k)) throw bad('dl.segment', `slot ${k} used after an unused slot`);
    if (opts.verifyCrc !== false && !view.crcOk) throw bad('crc', `${hex(view.crc, 8)}, computed ${hex(ualinkDlCrc(view.buffer), 8)}`);
    const h = new UalinkDlHeader({
      op: view.op,
      seq: view.seq,
      ackSeq: view.ackValid ? view.ackSeq : null,
      tl: Array.from({ length: n }, (_, k) => ({ bytes: view.slotBytes(k), control: view.slotControl(k) })),
    });
    if (view.payloadFlag !== n > 0) throw bad('dl.payload', `payload bit ${view.payloadFlag ? 1 : 0} with ${n} TL flits`);
    h.checkRules();
    return h;
  }
  bufferLen(): number {
    return UALINK_DL_FLIT_LEN;
  }
  /** Writes the whole flit (unused payload bytes zeroed) and its CRC. */
  emit(view: UalinkDlView): void {
    checkUint(UALINK, 'op', this.op, 7);
    checkUint(UALINK, 'seq', this.seq, UALINK_DL_SEQ_MAX);
    if (this.ackSeq !== null) checkUint(UALINK, 'ackSeq', this.ackSeq, UALINK_DL_SEQ_MAX);
    if (this.tl.length > UALINK_DL_TL_SLOTS) throw new WireError('malformed', UALINK, 'dl.tl', `${this.tl.length} TL flits, at most ${UALINK_DL_TL_SLOTS}`);
    this.checkRules();
    checkLen(UALINK, 'dl.flit', view.buffer.length, UALINK_DL_FLIT_LEN);
    view.setHeader(this.op, this.tl.length > 0, this.seq, this.ackSeq);
    const seg = new Uint8Array(UALINK_DL_SEGMENTS);
    this.tl.forEach((f, k) => {
      checkLen(UALINK, 'tl.flit', f.bytes.length, UALINK_TL_FLIT_LEN);
      seg[k >> 1] |= (k & 1 ? 0x20 : 0x80) | (f.control ? (k & 1 ? 0x10 : 0x40) : 0);
      view.slotBytes(k).set(f.bytes.subarray(0, UALINK_TL_FLIT_LEN));
    });
    seg.forEach((v, i) => view.setSegmentHeader(i, v));
    view.buffer.fill(0, F.PAYLOAD[0] + this.tl.length * UALINK_TL_FLIT_LEN, F.PAYLOAD[1]);
    view.fillCrc();
  }
  /** Encodes into a new 640-byte buffer. */
  encode(): Uint8Array {
    const out = new Uint8Array(UALINK_DL_FLIT_LEN);
    this.emit(UalinkDlView.unchecked(out));
    return out;
  }
  private checkRules(): void {
    const bad = (field: string, detail: string) => new WireError('malformed', UALINK, field, detail);
    if (this.op === UALINK_DL_OP.PAYLOAD) {
      if (this.seq === 0) throw bad('seq', 'a payload flit needs a sequence number (1..511)');
    } else {
      if (this.seq !== 0) throw bad('seq', `a ${ualinkDlOpName(this.op)} flit is not sequenced (seq ${this.seq})`);
      if (this.tl.length > 0) throw bad('dl.tl', `a ${ualinkDlOpName(this.op)} flit carries no TL flit`);
    }
    if (this.op === UALINK_DL_OP.REPLAY_REQUEST && this.ackSeq === null) throw bad('ackSeq', 'a replay request names the last flit received');
  }
}

/**
 * What a DL receiver accepts from a sequence of flits (a capture of one direction, oldest first):
 * PAYLOAD flits with a good CRC in sequence order, starting at `firstSeq` (default: the first
 * payload flit seen); out-of-order and bad flits are skipped, replays fill the gaps.
 */
export function ualinkDlAccept(flits: readonly Uint8Array[], firstSeq?: number): { accepted: UalinkDlHeader[]; skipped: number; badCrc: number } {
  const accepted: UalinkDlHeader[] = [];
  let skipped = 0;
  let badCrc = 0;
  let expect = firstSeq;
  for (const b of flits) {
    let h: UalinkDlHeader;
    try {
      h = UalinkDlHeader.parse(UalinkDlView.checked(b));
    } catch (e) {
      if (e instanceof WireError && e.field === 'crc') {
        badCrc++;
        continue;
      }
      throw e;
    }
    if (h.op !== UALINK_DL_OP.PAYLOAD) continue;
    if (expect === undefined) expect = h.seq;
    if (h.seq !== expect) {
      skipped++;
      continue;
    }
    accepted.push(h);
    expect = ualinkDlSeqNext(h.seq);
  }
  return { accepted, skipped, badCrc };
}
