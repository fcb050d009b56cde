// UALink TL flits (64 bytes): control flits holding up to four UPLI headers, data flits, and the TL stream rules that frame messages.
//
// UAL-5: the TL turns UPLI channel transfers into 64-byte flits and back. The framing below is
// this project's model (UALINK_LAYOUT_ASSUMED):
// - a control flit holds four 16-byte slots, each an UPLI header (upli.ts) or empty (all zero);
//   empty slots come last;
// - the data flits of the messages of a control flit follow it, in slot order, size / 64 flits
//   per message that carries data (WRITE, READ_RESPONSE), before the next control flit;
// - whether a TL flit is a control or a data flit is said by the DL segment header (dl.ts), so a
//   receiver that lost flits (no DL replay) resynchronises at the next control flit.
import { WireError, WireView, checkLen, type Field } from '../wire.ts';
import { UALINK_UPLI_HEADER_LEN, UalinkUpliHeader, UalinkUpliView } from './upli.ts';

const UALINK = 'ualink';

export const UALINK_TL_FLIT_LEN = 64;
/** UPLI headers per control flit. */
export const UALINK_TL_SLOTS = UALINK_TL_FLIT_LEN / UALINK_UPLI_HEADER_LEN;

const SLOT: readonly Field[] = Array.from({ length: UALINK_TL_SLOTS }, (_, i) => [i * UALINK_UPLI_HEADER_LEN, (i + 1) * UALINK_UPLI_HEADER_LEN] as const);

/** A TL flit as the DL carries it: 64 bytes and whether it is a control flit. */
export interface UalinkTlFlit {
  bytes: Uint8Array;
  control: boolean;
}

/** An UPLI message: its header and, for WRITE and READ_RESPONSE, `sizeBytes` of data. */
export interface UalinkTlMessage {
  header: UalinkUpliHeader;
  data: Uint8Array;
}

/** Data flits a message takes after its control flit. */
export function ualinkDataFlitsOf(h: UalinkUpliHeader): number {
  return h.carriesData ? h.sizeBytes / UALINK_TL_FLIT_LEN : 0;
}

export class UalinkControlFlitView extends WireView {
  static unchecked(buf: Uint8Array): UalinkControlFlitView {
    return new UalinkControlFlitView(buf);
  }
  static checked(buf: Uint8Array): UalinkControlFlitView {
    const v = new UalinkControlFlitView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(UALINK, 'tl.flit', this.buffer.length, UALINK_TL_FLIT_LEN);
  }
  /** The UPLI view of slot `i` (0..3), in place. */
  slot(i: number): UalinkUpliView {
    return UalinkUpliView.unchecked(this.bytes(SLOT[i]));
  }
  summary(): string {
    const parts: string[] = [];
    for (let i = 0; i < UALINK_TL_SLOTS; i++) if (!this.slot(i).empty) parts.push(this.slot(i).summary());
    return `TL control [${parts.join('; ')}]`;
  }
}

/** Decodes a control flit: its messages' headers in slot order (empty slots dropped). */
export function ualinkParseControlFlit(flit: Uint8Array): UalinkUpliHeader[] {
  const v = UalinkControlFlitView.checked(flit);
  const out: UalinkUpliHeader[] = [];
  let ended = false;
  for (let i = 0; i < UALINK_TL_SLOTS; i++) {
    const h = UalinkUpliHeader.parse(v.slot(i));
    if (h === null) ended = true;
    else if (ended) throw new WireError('malformed', UALINK, 'tl.slot', `slot ${i} follows an empty slot`);
    else out.push(h);
  }
  if (out.length === 0) throw new WireError('malformed', UALINK, 'tl.flit', 'a control flit with no message');
  return out;
}

/** Encodes one to four headers into a control flit. */
export function ualinkControlFlit(headers: readonly UalinkUpliHeader[]): Uint8Array {
  if (headers.length < 1 || headers.length > UALINK_TL_SLOTS) {
    throw new WireError('malformed', UALINK, 'tl.slots', `${headers.length} headers: a control flit holds 1 to ${UALINK_TL_SLOTS}`);
  }
  const out = new Uint8Array(UALINK_TL_FLIT_LEN);
  const v = UalinkControlFlitView.unchecked(out);
  headers.forEach((h, i) => h.emit(v.slot(i)));
  return out;
}

/**
 * Turns messages into the TL flit stream: a control flit with up to four queued messages, then
 * their data flits. `take` (optional) decides whether the message at the head of the queue may go
 * now (e.g. an originator's outstanding-request limit); a message that may not stops the control
 * flit there, keeping the queue's order.
 */
export class UalinkTlPacker {
  private readonly queue: UalinkTlMessage[] = [];
  private head = 0;
  /** Data flits still to send for the last control flit: [message, next flit index]. */
  private readonly pending: UalinkTlMessage[] = [];
  private pendingFlit = 0;
  flitsOut = 0;
  controlFlitsOut = 0;

  constructor(private readonly take: (m: UalinkTlMessage) => boolean = () => true) {}

  push(m: UalinkTlMessage): void {
    if (m.header.carriesData && m.data.length !== m.header.sizeBytes) {
      throw new WireError('malformed', UALINK, 'tl.data', `${m.data.length} bytes of data for a ${m.header.sizeBytes}-byte message`);
    }
    this.queue.push(m);
  }

  /** Messages not yet in a control flit. */
  get queued(): number {
    return this.queue.length - this.head;
  }

  /** True when a flit can be produced now. */
  hasFlit(): boolean {
    this.dropSent();
    return this.pending.length > 0 || (this.queued > 0 && this.take(this.queue[this.head]));
  }

  /** The next flit of the stream, or null. */
  nextFlit(): UalinkTlFlit | null {
    this.dropSent();
    if (this.pending.length > 0) {
      const m = this.pending[0];
      const at = this.pendingFlit * UALINK_TL_FLIT_LEN;
      const bytes = m.data.subarray(at, at + UALINK_TL_FLIT_LEN);
      this.pendingFlit++;
      this.flitsOut++;
      return { bytes, control: false };
    }
    const headers: UalinkUpliHeader[] = [];
    while (headers.length < UALINK_TL_SLOTS && this.head < this.queue.length && this.take(this.queue[this.head])) {
      const m = this.queue[this.head++];
      headers.push(m.header);
      if (m.header.carriesData) this.pending.push(m);
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (headers.length === 0) return null;
    this.pendingFlit = 0;
    this.flitsOut++;
    this.controlFlitsOut++;
    return { bytes: ualinkControlFlit(headers), control: true };
  }

  /** Moves past messages whose data flits have all gone. */
  private dropSent(): void {
    while (this.pending.length > 0 && this.pendingFlit >= ualinkDataFlitsOf(this.pending[0].header)) {
      this.pending.shift();
      this.pendingFlit = 0;
    }
  }
}

/**
 * Turns the TL flit stream back into messages, in the order of their headers (a message without
 * data waits for the data of the messages before it: requests keep their order). `push` returns the
 * messages a flit completes. After `streamBreak()` (flits lost below the TL), the partial messages
 * are dropped and data flits are skipped until the next control flit.
 */
export class UalinkTlUnpacker {
  private expect: { header: UalinkUpliHeader; data: Uint8Array; at: number }[] = [];
  private head = 0;
  private resync = false;
  /** Messages dropped because the stream broke under them. */
  lostMessages = 0;
  /** Data flits with no control flit to belong to (skipped). */
  strayFlits = 0;

  push(flit: UalinkTlFlit): UalinkTlMessage[] {
    checkLen(UALINK, 'tl.flit', flit.bytes.length, UALINK_TL_FLIT_LEN);
    if (flit.control) {
      this.lostMessages += this.partial;
      this.resync = false;
      this.expect = ualinkParseControlFlit(flit.bytes).map((h) => ({ header: h, data: new Uint8Array(h.carriesData ? h.sizeBytes : 0), at: 0 }));
      this.head = 0;
      return this.completed();
    }
    // Data goes to the first message still missing some (those before it are complete).
    const target = this.resync ? undefined : this.expect.find((e) => e.at < e.data.length);
    if (target === undefined) {
      this.strayFlits++;
      return [];
    }
    target.data.set(flit.bytes.subarray(0, UALINK_TL_FLIT_LEN), target.at);
    target.at += UALINK_TL_FLIT_LEN;
    return this.completed();
  }

  /** Emits the complete messages at the head, in header order. */
  private completed(): UalinkTlMessage[] {
    const out: UalinkTlMessage[] = [];
    while (this.head < this.expect.length && this.expect[this.head].at >= this.expect[this.head].data.length) {
      const m = this.expect[this.head++];
      out.push({ header: m.header, data: m.data });
    }
    return out;
  }

  /** Flits were lost below: forget the partial message(s) and wait for a control flit. */
  streamBreak(): void {
    this.lostMessages += this.partial;
    this.expect = [];
    this.head = 0;
    this.resync = true;
  }

  /** Messages of the last control flit not yet complete. */
  get partial(): number {
    return this.expect.length - this.head;
  }
}
