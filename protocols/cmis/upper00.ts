// CMIS upper page 00h (administrative): vendor identity, power class and maximum power, connector, media technology.
import { WireError, checkUint } from '../wire.ts';
import { CMIS_POWER_CLASS_MAX_W, cmisIdentifierName } from './codes.ts';
import { CMIS, CmisPageView, type CmisFieldTable } from './common.ts';

export const CMIS_UPPER00 = {
  IDENTIFIER: { at: 128, type: 'u8', unit: 'SFF-8024 identifier (copy of byte 0)' },
  VENDOR_NAME: { at: 129, len: 16, type: 'ascii' },
  VENDOR_OUI: { at: 145, len: 3, type: 'bytes' },
  VENDOR_PN: { at: 148, len: 16, type: 'ascii' },
  VENDOR_REV: { at: 164, len: 2, type: 'ascii' },
  VENDOR_SN: { at: 166, len: 16, type: 'ascii' },
  DATE_CODE: { at: 182, len: 8, type: 'ascii', unit: 'YYMMDD and 2-character lot' },
  CLEI: { at: 190, len: 10, type: 'ascii' },
  POWER_CLASS: { at: 200, type: 'bits', bits: [5, 7], unit: 'power class - 1' },
  MAX_POWER: { at: 201, type: 'u8', unit: '0.25 W' },
  CABLE_LENGTH: { at: 202, type: 'u8', unit: 'multiplier (bits 7-6), base length (bits 5-0)' },
  CONNECTOR: { at: 203, type: 'u8', unit: 'SFF-8024 connector' },
  MEDIA_TECH: { at: 212, type: 'u8', unit: 'media interface technology' },
  CHECKSUM: { at: 222, type: 'u8', unit: 'low 8 bits of the sum of bytes 128-221', assumed: true },
} as const satisfies CmisFieldTable;

const F = CMIS_UPPER00;

export class CmisUpper00View extends CmisPageView {
  static override checked(buf: Uint8Array): CmisUpper00View {
    const v = new CmisUpper00View(buf, 128);
    v.checkLen();
    return v;
  }
  static unchecked(buf: Uint8Array): CmisUpper00View {
    return new CmisUpper00View(buf, 128);
  }
  /** Power class 1..8. */
  get powerClass(): number {
    return this.get(F.POWER_CLASS) + 1;
  }
  get maxPowerW(): number {
    return this.get(F.MAX_POWER) / 4;
  }
  computeChecksum(): number {
    let s = 0;
    for (let a = 128; a < 222; a++) s += this.buffer[a - 128];
    return s & 0xff;
  }
  fillChecksum(): void {
    this.set(F.CHECKSUM, this.computeChecksum());
  }
  verifyChecksum(): boolean {
    return this.get(F.CHECKSUM) === this.computeChecksum();
  }
  summary(): string {
    return `CMIS page 00h ${cmisIdentifierName(this.get(F.IDENTIFIER))} ${this.text(F.VENDOR_NAME)} ${this.text(F.VENDOR_PN)} SN ${this.text(F.VENDOR_SN)} class ${this.powerClass} max ${this.maxPowerW} W`;
  }
}

export interface CmisIdentityInit {
  identifier: number;
  vendorName: string;
  vendorOui: readonly [number, number, number];
  partNumber: string;
  vendorRev: string;
  serialNumber: string;
  dateCode: string;
  powerClass: number;
  maxPowerW: number;
  connector: number;
  mediaTech: number;
}

/** The identity fields of upper page 00h as plain values (strings without their padding). */
export class CmisIdentity implements CmisIdentityInit {
  readonly identifier: number;
  readonly vendorName: string;
  readonly vendorOui: readonly [number, number, number];
  readonly partNumber: string;
  readonly vendorRev: string;
  readonly serialNumber: string;
  readonly dateCode: string;
  readonly powerClass: number;
  readonly maxPowerW: number;
  readonly connector: number;
  readonly mediaTech: number;
  constructor(init: CmisIdentityInit) {
    this.identifier = init.identifier;
    this.vendorName = init.vendorName;
    this.vendorOui = [...init.vendorOui] as [number, number, number];
    this.partNumber = init.partNumber;
    this.vendorRev = init.vendorRev;
    this.serialNumber = init.serialNumber;
    this.dateCode = init.dateCode;
    this.powerClass = init.powerClass;
    this.maxPowerW = init.maxPowerW;
    this.connector = init.connector;
    this.mediaTech = init.mediaTech;
  }
  /** `view` must be checked. A page whose checksum does not verify is malformed. */
  static parse(view: CmisUpper00View): CmisIdentity {
    if (!view.verifyChecksum()) throw new WireError('malformed', CMIS, 'checksum', `${view.get(F.CHECKSUM)} != ${view.computeChecksum()}`);
    const oui = view.raw(F.VENDOR_OUI);
    return new CmisIdentity({
      identifier: view.get(F.IDENTIFIER),
      vendorName: view.text(F.VENDOR_NAME),
      vendorOui: [oui[0], oui[1], oui[2]],
      partNumber: view.text(F.VENDOR_PN),
      vendorRev: view.text(F.VENDOR_REV),
      serialNumber: view.text(F.VENDOR_SN),
      dateCode: view.text(F.DATE_CODE),
      powerClass: view.powerClass,
      maxPowerW: view.maxPowerW,
      connector: view.get(F.CONNECTOR),
      mediaTech: view.get(F.MEDIA_TECH),
    });
  }
  bufferLen(): number {
    return 128;
  }
  /** Writes the identity fields and the page checksum; other bytes of the page are kept. */
  emit(view: CmisUpper00View): void {
    checkUint(CMIS, 'powerClass', this.powerClass - 1, CMIS_POWER_CLASS_MAX_W.length - 1);
    view.set(F.IDENTIFIER, this.identifier);
    view.setText(F.VENDOR_NAME, this.vendorName);
    for (const v of this.vendorOui) checkUint(CMIS, 'vendorOui', v, 0xff);
    view.raw(F.VENDOR_OUI).set(this.vendorOui);
    view.setText(F.VENDOR_PN, this.partNumber);
    view.setText(F.VENDOR_REV, this.vendorRev);
    view.setText(F.VENDOR_SN, this.serialNumber);
    view.setText(F.DATE_CODE, this.dateCode);
    view.set(F.POWER_CLASS, this.powerClass - 1);
    view.set(F.MAX_POWER, this.maxPowerW * 4);
    view.set(F.CONNECTOR, this.connector);
    view.set(F.MEDIA_TECH, this.mediaTech);
    view.fillChecksum();
  }
}
