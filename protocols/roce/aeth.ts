// InfiniBand ACK Extended Transport Header (4 B): what an RC ACKNOWLEDGE says (ACK, RNR NAK, NAK) and the MSN.
//
// Layout (IBA vol. 1 §9.3.5), big-endian: syndrome (8) then message sequence number (24). The
// syndrome's top three bits are its type (000 ACK, 001 RNR NAK, 011 NAK; 010 reserved); the low
// five are the credit count of an ACK (31 = credits not valid), the RNR timer, or the NAK code.
// The syndrome is kept raw so reserved types round-trip.
import { WireView, checkLen, hex, type Field } from '../wire.ts';
import { ROCE, checkRoce } from './common.ts';

const F = {
  SYNDROME: [0, 1], // type(3) value(5)
  MSN: [1, 4],
} as const satisfies Record<string, Field>;

export const ROCE_AETH_LEN = F.MSN[1];

/** Syndrome types (bits 7..5 of the syndrome). */
export const ROCE_AETH_TYPE = { ACK: 0, RNR_NAK: 1, NAK: 3 } as const;

/** NAK codes (low five bits of a NAK syndrome). */
export const ROCE_NAK_CODE = {
  PSN_SEQUENCE_ERROR: 0,
  INVALID_REQUEST: 1,
  REMOTE_ACCESS_ERROR: 2,
  REMOTE_OPERATIONAL_ERROR: 3,
  INVALID_RD_REQUEST: 4,
} as const;

/** An ACK's credit count that means "no credit information" (end-to-end credits not used). */
export const ROCE_AETH_CREDITS_INVALID = 31;

/** The syndrome byte of a type and its 5-bit value. */
export function roceAethSyndrome(type: number, value: number): number {
  return ((type & 0x07) << 5) | (value & 0x1f);
}

export class RoceAethView extends WireView {
  static unchecked(buf: Uint8Array): RoceAethView {
    return new RoceAethView(buf);
  }
  static checked(buf: Uint8Array): RoceAethView {
    const v = new RoceAethView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(ROCE, 'aeth', this.buffer.length, ROCE_AETH_LEN);
  }
  get syndrome(): number {
    return this.u8(F.SYNDROME);
  }
  /** ROCE_AETH_TYPE, or a reserved value. */
  get syndromeType(): number {
    return this.syndrome >> 5;
  }
  /** Credit count, RNR timer or NAK code, by type. */
  get syndromeValue(): number {
    return this.syndrome & 0x1f;
  }
  get msn(): number {
    return this.u32(F.SYNDROME) & 0xffffff;
  }
  get payload(): Uint8Array {
    return this.buffer.subarray(ROCE_AETH_LEN);
  }
  setSyndromeMsn(syndrome: number, msn: number): void {
    this.setU32(F.SYNDROME, ((syndrome & 0xff) << 24 | (msn & 0xffffff)) >>> 0);
  }
  summary(): string {
    const t = this.syndromeType;
    const what =
      t === ROCE_AETH_TYPE.ACK
        ? `ACK credits ${this.syndromeValue}`
        : t === ROCE_AETH_TYPE.RNR_NAK
          ? `RNR-NAK timer ${this.syndromeValue}`
          : t === ROCE_AETH_TYPE.NAK
            ? `NAK code ${this.syndromeValue}`
            : `syndrome ${hex(this.syndrome, 2)}`;
    return `AETH ${what} msn ${this.msn}`;
  }
}

export interface RoceAethInit {
  syndrome: number;
  msn: number;
}

export class RoceAethHeader {
  readonly syndrome: number;
  readonly msn: number;
  constructor(init: RoceAethInit) {
    this.syndrome = init.syndrome;
    this.msn = init.msn;
  }
  /** `view` must be checked; every syndrome is kept. */
  static parse(view: RoceAethView): RoceAethHeader {
    return new RoceAethHeader({ syndrome: view.syndrome, msn: view.msn });
  }
  get syndromeType(): number {
    return this.syndrome >> 5;
  }
  get syndromeValue(): number {
    return this.syndrome & 0x1f;
  }
  bufferLen(): number {
    return ROCE_AETH_LEN;
  }
  emit(view: RoceAethView): void {
    checkRoce('syndrome', this.syndrome, 8);
    checkRoce('msn', this.msn, 24);
    checkLen(ROCE, 'aeth', view.buffer.length, ROCE_AETH_LEN);
    view.setSyndromeMsn(this.syndrome, this.msn);
  }
}
