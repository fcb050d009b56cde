// CMIS page 11h (lane status): data-path states, latched lane flags, lane monitors, config status, active control set.
import { cmisApSelDecode, type CmisApSel } from './application.ts';
import { cmisConfigStatusName, cmisDpStateName } from './codes.ts';
import { CmisPageView, cmisBiasMa, cmisPowerMw, type CmisField, type CmisFieldTable } from './common.ts';

/** A latched per-lane flag byte (bit n = lane n+1). */
const flag = (at: number) => ({ at, type: 'lanes', width: 1, latched: true }) as const;

export const CMIS_PAGE11 = {
  /** One nibble per host lane, lane 1 in bits 3-0 of byte 128 (CMIS_DP_STATE). */
  DP_STATE: { at: 128, len: 4, type: 'lanes', width: 4, unit: 'CMIS_DP_STATE' },
  RX_OUTPUT_STATUS: { at: 132, type: 'lanes', width: 1, unit: '1 = Rx output valid' },
  TX_OUTPUT_STATUS: { at: 133, type: 'lanes', width: 1, unit: '1 = Tx output valid' },
  DP_STATE_CHANGED: flag(134),
  TX_FAULT: flag(135),
  TX_LOS: flag(136),
  TX_CDR_LOL: flag(137),
  TX_ADAPT_EQ_FAIL: flag(138),
  TX_POWER_HIGH_ALARM: flag(139),
  TX_POWER_LOW_ALARM: flag(140),
  TX_POWER_HIGH_WARN: flag(141),
  TX_POWER_LOW_WARN: flag(142),
  TX_BIAS_HIGH_ALARM: flag(143),
  TX_BIAS_LOW_ALARM: flag(144),
  TX_BIAS_HIGH_WARN: flag(145),
  TX_BIAS_LOW_WARN: flag(146),
  RX_LOS: flag(147),
  RX_CDR_LOL: flag(148),
  RX_POWER_HIGH_ALARM: flag(149),
  RX_POWER_LOW_ALARM: flag(150),
  RX_POWER_HIGH_WARN: flag(151),
  RX_POWER_LOW_WARN: flag(152),
  TX_POWER: { at: 154, len: 16, type: 'lanes', width: 16, unit: '0.1 uW' },
  TX_BIAS: { at: 170, len: 16, type: 'lanes', width: 16, unit: '2 uA x multiplier' },
  RX_POWER: { at: 186, len: 16, type: 'lanes', width: 16, unit: '0.1 uW' },
  /** One nibble per host lane, as DP_STATE (CMIS_CONFIG_STATUS). */
  CONFIG_STATUS: { at: 202, len: 4, type: 'lanes', width: 4, unit: 'CMIS_CONFIG_STATUS' },
  /** Active control set: one ApSel byte per host lane. */
  ACTIVE_APSEL: { at: 206, len: 8, type: 'lanes', width: 8 },
  DP_INIT_PENDING: { at: 235, type: 'lanes', width: 1 },
} as const satisfies CmisFieldTable;

const F = CMIS_PAGE11;

/** For each monitor, its four flag fields (high alarm, low alarm, high warning, low warning). */
export const CMIS_LANE_FLAGS = {
  TX_POWER: [F.TX_POWER_HIGH_ALARM, F.TX_POWER_LOW_ALARM, F.TX_POWER_HIGH_WARN, F.TX_POWER_LOW_WARN],
  TX_BIAS: [F.TX_BIAS_HIGH_ALARM, F.TX_BIAS_LOW_ALARM, F.TX_BIAS_HIGH_WARN, F.TX_BIAS_LOW_WARN],
  RX_POWER: [F.RX_POWER_HIGH_ALARM, F.RX_POWER_LOW_ALARM, F.RX_POWER_HIGH_WARN, F.RX_POWER_LOW_WARN],
} as const satisfies Record<string, readonly CmisField[]>;

export class CmisPage11View extends CmisPageView {
  static override checked(buf: Uint8Array): CmisPage11View {
    const v = new CmisPage11View(buf, 128);
    v.checkLen();
    return v;
  }
  static unchecked(buf: Uint8Array): CmisPage11View {
    return new CmisPage11View(buf, 128);
  }
  /** `lane` 1..8 throughout. */
  dpState(lane: number): number {
    return this.get(F.DP_STATE, lane);
  }
  configStatus(lane: number): number {
    return this.get(F.CONFIG_STATUS, lane);
  }
  activeApSel(lane: number): CmisApSel {
    return cmisApSelDecode(this.get(F.ACTIVE_APSEL, lane));
  }
  txPowerMw(lane: number): number {
    return cmisPowerMw(this.get(F.TX_POWER, lane));
  }
  rxPowerMw(lane: number): number {
    return cmisPowerMw(this.get(F.RX_POWER, lane));
  }
  /** `multiplier` from page 01h (CmisPage01View.biasMultiplier). */
  txBiasMa(lane: number, multiplier = 1): number {
    return cmisBiasMa(this.get(F.TX_BIAS, lane), multiplier);
  }
  /** A flag byte as a lane mask (bit n = lane n+1). */
  flags(f: CmisField): number {
    return this.getMask(f);
  }
  summary(): string {
    const lanes = Array.from({ length: 8 }, (_, i) => i + 1);
    return `CMIS page 11h dp [${lanes.map((l) => cmisDpStateName(this.dpState(l))).join(',')}] config [${lanes.map((l) => cmisConfigStatusName(this.configStatus(l))).join(',')}]`;
  }
}
