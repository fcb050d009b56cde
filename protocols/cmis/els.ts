// ELSFP pages 1Ah (advertisements, flags, lane controls) and 1Bh (laser setpoints and monitors) of an external laser source.
//
// Offsets follow SONiC's reading of OIF-ELSFP-CMIS-01.0 (`mem_maps/public/cmis/elsfp/pages/
// page1a.py`, `page1b.py`): optical power in 10 uW, bias in 100 uA (protocol-facts.md). Per-lane
// fields hold the 8 lanes of the selected bank (bank n: lanes 8n+1..8n+8). Assumed here: that the
// indexed alarm/warning bytes 186-193 are latched like the lane fault/warning flags.
import { CmisPageView, type CmisFieldTable } from './common.ts';

const lanebits = (at: number, more: { rw?: true; latched?: true; assumed?: true } = {}) => ({ at, type: 'lanes', width: 1, ...more }) as const;

export const ELS_PAGE1A = {
  MAX_OPTICAL_POWER: { at: 128, type: 'u16', unit: '10 uW' },
  MIN_OPTICAL_POWER: { at: 130, type: 'u16', unit: '10 uW' },
  MAX_LASER_BIAS: { at: 132, type: 'u16', unit: '100 uA' },
  MIN_LASER_BIAS: { at: 134, type: 'u16', unit: '100 uA' },
  CONTROL_MODE: { at: 140, type: 'bits', bits: [0, 0], unit: '0 ACC (current), 1 APC (power)' },
  LANE_COUNT: { at: 140, type: 'bits', bits: [1, 7] },
  BIAS_HIGH_ALARM: { at: 141, type: 'u16', unit: '100 uA' },
  BIAS_LOW_ALARM: { at: 143, type: 'u16', unit: '100 uA' },
  BIAS_HIGH_WARN: { at: 145, type: 'u16', unit: '100 uA' },
  BIAS_LOW_WARN: { at: 147, type: 'u16', unit: '100 uA' },
  POWER_HIGH_ALARM: { at: 149, type: 'u16', unit: '10 uW' },
  POWER_LOW_ALARM: { at: 151, type: 'u16', unit: '10 uW' },
  POWER_HIGH_WARN: { at: 153, type: 'u16', unit: '10 uW' },
  POWER_LOW_WARN: { at: 155, type: 'u16', unit: '10 uW' },
  LANE_SUMMARY_FAULT: { at: 165, type: 'bits', bits: [2, 2] },
  LANE_SUMMARY_WARNING: { at: 165, type: 'bits', bits: [3, 3] },
  LANE_FAULT_FLAGS: lanebits(166, { latched: true }),
  LANE_WARN_FLAGS: lanebits(174, { latched: true }),
  SAVE_RESTORE_COMMAND: { at: 184, type: 'u8', rw: true },
  SAVE_RESTORE_CONFIRM: { at: 185, type: 'u8' },
  HIGH_BIAS_ALARM: lanebits(186, { latched: true, assumed: true }),
  LOW_BIAS_ALARM: lanebits(187, { latched: true, assumed: true }),
  HIGH_BIAS_WARN: lanebits(188, { latched: true, assumed: true }),
  LOW_BIAS_WARN: lanebits(189, { latched: true, assumed: true }),
  HIGH_POWER_ALARM: lanebits(190, { latched: true, assumed: true }),
  LOW_POWER_ALARM: lanebits(191, { latched: true, assumed: true }),
  HIGH_POWER_WARN: lanebits(192, { latched: true, assumed: true }),
  LOW_POWER_WARN: lanebits(193, { latched: true, assumed: true }),
  MASKS: { at: 198, len: 8, type: 'bytes', rw: true, unit: 'masks of bytes 186-193' },
  GLOBAL_ALARM_MASK: lanebits(210, { rw: true }),
  GLOBAL_WARN_MASK: lanebits(211, { rw: true }),
  /** Per lane: fault code in bits 3-0, warning code in bits 7-4 (1 APC loop, 2 ACC loop). */
  FAULT_WARN_CODE: { at: 212, len: 8, type: 'lanes', width: 8 },
  LANE_ENABLE: lanebits(220, { rw: true }),
  /** 2 bits per lane, lane 1 in bits 1-0 of byte 221: 0 off, 1 ramping, 2 on. */
  LANE_STATE: { at: 221, len: 2, type: 'lanes', width: 2 },
  OUTPUT_FIBER_CHECKED: lanebits(223, { rw: true }),
  LANE_TO_FIBER: { at: 224, len: 8, type: 'lanes', width: 8 },
  LANE_FREQUENCY: { at: 232, len: 16, type: 'lanes', width: 16, unit: '5 GHz' },
  FIBER_CHECK_POWER: { at: 248, type: 'u8', unit: '1 mW' },
} as const satisfies CmisFieldTable;

export const ELS_PAGE1B = {
  BIAS_SETPOINT: { at: 128, len: 16, type: 'lanes', width: 16, rw: true, unit: '100 uA' },
  POWER_SETPOINT: { at: 144, len: 16, type: 'lanes', width: 16, rw: true, unit: '10 uW' },
  BIAS_MONITOR: { at: 184, len: 16, type: 'lanes', width: 16, unit: '100 uA' },
  POWER_MONITOR: { at: 200, len: 16, type: 'lanes', width: 16, unit: '10 uW' },
  VOLTAGE_MONITOR: { at: 232, len: 8, type: 'lanes', width: 8, unit: '15 mV' },
  ICC_MONITOR: { at: 240, type: 'u16', unit: '200 uA' },
} as const satisfies CmisFieldTable;

export const ELS_LANE_STATE = { OFF: 0, RAMPING: 1, ON: 2 } as const;

/** ELS optical power: u16 in 10 uW, to mW. */
export function elsPowerMw(raw: number): number {
  return raw / 100;
}
/** ELS laser bias: u16 in 100 uA, to mA. */
export function elsBiasMa(raw: number): number {
  return raw / 10;
}

export class ElsPage1AView extends CmisPageView {
  static override checked(buf: Uint8Array): ElsPage1AView {
    const v = new ElsPage1AView(buf, 128);
    v.checkLen();
    return v;
  }
  static unchecked(buf: Uint8Array): ElsPage1AView {
    return new ElsPage1AView(buf, 128);
  }
  get laneCount(): number {
    return this.get(ELS_PAGE1A.LANE_COUNT);
  }
  laneState(lane: number): number {
    return this.get(ELS_PAGE1A.LANE_STATE, lane);
  }
  summary(): string {
    return `ELSFP page 1Ah ${this.laneCount} lanes enable ${this.getMask(ELS_PAGE1A.LANE_ENABLE).toString(2).padStart(8, '0')} faults ${this.getMask(ELS_PAGE1A.LANE_FAULT_FLAGS).toString(2).padStart(8, '0')}`;
  }
}

export class ElsPage1BView extends CmisPageView {
  static override checked(buf: Uint8Array): ElsPage1BView {
    const v = new ElsPage1BView(buf, 128);
    v.checkLen();
    return v;
  }
  static unchecked(buf: Uint8Array): ElsPage1BView {
    return new ElsPage1BView(buf, 128);
  }
  powerMw(lane: number): number {
    return elsPowerMw(this.get(ELS_PAGE1B.POWER_MONITOR, lane));
  }
  biasMa(lane: number): number {
    return elsBiasMa(this.get(ELS_PAGE1B.BIAS_MONITOR, lane));
  }
  summary(): string {
    return `ELSFP page 1Bh power [${Array.from({ length: 8 }, (_, i) => this.powerMw(i + 1).toFixed(1)).join(',')}] mW`;
  }
}
