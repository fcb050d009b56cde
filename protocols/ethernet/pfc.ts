// Priority-based flow control (IEEE 802.1Qbb): the MAC-control payload after EtherType 0x8808.
import { WireError, WireView, checkLen, checkUint, hex, type Field } from '../wire.ts';

const F = {
  OPCODE: [0, 2],
  // High octet reserved (transmitted as zero, ignored on receipt); bit n of the low octet enables class n.
  CLASS_ENABLE: [2, 4],
  // Eight 16-bit pause times, class 0 first, in quanta of 512 bit times.
  PAUSE_QUANTA: [4, 20],
} as const satisfies Record<string, Field>;

export const PFC_OPCODE = 0x0101;
export const PFC_HEADER_LEN = F.PAUSE_QUANTA[1];
export const PFC_CLASSES = 8;
/** The reserved multicast group every MAC-control frame goes to. */
export const PFC_DST_MAC = '01:80:c2:00:00:01';

/** How long `quanta` pause quanta last on a link of `rateBps` (one quantum = 512 bit times). */
export function pfcQuantaToPs(quanta: number, rateBps: number): number {
  return (quanta * 512 * 1e12) / rateBps;
}

export class PfcView extends WireView {
  static unchecked(buf: Uint8Array): PfcView {
    return new PfcView(buf);
  }
  static checked(buf: Uint8Array): PfcView {
    const v = new PfcView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen('pfc', 'header', this.buffer.length, PFC_HEADER_LEN);
  }
  get opcode(): number {
    return this.u16(F.OPCODE);
  }
  /** The whole 16-bit vector, reserved octet included. */
  get classEnableVector(): number {
    return this.u16(F.CLASS_ENABLE);
  }
  /** Bit n set: class n is paused for pauseQuanta(n). */
  get classEnable(): number {
    return this.u16(F.CLASS_ENABLE) & 0xff;
  }
  /** Pause time of class `cls` (0..7) in quanta. */
  pauseQuanta(cls: number): number {
    return this.u16(F.PAUSE_QUANTA[0] + 2 * cls);
  }
  setOpcode(v: number): void {
    this.setU16(F.OPCODE, v);
  }
  setClassEnableVector(v: number): void {
    this.setU16(F.CLASS_ENABLE, v);
  }
  setPauseQuanta(cls: number, v: number): void {
    this.setU16(F.PAUSE_QUANTA[0] + 2 * cls, v);
  }
  summary(): string {
    if (this.opcode !== PFC_OPCODE) return `MAC-Control opcode ${hex(this.opcode)}`;
    const e = this.classEnable;
    const classes: string[] = [];
    for (let c = 0; c < PFC_CLASSES; c++) if (e & (1 << c)) classes.push(`c${c}=${this.pauseQuanta(c)}`);
    return `PFC enable ${hex(e, 2)}${classes.length ? ` ${classes.join(' ')}` : ''}`;
  }
}

export interface PfcInit {
  /** Bit n enables class n. */
  classEnable: number;
  /** Eight pause times, class 0 first, in quanta (kept for disabled classes too). */
  pauseQuanta: readonly number[];
}

export class PfcHeader {
  readonly classEnable: number;
  readonly pauseQuanta: readonly number[];
  constructor(init: PfcInit) {
    this.classEnable = init.classEnable;
    this.pauseQuanta = [...init.pauseQuanta];
  }
  /** `view` must be checked. Any other MAC-control opcode (e.g. 0x0001 PAUSE) is unsupported. */
  static parse(view: PfcView): PfcHeader {
    if (view.opcode !== PFC_OPCODE) throw new WireError('unsupported', 'pfc', 'opcode', hex(view.opcode));
    const pauseQuanta: number[] = [];
    for (let c = 0; c < PFC_CLASSES; c++) pauseQuanta.push(view.pauseQuanta(c));
    return new PfcHeader({ classEnable: view.classEnable, pauseQuanta });
  }
  bufferLen(): number {
    return PFC_HEADER_LEN;
  }
  /** Writes opcode, vector and times; the frame builder pads to the minimum frame size. */
  emit(view: PfcView): void {
    checkUint('pfc', 'classEnable', this.classEnable, 0xff);
    if (this.pauseQuanta.length !== PFC_CLASSES) {
      throw new WireError('malformed', 'pfc', 'pauseQuanta', `need ${PFC_CLASSES} values, have ${this.pauseQuanta.length}`);
    }
    this.pauseQuanta.forEach((q, c) => checkUint('pfc', `pauseQuanta[${c}]`, q, 0xffff));
    checkLen('pfc', 'header', view.buffer.length, PFC_HEADER_LEN);
    view.setOpcode(PFC_OPCODE);
    view.setClassEnableVector(this.classEnable);
    this.pauseQuanta.forEach((q, c) => view.setPauseQuanta(c, q));
  }
}
