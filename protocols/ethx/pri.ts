// ETH-X PRI forwarding header (12 bytes): a 2-byte network device id switches route on, then a 10-byte user-defined address they ignore.
//
// ETHX-2: the PRI (packet rate improvement) header of 12 bytes replaces DMAC + SMAC: the first 2
// bytes are the network device id (used for routing), the last 10 bytes a user-defined address
// (device-internal, ignored by forwarding nodes). The sizes and order are public; the EtherType
// that follows is kept as in Ethernet II (frame.ts). No check beyond length: every value is valid.
import { WireError, WireView, checkLen, checkUint, type Field } from '../wire.ts';

const F = {
  DEVICE_ID: [0, 2],
  USER_ADDRESS: [2, 12],
} as const satisfies Record<string, Field>;

const ETHX = 'ethx';

export const ETHX_PRI_LEN = F.USER_ADDRESS[1];
export const ETHX_USER_ADDRESS_LEN = F.USER_ADDRESS[1] - F.USER_ADDRESS[0];
export const ETHX_DEVICE_ID_BITS = 16;
export const ETHX_DEVICE_ID_MAX = 0xffff;

export class EthxPriView extends WireView {
  static unchecked(buf: Uint8Array): EthxPriView {
    return new EthxPriView(buf);
  }
  static checked(buf: Uint8Array): EthxPriView {
    const v = new EthxPriView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(ETHX, 'pri', this.buffer.length, ETHX_PRI_LEN);
  }
  get deviceId(): number {
    return this.u16(F.DEVICE_ID);
  }
  /** The 10 user-address bytes, in place. */
  get userAddress(): Uint8Array {
    return this.bytes(F.USER_ADDRESS);
  }
  get payload(): Uint8Array {
    return this.buffer.subarray(ETHX_PRI_LEN);
  }
  setDeviceId(v: number): void {
    this.setU16(F.DEVICE_ID, v);
  }
  setUserAddress(v: Uint8Array): void {
    this.setBytes(F.USER_ADDRESS, v);
  }
  summary(): string {
    return `PRI device ${this.deviceId} user ${Buffer.from(this.userAddress).toString('hex')}`;
  }
}

export interface EthxPriInit {
  deviceId: number;
  /** 10 bytes; default zeros. */
  userAddress?: Uint8Array;
}

export class EthxPriHeader {
  readonly deviceId: number;
  readonly userAddress: Uint8Array;
  constructor(init: EthxPriInit) {
    this.deviceId = init.deviceId;
    this.userAddress = init.userAddress ?? new Uint8Array(ETHX_USER_ADDRESS_LEN);
  }
  /** `view` must be checked; the user address is copied. */
  static parse(view: EthxPriView): EthxPriHeader {
    return new EthxPriHeader({ deviceId: view.deviceId, userAddress: view.userAddress.slice() });
  }
  bufferLen(): number {
    return ETHX_PRI_LEN;
  }
  emit(view: EthxPriView): void {
    checkUint(ETHX, 'deviceId', this.deviceId, ETHX_DEVICE_ID_MAX);
    if (this.userAddress.length !== ETHX_USER_ADDRESS_LEN) {
      throw new WireError('malformed', ETHX, 'userAddress', `${this.userAddress.length} bytes, expected ${ETHX_USER_ADDRESS_LEN}`);
    }
    checkLen(ETHX, 'pri', view.buffer.length, ETHX_PRI_LEN);
    view.setDeviceId(this.deviceId);
    view.setUserAddress(this.userAddress);
  }
}
