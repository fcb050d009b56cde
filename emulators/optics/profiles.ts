// Optical technology profiles (conventional DSP, LPO, LRO, NPO, CPO) with the seed-fact figures they come from.
//
// Figures cite shared/spec/seed-facts.md §5 (OPT-1..10) in `facts`; every number the seed facts
// do not give is listed in `assumed` with the reason for its value. Seed-fact orderings that the
// assumptions keep: power conventional > LRO > LPO and pluggable > NPO > CPO (OPT-3, OPT-4,
// OPT-8); pre-FEC BER LPO > LRO > conventional > NPO > CPO (OPT-3 "higher BER", OPT-6 "lowest
// BER"); reach LPO/LRO 500 m, NPO/CPO 2 km (OPT-3, OPT-4, OPT-8).
import { CMIS_IDENTIFIER, SFF8024, cmisPowerClassForWatts, type CmisApplicationInit } from '../../protocols/cmis/index.ts';

export type OpticsTechnology = 'conventional' | 'lpo' | 'lro' | 'npo' | 'cpo';

/** Durations of the module's transient states, ms (all assumed: typical advertised values). */
export interface OpticsTiming {
  pwrUpMs: number;
  pwrDnMs: number;
  dpInitMs: number;
  dpDeinitMs: number;
  txTurnOnMs: number;
  txTurnOffMs: number;
  /** From ApplyDPInit to the config status leaving ConfigInProgress. */
  configMs: number;
}

export interface OpticsProfile {
  readonly id: string;
  readonly technology: OpticsTechnology;
  readonly description: string;
  readonly rateGbps: number;
  readonly hostLanes: number;
  readonly mediaLanes: number;
  /** Lower page byte 0. */
  readonly identifier: number;
  readonly partNumber: string;
  /** Full-load draw of one module (or one port of an engine), W. */
  readonly powerW: number;
  readonly reachM: number;
  /** Pre-FEC bit error ratio at zero length. */
  readonly preFecBer: number;
  /** Advertised applications, ApSel 1 first. */
  readonly applications: readonly CmisApplicationInit[];
  /** Power class 1..8 and maximum power for upper page 00h bytes 200-201 (from powerW). */
  readonly powerClass: number;
  readonly maxPowerW: number;
  /** Nominal launch power per media lane, dBm. */
  readonly txPowerDbm: number;
  readonly rxSensitivityDbm: number;
  /** Rx power below which the lane reports loss of signal, dBm. */
  readonly rxLosDbm: number;
  /** Nominal laser bias per lane, mA; 0 when the laser is outside (CPO with an ELS). */
  readonly biasMa: number;
  /** CPO: the light comes from an external laser source (OPT-7). */
  readonly needsEls: boolean;
  /** NPO/CPO: the optical engine that the port is a split of (OPT-5, OPT-6). */
  readonly engine?: { readonly rateGbps: number; readonly ports: number; readonly powerW: number };
  /** Upper page 00h byte 203 (SFF-8024 connector) and 212 (media interface technology). */
  readonly connector: number;
  readonly mediaTech: number;
  readonly timing: OpticsTiming;
  /**
   * Coherent optics on an amplified line system: the amplifiers restore the signal every
   * `ampSpanKm`, so the receiver sees the loss of at most one span of `lossDbPerKm` fibre
   * (link.ts). Absent: an unamplified point-to-point cable.
   */
  readonly line?: { readonly lossDbPerKm: number; readonly ampSpanKm: number };
  readonly facts: readonly string[];
  readonly assumed: readonly string[];
}

type ProfileInit = Omit<OpticsProfile, 'powerClass' | 'maxPowerW'>;

const LC = 0x07;
const MPO_1X12 = 0x0c;
const NO_SEPARABLE_CONNECTOR = 0x23;
const EML_1310 = 0x06;
const OTHERS = 0x08;
/** CMIS media interface technology: C-band tunable laser. */
const C_BAND_TUNABLE = 0x10;
/** Media interface code from the vendor-specific range (C0h and up) of SFF-8024. */
const MEDIA_CUSTOM_800G_COHERENT = 0xc0;

const DSP_TIMING: OpticsTiming = { pwrUpMs: 2000, pwrDnMs: 200, dpInitMs: 300, dpDeinitMs: 20, txTurnOnMs: 60, txTurnOffMs: 20, configMs: 2 };
/** No DSP to bring up and lock (OPT-3). */
const LINEAR_TIMING: OpticsTiming = { pwrUpMs: 300, pwrDnMs: 100, dpInitMs: 30, dpDeinitMs: 5, txTurnOnMs: 20, txTurnOffMs: 5, configMs: 2 };
const ENGINE_TIMING: OpticsTiming = { pwrUpMs: 1000, pwrDnMs: 100, dpInitMs: 100, dpDeinitMs: 10, txTurnOnMs: 20, txTurnOffMs: 10, configMs: 2 };

const LINK = { txPowerDbm: 1, rxSensitivityDbm: -6, rxLosDbm: -12 } as const;
const LINK_ASSUMED = 'launch +1 dBm/lane, sensitivity -6 dBm, LOS -12 dBm (typical short-reach PMD figures)';

const app = (host: number, media: number, hostLanes: number, mediaLanes: number, assignment: number): CmisApplicationInit => ({
  hostInterfaceId: host,
  mediaInterfaceId: media,
  hostLaneCount: hostLanes,
  mediaLaneCount: mediaLanes,
  hostLaneAssignment: assignment,
});

function profile(p: ProfileInit): OpticsProfile {
  return { ...p, powerClass: cmisPowerClassForWatts(p.powerW), maxPowerW: Math.ceil(p.powerW * 4) / 4 };
}

const PROFILES: readonly OpticsProfile[] = [
  profile({
    id: 'conventional-400g-fr4',
    technology: 'conventional',
    description: '400G FR4 QSFP-DD with DSP: 8 x 50G host lanes, 4 CWDM wavelengths',
    rateGbps: 400,
    hostLanes: 8,
    mediaLanes: 4,
    identifier: CMIS_IDENTIFIER.QSFP_DD,
    partNumber: 'FH-400G-FR4',
    powerW: 10,
    reachM: 2000,
    preFecBer: 1e-6,
    // ApSel 2: 4 x 100G-FR breakout, 2 host lanes to 1 wavelength each.
    applications: [app(SFF8024.HOST_400GAUI_8, SFF8024.SMF_400GBASE_FR4, 8, 4, 0x01), app(0x0d, 0x15, 2, 1, 0x55)],
    ...LINK,
    biasMa: 50,
    needsEls: false,
    connector: LC,
    mediaTech: EML_1310,
    timing: DSP_TIMING,
    facts: ['OPT-1', 'OPT-2', 'OPT-8'],
    assumed: ['reach 2 km: IEEE 400GBASE-FR4', 'pre-FEC BER 1e-6', 'bias 50 mA', LINK_ASSUMED, 'timing'],
  }),
  profile({
    id: 'conventional-400g-lr4',
    technology: 'conventional',
    description: '400G LR4-10 QSFP-DD with DSP: the > 10 km conventional class',
    rateGbps: 400,
    hostLanes: 8,
    mediaLanes: 4,
    identifier: CMIS_IDENTIFIER.QSFP_DD,
    partNumber: 'FH-400G-LR4',
    powerW: 12,
    reachM: 10_000,
    preFecBer: 1e-6,
    applications: [app(SFF8024.HOST_400GAUI_8, SFF8024.SMF_400G_LR4_10, 8, 4, 0x01)],
    ...LINK,
    rxSensitivityDbm: -9,
    rxLosDbm: -15,
    biasMa: 60,
    needsEls: false,
    connector: LC,
    mediaTech: EML_1310,
    timing: DSP_TIMING,
    facts: ['OPT-8'],
    assumed: ['12 W (above FR4 for the longer reach)', 'pre-FEC BER 1e-6', 'sensitivity -9 dBm, LOS -15 dBm', 'timing'],
  }),
  profile({
    id: 'conventional-800g-dr8',
    technology: 'conventional',
    description: '800G DR8 OSFP with DSP: 8 x 100G lanes, also 2 x 400G DR4',
    rateGbps: 800,
    hostLanes: 8,
    mediaLanes: 8,
    identifier: CMIS_IDENTIFIER.OSFP,
    partNumber: 'FH-800G-DR8',
    powerW: 16,
    reachM: 500,
    preFecBer: 1e-6,
    applications: [app(SFF8024.HOST_800GAUI_8_S, SFF8024.SMF_800GBASE_DR8, 8, 8, 0x01), app(SFF8024.HOST_400GAUI_4_S, SFF8024.SMF_400GBASE_DR4, 4, 4, 0x11)],
    ...LINK,
    biasMa: 50,
    needsEls: false,
    connector: MPO_1X12,
    mediaTech: EML_1310,
    timing: DSP_TIMING,
    facts: ['OPT-2', 'OPT-8', 'OPT-10'],
    assumed: ['16 W ("high", OPT-8)', 'reach 500 m: IEEE 800GBASE-DR8', 'pre-FEC BER 1e-6', LINK_ASSUMED, 'timing'],
  }),
  profile({
    id: 'conventional-1.6t-dr8',
    technology: 'conventional',
    description: '1.6T DR8 OSFP with DSP: 8 x 200G lanes',
    rateGbps: 1600,
    hostLanes: 8,
    mediaLanes: 8,
    identifier: CMIS_IDENTIFIER.OSFP,
    partNumber: 'FH-1.6T-DR8',
    powerW: 22,
    reachM: 500,
    preFecBer: 1e-6,
    applications: [app(SFF8024.HOST_1_6TAUI_8, SFF8024.SMF_1_6TBASE_DR8, 8, 8, 0x01)],
    ...LINK,
    biasMa: 60,
    needsEls: false,
    connector: MPO_1X12,
    mediaTech: EML_1310,
    timing: DSP_TIMING,
    facts: ['OPT-2', 'OPT-8', 'OPT-10'],
    assumed: ['22 W (OPT-2: "> 20 W")', 'reach 500 m: IEEE 1.6TBASE-DR8', 'pre-FEC BER 1e-6', LINK_ASSUMED, 'timing'],
  }),
  profile({
    id: 'lpo-400g-dr4',
    technology: 'lpo',
    description: '400G DR4 linear pluggable (no DSP): 4 x 100G linear lanes',
    rateGbps: 400,
    hostLanes: 4,
    mediaLanes: 4,
    identifier: CMIS_IDENTIFIER.QSFP_CMIS,
    partNumber: 'FH-400G-DR4-LPO',
    powerW: 5,
    reachM: 500,
    preFecBer: 2e-5,
    applications: [app(SFF8024.HOST_CEI_112G_LINEAR_PAM4, SFF8024.SMF_400G_DR4_LPO, 4, 4, 0x01)],
    ...LINK,
    biasMa: 50,
    needsEls: false,
    connector: MPO_1X12,
    mediaTech: EML_1310,
    timing: LINEAR_TIMING,
    facts: ['OPT-3', 'OPT-8', 'OPT-9'],
    assumed: ['pre-FEC BER 2e-5 ("higher BER", OPT-3)', 'QSFP112 housing (identifier 0x1e)', LINK_ASSUMED, 'timing'],
  }),
  profile({
    id: 'lpo-800g-dr8',
    technology: 'lpo',
    description: '800G DR8 linear pluggable (no DSP): 8 x 100G linear lanes',
    rateGbps: 800,
    hostLanes: 8,
    mediaLanes: 8,
    identifier: CMIS_IDENTIFIER.OSFP,
    partNumber: 'FH-800G-DR8-LPO',
    powerW: 8,
    reachM: 500,
    preFecBer: 2e-5,
    applications: [app(SFF8024.HOST_CEI_112G_LINEAR_PAM4, SFF8024.SMF_800G_DR8_LPO, 8, 8, 0x01)],
    ...LINK,
    biasMa: 50,
    needsEls: false,
    connector: MPO_1X12,
    mediaTech: EML_1310,
    timing: LINEAR_TIMING,
    facts: ['OPT-3', 'OPT-8'],
    assumed: ['8 W: half of the 16 W conventional 800G (OPT-3: about 50% less)', 'pre-FEC BER 2e-5', LINK_ASSUMED, 'timing'],
  }),
  profile({
    id: 'lro-800g-dr8',
    technology: 'lro',
    description: '800G DR8 linear receive optics: DSP on transmit only',
    rateGbps: 800,
    hostLanes: 8,
    mediaLanes: 8,
    identifier: CMIS_IDENTIFIER.OSFP,
    partNumber: 'FH-800G-DR8-LRO',
    powerW: 12,
    reachM: 500,
    preFecBer: 5e-6,
    applications: [app(SFF8024.HOST_800GAUI_8_S, SFF8024.SMF_800GBASE_DR8, 8, 8, 0x01)],
    ...LINK,
    biasMa: 50,
    needsEls: false,
    connector: MPO_1X12,
    mediaTech: EML_1310,
    timing: { ...DSP_TIMING, pwrUpMs: 1500, dpInitMs: 200 },
    facts: ['OPT-4', 'OPT-8'],
    assumed: ['12 W: between LPO and conventional (OPT-4)', 'pre-FEC BER 5e-6: between', 'no LRO code found in SFF-8024: advertises 800GAUI-8 / 800GBASE-DR8', LINK_ASSUMED, 'timing'],
  }),
  profile({
    id: 'npo-800g-dr4',
    technology: 'npo',
    description: 'one 800G port (4 x 200G) of a 3.2T near-packaged optical engine',
    rateGbps: 800,
    hostLanes: 4,
    mediaLanes: 4,
    identifier: CMIS_IDENTIFIER.ON_BOARD,
    partNumber: 'FH-3.2T-NPO',
    powerW: 6,
    reachM: 2000,
    preFecBer: 1e-7,
    applications: [app(SFF8024.HOST_800GAUI_4, SFF8024.SMF_800GBASE_DR4, 4, 4, 0x01)],
    ...LINK,
    biasMa: 50,
    needsEls: false,
    engine: { rateGbps: 3200, ports: 4, powerW: 24 },
    connector: MPO_1X12,
    mediaTech: EML_1310,
    timing: ENGINE_TIMING,
    facts: ['OPT-5', 'OPT-8', 'OPT-9'],
    assumed: ['6 W per 800G port, 24 W per engine ("low", between pluggables and CPO)', 'pre-FEC BER 1e-7', 'identifier 0x02 (on-board)', LINK_ASSUMED, 'timing'],
  }),
  profile({
    id: 'cpo-800g-dr4',
    technology: 'cpo',
    description: 'one 800G port (4 x 200G) of a 3.2T co-packaged optical engine lit by an ELS',
    rateGbps: 800,
    hostLanes: 4,
    mediaLanes: 4,
    identifier: CMIS_IDENTIFIER.ON_BOARD,
    partNumber: 'FH-3.2T-CPO',
    powerW: 4.5,
    reachM: 2000,
    preFecBer: 1e-8,
    applications: [app(SFF8024.HOST_800GAUI_4, SFF8024.SMF_800GBASE_DR4, 4, 4, 0x01)],
    ...LINK,
    biasMa: 0,
    needsEls: true,
    engine: { rateGbps: 3200, ports: 4, powerW: 18 },
    connector: NO_SEPARABLE_CONNECTOR,
    mediaTech: OTHERS,
    timing: ENGINE_TIMING,
    facts: ['OPT-6', 'OPT-7', 'OPT-8', 'OPT-9'],
    assumed: ['4.5 W per port: the 18 W engine (OPT-6) split in 4 x 800G', 'pre-FEC BER 1e-8 ("lowest", OPT-6)', 'identifier 0x02 (on-board)', LINK_ASSUMED, 'timing'],
  }),
  profile({
    id: 'conventional-100g-fr1',
    technology: 'conventional',
    description: '100G FR1 QSFP112 with DSP: one 100G host lane to one 1310 nm lane',
    rateGbps: 100,
    hostLanes: 1,
    mediaLanes: 1,
    identifier: CMIS_IDENTIFIER.QSFP_CMIS,
    partNumber: 'FH-100G-FR1',
    powerW: 3.5,
    reachM: 2000,
    preFecBer: 1e-6,
    applications: [app(0x4b, 0x15, 1, 1, 0x01)],
    ...LINK,
    biasMa: 50,
    needsEls: false,
    connector: LC,
    mediaTech: EML_1310,
    timing: DSP_TIMING,
    facts: ['OPT-8'],
    assumed: ['3.5 W (power class 2, typical of 100G single-lambda modules)', 'reach 2 km: IEEE 100GBASE-FR1', 'pre-FEC BER 1e-6', LINK_ASSUMED, 'timing'],
  }),
  profile({
    id: 'coherent-800g-zr-plus',
    technology: 'conventional',
    description: '800G ZR+ class coherent QSFP-DD with DSP: 135 GBd PCS-16QAM on one DWDM wavelength, over an amplified line system',
    rateGbps: 800,
    hostLanes: 8,
    mediaLanes: 1,
    identifier: CMIS_IDENTIFIER.QSFP_DD,
    partNumber: 'FH-800G-ZRP',
    powerW: 28,
    reachM: 1_000_000,
    preFecBer: 1e-6,
    applications: [app(SFF8024.HOST_800GAUI_8_L, MEDIA_CUSTOM_800G_COHERENT, 8, 1, 0x01)],
    txPowerDbm: 1,
    rxSensitivityDbm: -20,
    rxLosDbm: -30,
    biasMa: 60,
    needsEls: false,
    connector: LC,
    mediaTech: C_BAND_TUNABLE,
    timing: DSP_TIMING,
    line: { lossDbPerKm: 0.2, ampSpanKm: 80 },
    facts: ['WAN-3'],
    assumed: [
      '28 W (coherent DSP, power class 8)',
      'reach 1000 km over amplified spans (ZR+ class)',
      'launch +1 dBm per channel held by the line amplifiers, sensitivity -20 dBm, LOS -30 dBm',
      'C-band fibre 0.2 dB/km, an amplifier every 80 km',
      'media interface code C0h, from the vendor-specific range of SFF-8024 (this table has no 800G coherent code)',
      'pre-FEC BER 1e-6 relative to the RS-FEC limit of link.ts',
      'timing',
    ],
  }),
];

export const OPTICS_PROFILES: Readonly<Record<string, OpticsProfile>> = Object.fromEntries(PROFILES.map((p) => [p.id, p]));

export function opticsProfile(id: string): OpticsProfile {
  const p = OPTICS_PROFILES[id];
  if (!p) throw new Error(`unknown optics profile '${id}'; known: ${Object.keys(OPTICS_PROFILES).join(', ')}`);
  return p;
}
