// CMIS lower memory (bytes 0-127): identity, module state, module flags and monitors, global controls, applications.
import { hex } from '../wire.ts';
import { CMIS_APPLICATIONS_LEN, CmisApplication } from './application.ts';
import { cmisIdentifierName, cmisModuleStateName } from './codes.ts';
import { CmisPageView, cmisTemperatureC, cmisVccV, type CmisFieldTable } from './common.ts';

export const CMIS_LOWER = {
  IDENTIFIER: { at: 0, type: 'u8', unit: 'SFF-8024 identifier' },
  REVISION: { at: 1, type: 'u8', unit: 'major (bits 7-4) . minor (bits 3-0)' },
  FLAT_MEM: { at: 2, type: 'bits', bits: [7, 7], unit: '1 = flat memory (no upper pages but 00h)' },
  MODULE_STATE: { at: 3, type: 'bits', bits: [1, 3], unit: 'CMIS_MODULE_STATE' },
  INTERRUPT_DEASSERTED: { at: 3, type: 'bits', bits: [0, 0] },
  STATE_CHANGED_FLAG: { at: 8, type: 'bits', bits: [0, 0], latched: true },
  MODULE_FW_FAULT_FLAG: { at: 8, type: 'bits', bits: [1, 1], latched: true },
  DP_FW_FAULT_FLAG: { at: 8, type: 'bits', bits: [2, 2], latched: true },
  /** Bit 0 high alarm, 1 low alarm, 2 high warning, 3 low warning. */
  TEMP_FLAGS: { at: 9, type: 'bits', bits: [0, 3], latched: true },
  VCC_FLAGS: { at: 9, type: 'bits', bits: [4, 7], latched: true },
  AUX_FLAGS: { at: 10, len: 2, type: 'bytes', latched: true, unit: 'Aux 1-3 and custom monitor flags' },
  TEMPERATURE: { at: 14, type: 's16', unit: '1/256 degC' },
  VCC: { at: 16, type: 'u16', unit: '100 uV' },
  AUX1: { at: 18, type: 's16' },
  AUX2: { at: 20, type: 's16' },
  AUX3: { at: 22, type: 's16' },
  CUSTOM_MON: { at: 24, type: 'u16' },
  LOW_PWR_ALLOW_REQUEST_HW: { at: 26, type: 'bits', bits: [6, 6], rw: true },
  SQUELCH_METHOD: { at: 26, type: 'bits', bits: [5, 5], rw: true },
  LOW_PWR_REQUEST_SW: { at: 26, type: 'bits', bits: [4, 4], rw: true },
  SOFTWARE_RESET: { at: 26, type: 'bits', bits: [3, 3], rw: true },
  MODULE_MASKS: { at: 31, len: 6, type: 'bytes', rw: true, assumed: true, unit: 'masks of bytes 8-13' },
  CDB_STATUS: { at: 37, len: 2, type: 'bytes' },
  ACTIVE_FW_MAJOR: { at: 39, type: 'u8' },
  ACTIVE_FW_MINOR: { at: 40, type: 'u8' },
  FAULT_CAUSE: { at: 41, type: 'u8', unit: 'CMIS_FAULT_CAUSE' },
  MEDIA_TYPE: { at: 85, type: 'u8', unit: 'CMIS_MEDIA_TYPE' },
  APPLICATIONS: { at: 86, len: CMIS_APPLICATIONS_LEN, type: 'bytes', unit: '8 application descriptors of 4 bytes' },
  BANK_SELECT: { at: 126, type: 'u8', rw: true },
  PAGE_SELECT: { at: 127, type: 'u8', rw: true },
} as const satisfies CmisFieldTable;

/** Bits of TEMP_FLAGS / VCC_FLAGS (and of the lane flag bytes' order on page 11h). */
export const CMIS_FLAG = { HIGH_ALARM: 1, LOW_ALARM: 2, HIGH_WARN: 4, LOW_WARN: 8 } as const;

const F = CMIS_LOWER;

export class CmisLowerView extends CmisPageView {
  static override checked(buf: Uint8Array): CmisLowerView {
    const v = new CmisLowerView(buf, 0);
    v.checkLen();
    return v;
  }
  static unchecked(buf: Uint8Array): CmisLowerView {
    return new CmisLowerView(buf, 0);
  }
  get identifier(): number {
    return this.get(F.IDENTIFIER);
  }
  /** CMIS revision as major.minor (0x50 -> 5.0). */
  get revision(): string {
    const r = this.get(F.REVISION);
    return `${r >> 4}.${r & 15}`;
  }
  get flatMemory(): boolean {
    return this.get(F.FLAT_MEM) === 1;
  }
  get moduleState(): number {
    return this.get(F.MODULE_STATE);
  }
  get temperatureC(): number {
    return cmisTemperatureC(this.get(F.TEMPERATURE));
  }
  get vccV(): number {
    return cmisVccV(this.get(F.VCC));
  }
  get lowPwrRequestSw(): boolean {
    return this.get(F.LOW_PWR_REQUEST_SW) === 1;
  }
  get lowPwrAllowRequestHw(): boolean {
    return this.get(F.LOW_PWR_ALLOW_REQUEST_HW) === 1;
  }
  get faultCause(): number {
    return this.get(F.FAULT_CAUSE);
  }
  get mediaType(): number {
    return this.get(F.MEDIA_TYPE);
  }
  /** Advertised applications 1..8, up to the first unused descriptor (host ID 0xff or 0). */
  get applications(): CmisApplication[] {
    return CmisApplication.parseList(this.raw(F.APPLICATIONS));
  }
  summary(): string {
    return `CMIS ${cmisIdentifierName(this.identifier)} rev ${this.revision} ${cmisModuleStateName(this.moduleState)} ${this.temperatureC.toFixed(1)} C ${this.vccV.toFixed(4)} V page ${hex(this.get(F.PAGE_SELECT), 2)}`;
  }
}
