// CMIS and SFF-8024 code values and names: identifiers, states, config status, interface IDs, power classes.
//
// Names follow SFF-8024 Rev 4.13 as transcribed by ethtool (`sff-common`) and SONiC `codes/public`;
// the LPO media codes and 800G-FR4-LPO (147) are the ones protocol-facts.md lists. Unknown values
// keep their number: every `...Name()` returns a hex string for them.
import { hex } from '../wire.ts';

/** Lower page byte 0 (SFF-8024 Table 4-1); 0x02 is "module soldered to motherboard" (used here for NPO/CPO engines). */
export const CMIS_IDENTIFIER = { ON_BOARD: 0x02, QSFP_DD: 0x18, OSFP: 0x19, QSFP_CMIS: 0x1e } as const;
const IDENTIFIER_NAMES: Record<number, string> = { 0x02: 'On-board', 0x18: 'QSFP-DD', 0x19: 'OSFP', 0x1e: 'QSFP+C' };

export const CMIS_MODULE_STATE = { LOW_PWR: 1, PWR_UP: 2, READY: 3, PWR_DN: 4, FAULT: 5 } as const;
const MODULE_STATE_NAMES = ['', 'ModuleLowPwr', 'ModulePwrUp', 'ModuleReady', 'ModulePwrDn', 'ModuleFault'];

/** Page 11h bytes 128-131, one nibble per lane. */
export const CMIS_DP_STATE = {
  DEACTIVATED: 1,
  INIT: 2,
  DEINIT: 3,
  ACTIVATED: 4,
  TX_TURN_ON: 5,
  TX_TURN_OFF: 6,
  INITIALIZED: 7,
} as const;
const DP_STATE_NAMES = ['', 'DPDeactivated', 'DPInit', 'DPDeinit', 'DPActivated', 'DPTxTurnOn', 'DPTxTurnOff', 'DPInitialized'];

/** Page 11h bytes 202-205, one nibble per lane. */
export const CMIS_CONFIG_STATUS = {
  UNDEFINED: 0,
  SUCCESS: 1,
  REJECTED: 2,
  REJECTED_INVALID_APSEL: 3,
  REJECTED_INVALID_DATA_PATH: 4,
  REJECTED_INVALID_SI: 5,
  REJECTED_LANE_IN_USE: 6,
  REJECTED_PARTIAL_DATA_PATH: 7,
  IN_PROGRESS: 12,
} as const;
const CONFIG_STATUS_NAMES: Record<number, string> = {
  0: 'ConfigUndefined',
  1: 'ConfigSuccess',
  2: 'ConfigRejected',
  3: 'ConfigRejectedInvalidAppSel',
  4: 'ConfigRejectedInvalidDataPath',
  5: 'ConfigRejectedInvalidSI',
  6: 'ConfigRejectedLaneInUse',
  7: 'ConfigRejectedPartialDataPath',
  12: 'ConfigInProgress',
};

/** Lower page byte 41. */
export const CMIS_FAULT_CAUSE = { NONE: 0, TEC_RUNAWAY: 1, DATA_MEMORY_CORRUPTED: 2, PROGRAM_MEMORY_CORRUPTED: 3 } as const;
const FAULT_CAUSE_NAMES = ['No fault', 'TEC runaway', 'Data memory corrupted', 'Program memory corrupted'];

/** Lower page byte 85: which SFF-8024 table the media interface IDs come from. */
export const CMIS_MEDIA_TYPE = { MMF: 1, SMF: 2, PASSIVE_COPPER: 3, ACTIVE_CABLE: 4, BASE_T: 5 } as const;

/** Host electrical interface IDs (SFF-8024 Table 4-5), the 100G..1.6T ones and the linear ones. */
export const SFF8024_HOST: Record<number, string> = {
  0x0b: 'CAUI-4 C2M',
  0x0c: '100GAUI-4 C2M',
  0x0d: '100GAUI-2 C2M',
  0x0f: '200GAUI-4 C2M',
  0x11: '400GAUI-8 C2M',
  0x20: 'LEI-100G-PAM4-1',
  0x21: 'LEI-200G-PAM4-2',
  0x22: 'LEI-400G-PAM4-4',
  0x23: 'LEI-800G-PAM4-8',
  0x4b: '100GAUI-1-S C2M',
  0x4c: '100GAUI-1-L C2M',
  0x4d: '200GAUI-2-S C2M',
  0x4e: '200GAUI-2-L C2M',
  0x4f: '400GAUI-4-S C2M',
  0x50: '400GAUI-4-L C2M',
  0x51: '800GAUI-8 S C2M',
  0x52: '800GAUI-8 L C2M',
  0x55: '1.6TAUI-16-S C2M',
  0x56: '1.6TAUI-16-L C2M',
  0x74: 'CEI-112G-LINEAR-PAM4',
  0x80: '200GAUI-1 C2M',
  0x81: '400GAUI-2 C2M',
  0x82: '800GAUI-4 C2M',
  0x83: '1.6TAUI-8 C2M',
  0xff: 'Unused',
};

/** Single-mode media interface IDs (SFF-8024 Table 4-7), 100G..1.6T and LPO. */
export const SFF8024_SMF_MEDIA: Record<number, string> = {
  0x10: '100G CWDM4',
  0x14: '100GBASE-DR',
  0x15: '100G-FR/100GBASE-FR1',
  0x16: '100G-LR/100GBASE-LR1',
  0x17: '200GBASE-DR4',
  0x18: '200GBASE-FR4',
  0x19: '200GBASE-LR4',
  0x1c: '400GBASE-DR4',
  0x1d: '400G-FR4/400GBASE-FR4',
  0x1e: '400G-LR4-10',
  0x55: '400GBASE-DR4-2',
  0x56: '800GBASE-DR8',
  0x57: '800GBASE-DR8-2',
  0x73: '200GBASE-DR1',
  0x75: '400GBASE-DR2',
  0x77: '800GBASE-DR4',
  0x78: '800GBASE-DR4-2',
  0x79: '800GBASE-FR4-500',
  0x7a: '800GBASE-FR4',
  0x7b: '800GBASE-LR4',
  0x7c: '800GBASE-LR1',
  0x7f: '1.6TBASE-DR8',
  0x80: '1.6TBASE-DR8-2',
  0x8f: '100G-DR1-LPO',
  0x90: '200G-DR2-LPO',
  0x91: '400G-DR4-LPO',
  0x92: '800G-DR8-LPO',
  0x93: '800G-FR4-LPO',
};

/** Multimode media interface IDs (SFF-8024 Table 4-6), the ones used with these rates. */
export const SFF8024_MMF_MEDIA: Record<number, string> = {
  0x09: '100GBASE-SR4',
  0x0e: '200GBASE-SR4',
  0x10: '400GBASE-SR8',
  0x11: '400GBASE-SR4',
  0x12: '800GBASE-SR8',
  0x22: '800G-SR4.2',
  0x24: '1.6T-SR8.2',
};

/** The code values named in protocol-facts.md, by name, for code that builds applications. */
export const SFF8024 = {
  HOST_400GAUI_8: 0x11,
  HOST_400GAUI_4_S: 0x4f,
  HOST_800GAUI_8_S: 0x51,
  HOST_800GAUI_8_L: 0x52,
  HOST_800GAUI_4: 0x82,
  HOST_1_6TAUI_8: 0x83,
  HOST_CEI_112G_LINEAR_PAM4: 0x74,
  SMF_400GBASE_DR4: 0x1c,
  SMF_400GBASE_FR4: 0x1d,
  SMF_400G_LR4_10: 0x1e,
  SMF_800GBASE_DR8: 0x56,
  SMF_800GBASE_DR4: 0x77,
  SMF_1_6TBASE_DR8: 0x7f,
  SMF_400G_DR4_LPO: 0x91,
  SMF_800G_DR8_LPO: 0x92,
  SMF_800G_FR4_LPO: 0x93,
} as const;

export function cmisIdentifierName(v: number): string {
  return IDENTIFIER_NAMES[v] ?? hex(v, 2);
}
export function cmisModuleStateName(v: number): string {
  return MODULE_STATE_NAMES[v] || hex(v, 2);
}
export function cmisDpStateName(v: number): string {
  return DP_STATE_NAMES[v] || hex(v, 1);
}
export function cmisConfigStatusName(v: number): string {
  return CONFIG_STATUS_NAMES[v] ?? hex(v, 1);
}
export function cmisFaultCauseName(v: number): string {
  return FAULT_CAUSE_NAMES[v] ?? hex(v, 2);
}
export function sff8024HostName(v: number): string {
  return SFF8024_HOST[v] ?? (v >= 0xc0 && v < 0xff ? 'Vendor specific' : hex(v, 2));
}
/** Media interface names depend on the media type of lower page byte 85. */
export function sff8024MediaName(v: number, mediaType: number = CMIS_MEDIA_TYPE.SMF): string {
  const table = mediaType === CMIS_MEDIA_TYPE.MMF ? SFF8024_MMF_MEDIA : mediaType === CMIS_MEDIA_TYPE.SMF ? SFF8024_SMF_MEDIA : {};
  return table[v] ?? (v >= 0xc0 ? 'Vendor specific' : hex(v, 2));
}

/**
 * Upper limit in W of power classes 1..8 (QSFP-DD / OSFP hardware specifications); class 8 means
 * "above 14 W" and the module states its maximum in upper page 00h byte 201.
 */
export const CMIS_POWER_CLASS_MAX_W = [1.5, 3.5, 7, 8, 10, 12, 14, Infinity] as const;

/** The smallest power class (1..8) whose limit covers `watts`. */
export function cmisPowerClassForWatts(watts: number): number {
  return CMIS_POWER_CLASS_MAX_W.findIndex((max) => watts <= max) + 1;
}
