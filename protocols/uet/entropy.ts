// The 4-byte entropy header in front of UET directly over IP (protocol 253): the path entropy UDP's source port would carry.
import { WireView, checkLen, hex, type Field } from '../wire.ts';
import { UET, checkU } from './common.ts';

const F = {
  ENTROPY: [0, 2],
  // Reserved: sent as zero; kept by the view, not by the header (provider `struct uet_entropy`).
  RESERVED: [2, 4],
} as const satisfies Record<string, Field>;

export const UET_ENTROPY_LEN = F.RESERVED[1];

export class UetEntropyView extends WireView {
  static unchecked(buf: Uint8Array): UetEntropyView {
    return new UetEntropyView(buf);
  }
  static checked(buf: Uint8Array): UetEntropyView {
    const v = new UetEntropyView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(UET, 'entropy', this.buffer.length, UET_ENTROPY_LEN);
  }
  get entropy(): number {
    return this.u16(F.ENTROPY);
  }
  get reserved(): number {
    return this.u16(F.RESERVED);
  }
  /** What follows the entropy header: the PDS (or TSS) prologue. */
  get payload(): Uint8Array {
    return this.buffer.subarray(UET_ENTROPY_LEN);
  }
  setEntropy(v: number): void {
    this.setU16(F.ENTROPY, v);
  }
  setReserved(v: number): void {
    this.setU16(F.RESERVED, v);
  }
  summary(): string {
    return `UET entropy ${hex(this.entropy)}`;
  }
}

export class UetEntropyHeader {
  readonly entropy: number;
  constructor(init: { entropy: number }) {
    this.entropy = init.entropy;
  }
  /** `view` must be checked. Reserved bits are ignored on receipt. */
  static parse(view: UetEntropyView): UetEntropyHeader {
    return new UetEntropyHeader({ entropy: view.entropy });
  }
  bufferLen(): number {
    return UET_ENTROPY_LEN;
  }
  emit(view: UetEntropyView): void {
    checkU('entropy', this.entropy, 16);
    checkLen(UET, 'entropy', view.buffer.length, UET_ENTROPY_LEN);
    view.setEntropy(this.entropy);
    view.setReserved(0);
  }
}
