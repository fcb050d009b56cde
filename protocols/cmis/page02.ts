// CMIS page 02h (thresholds): high/low alarm and warning levels of the module and lane monitors, in units.
import {
  CmisPageView,
  cmisBiasMa,
  cmisBiasRaw,
  cmisPowerMw,
  cmisPowerRaw,
  cmisTemperatureC,
  cmisTemperatureRaw,
  cmisVccRaw,
  cmisVccV,
  type CmisField,
  type CmisFieldTable,
} from './common.ts';

/** Each monitor has four 2-byte thresholds in this order. */
const T = (at: number, type: 'u16' | 's16', unit: string) =>
  ({
    HIGH_ALARM: { at, type, unit },
    LOW_ALARM: { at: at + 2, type, unit },
    HIGH_WARN: { at: at + 4, type, unit },
    LOW_WARN: { at: at + 6, type, unit },
  }) as const;

export const CMIS_PAGE02 = {
  TEMPERATURE: T(128, 's16', '1/256 degC'),
  VCC: T(136, 'u16', '100 uV'),
  TX_POWER: T(176, 'u16', '0.1 uW'),
  TX_BIAS: T(184, 'u16', '2 uA x multiplier'),
  RX_POWER: T(192, 'u16', '0.1 uW'),
} as const;

/** The page's fields as one flat table (for the memory's masks and table-driven tests). */
export const CMIS_PAGE02_FIELDS: CmisFieldTable = Object.fromEntries(
  Object.entries(CMIS_PAGE02).flatMap(([m, t]) => Object.entries(t).map(([k, f]) => [`${m}_${k}`, f as CmisField])),
);

export interface CmisThresholdSet {
  highAlarm: number;
  lowAlarm: number;
  highWarn: number;
  lowWarn: number;
}

export type CmisMonitorName = keyof typeof CMIS_PAGE02;

/** Units: temperature degC, vcc V, txPower/rxPower mW, txBias mA. */
export interface CmisThresholdsInit {
  temperature: CmisThresholdSet;
  vcc: CmisThresholdSet;
  txPower: CmisThresholdSet;
  txBias: CmisThresholdSet;
  rxPower: CmisThresholdSet;
}

type Codec = [field: CmisMonitorName, dec: (raw: number, mult: number) => number, enc: (v: number, mult: number) => number];
const CODECS: Record<keyof CmisThresholdsInit, Codec> = {
  temperature: ['TEMPERATURE', (r) => cmisTemperatureC(r), (v) => cmisTemperatureRaw(v)],
  vcc: ['VCC', (r) => cmisVccV(r), (v) => cmisVccRaw(v)],
  txPower: ['TX_POWER', (r) => cmisPowerMw(r), (v) => cmisPowerRaw(v)],
  txBias: ['TX_BIAS', (r, m) => cmisBiasMa(r, m), (v, m) => cmisBiasRaw(v, m)],
  rxPower: ['RX_POWER', (r) => cmisPowerMw(r), (v) => cmisPowerRaw(v)],
};
const KEYS = ['highAlarm', 'lowAlarm', 'highWarn', 'lowWarn'] as const;
const FIELD_KEYS = { highAlarm: 'HIGH_ALARM', lowAlarm: 'LOW_ALARM', highWarn: 'HIGH_WARN', lowWarn: 'LOW_WARN' } as const;

export class CmisPage02View extends CmisPageView {
  static override checked(buf: Uint8Array): CmisPage02View {
    const v = new CmisPage02View(buf, 128);
    v.checkLen();
    return v;
  }
  static unchecked(buf: Uint8Array): CmisPage02View {
    return new CmisPage02View(buf, 128);
  }
  summary(): string {
    const t = CMIS_PAGE02.TEMPERATURE;
    return `CMIS page 02h temperature ${cmisTemperatureC(this.get(t.LOW_ALARM))}..${cmisTemperatureC(this.get(t.HIGH_ALARM))} C`;
  }
}

export class CmisThresholds implements CmisThresholdsInit {
  readonly temperature: CmisThresholdSet;
  readonly vcc: CmisThresholdSet;
  readonly txPower: CmisThresholdSet;
  readonly txBias: CmisThresholdSet;
  readonly rxPower: CmisThresholdSet;
  constructor(init: CmisThresholdsInit) {
    this.temperature = { ...init.temperature };
    this.vcc = { ...init.vcc };
    this.txPower = { ...init.txPower };
    this.txBias = { ...init.txBias };
    this.rxPower = { ...init.rxPower };
  }
  /** `biasMultiplier` from page 01h (CmisPage01View.biasMultiplier). */
  static parse(view: CmisPage02View, biasMultiplier = 1): CmisThresholds {
    const init = {} as Record<keyof CmisThresholdsInit, CmisThresholdSet>;
    for (const [name, [m, dec]] of Object.entries(CODECS) as Array<[keyof CmisThresholdsInit, Codec]>) {
      const set = {} as CmisThresholdSet;
      for (const k of KEYS) set[k] = dec(view.get(CMIS_PAGE02[m][FIELD_KEYS[k]]), biasMultiplier);
      init[name] = set;
    }
    return new CmisThresholds(init);
  }
  bufferLen(): number {
    return 128;
  }
  /** Values must be representable (WireError otherwise); they are rounded to the register unit. */
  emit(view: CmisPage02View, biasMultiplier = 1): void {
    for (const [name, [m, , enc]] of Object.entries(CODECS) as Array<[keyof CmisThresholdsInit, Codec]>) {
      for (const k of KEYS) view.set(CMIS_PAGE02[m][FIELD_KEYS[k]], enc(this[name][k], biasMultiplier));
    }
  }
}
