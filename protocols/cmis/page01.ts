// CMIS page 01h (advertising): revisions, state durations, supported monitors and controls, lane assignment.
import { CMIS_APPLICATION_LEN, CmisApplication } from './application.ts';
import { CMIS_DURATION_MAX_MS, CmisPageView, cmisBiasMultiplier, type CmisFieldTable } from './common.ts';

export const CMIS_PAGE01 = {
  INACTIVE_FW_MAJOR: { at: 128, type: 'u8' },
  INACTIVE_FW_MINOR: { at: 129, type: 'u8' },
  HW_MAJOR: { at: 130, type: 'u8' },
  HW_MINOR: { at: 131, type: 'u8' },
  BANKS_SUPPORTED: { at: 142, type: 'bits', bits: [0, 1], unit: '0: bank 0, 1: banks 0-1, 2: banks 0-3', assumed: true },
  DP_INIT_DURATION: { at: 144, type: 'bits', bits: [0, 3], unit: 'duration code' },
  DP_DEINIT_DURATION: { at: 144, type: 'bits', bits: [4, 7], unit: 'duration code' },
  TX_DISABLE_SUPPORTED: { at: 155, type: 'bits', bits: [1, 1] },
  RX_LOS_SUPPORTED: { at: 158, type: 'bits', bits: [1, 1] },
  TX_BIAS_MON_SUPPORTED: { at: 160, type: 'bits', bits: [0, 0] },
  TX_POWER_MON_SUPPORTED: { at: 160, type: 'bits', bits: [1, 1] },
  RX_POWER_MON_SUPPORTED: { at: 160, type: 'bits', bits: [2, 2] },
  TX_BIAS_SCALE: { at: 160, type: 'bits', bits: [3, 4], unit: '0: x1, 1: x2, 2: x4' },
  MODULE_PWRUP_DURATION: { at: 167, type: 'bits', bits: [0, 3], unit: 'duration code' },
  MODULE_PWRDN_DURATION: { at: 167, type: 'bits', bits: [4, 7], unit: 'duration code' },
  TX_TURNON_DURATION: { at: 168, type: 'bits', bits: [0, 3], unit: 'duration code' },
  TX_TURNOFF_DURATION: { at: 168, type: 'bits', bits: [4, 7], unit: 'duration code' },
  /** One byte per application 1..15: bit n set if media lane n+1 may start a data path. */
  MEDIA_LANE_ASSIGNMENT: { at: 176, len: 15, type: 'lanes', width: 8 },
  /** Applications 9..15, same 4-byte layout as the lower page's. */
  APPLICATIONS_9_15: { at: 223, len: 7 * CMIS_APPLICATION_LEN, type: 'bytes' },
} as const satisfies CmisFieldTable;

const F = CMIS_PAGE01;

/** Advertised durations in ms (the upper bound of each code). */
export interface CmisDurations {
  modulePwrUpMs: number;
  modulePwrDnMs: number;
  dpInitMs: number;
  dpDeinitMs: number;
  txTurnOnMs: number;
  txTurnOffMs: number;
}

export class CmisPage01View extends CmisPageView {
  static override checked(buf: Uint8Array): CmisPage01View {
    const v = new CmisPage01View(buf, 128);
    v.checkLen();
    return v;
  }
  static unchecked(buf: Uint8Array): CmisPage01View {
    return new CmisPage01View(buf, 128);
  }
  get biasMultiplier(): number {
    return cmisBiasMultiplier(this.get(F.TX_BIAS_SCALE));
  }
  /** Upper bounds advertised for each state duration; reserved codes read as Infinity. */
  get durations(): CmisDurations {
    const ms = (f: (typeof F)[keyof typeof F]) => CMIS_DURATION_MAX_MS[this.get(f)] ?? Infinity;
    return {
      modulePwrUpMs: ms(F.MODULE_PWRUP_DURATION),
      modulePwrDnMs: ms(F.MODULE_PWRDN_DURATION),
      dpInitMs: ms(F.DP_INIT_DURATION),
      dpDeinitMs: ms(F.DP_DEINIT_DURATION),
      txTurnOnMs: ms(F.TX_TURNON_DURATION),
      txTurnOffMs: ms(F.TX_TURNOFF_DURATION),
    };
  }
  /** Applications 9..15 (continuing the lower page's list). */
  get moreApplications(): CmisApplication[] {
    return CmisApplication.parseList(this.raw(F.APPLICATIONS_9_15));
  }
  /** Media lane assignment of application `app` (1..15). */
  mediaLaneAssignment(app: number): number {
    return this.get(F.MEDIA_LANE_ASSIGNMENT, app);
  }
  summary(): string {
    const d = this.durations;
    return `CMIS page 01h hw ${this.get(F.HW_MAJOR)}.${this.get(F.HW_MINOR)} pwrup<${d.modulePwrUpMs}ms dpinit<${d.dpInitMs}ms bias x${this.biasMultiplier}`;
  }
}
