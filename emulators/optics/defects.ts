// Defect switches of the optical module and ELS models: ids, what each changes, and the check of a defect list.
//
// `appliesTo` says which model acts on the defect: a module, an ELS, or the device whose ports
// carry them (fabric.ts). register.ts enters every one in the emulator's defect registry for the
// device kinds that carry modules; `requirements` names the checks that should catch each one:
// seed facts, and CMIS clauses in the registry's `<SPEC>-<object>` style (suites/requirements.ts).

export const OPTICS_DEFECT = {
  TEMPERATURE_SCALE: 'cmis-temperature-scale',
  FLAGS_NOT_LATCHED: 'cmis-flags-not-latched',
  PWRUP_SKIPPED: 'cmis-pwrup-skipped',
  INVALID_APSEL_ACCEPTED: 'cmis-invalid-apsel-accepted',
  TX_DISABLE_IGNORED: 'cmis-tx-disable-ignored',
  MONITORS_FROZEN: 'cmis-monitors-frozen',
  POWER_CLASS_UNDERSTATED: 'cmis-power-class-understated',
  ELS_WRONG_PORTS: 'els-failure-wrong-ports',
  IDENTITY_CHECKSUM: 'cmis-identity-checksum',
  ACTIVE_APSEL_STALE: 'cmis-active-apsel-stale',
  LINK_ERRORS_UNCOUNTED: 'optics-link-errors-uncounted',
} as const;

export type OpticsDefectId = (typeof OPTICS_DEFECT)[keyof typeof OPTICS_DEFECT];

export interface OpticsDefect {
  id: OpticsDefectId;
  appliesTo: 'optical-module' | 'els' | 'device';
  /** What the model does differently. */
  description: string;
  requirements: string[];
}

export const OPTICS_DEFECTS: readonly OpticsDefect[] = [
  {
    id: OPTICS_DEFECT.TEMPERATURE_SCALE,
    appliesTo: 'optical-module',
    description: 'Module temperature (lower page 14-15) is encoded in 0.1 degC steps instead of 1/256 degC: a host decoding CMIS reads about a 25th of the real value.',
    requirements: ['OPT-9', 'CMIS-TempMonitor'],
  },
  {
    id: OPTICS_DEFECT.FLAGS_NOT_LATCHED,
    appliesTo: 'optical-module',
    description: 'Alarm, warning and LOS flags follow the condition instead of latching it: an excursion that ends before the host reads is lost.',
    requirements: ['OPT-9', 'CMIS-LatchedFlags'],
  },
  {
    id: OPTICS_DEFECT.PWRUP_SKIPPED,
    appliesTo: 'optical-module',
    description: 'Leaving low power goes straight from ModuleLowPwr to ModuleReady, without ModulePwrUp and its advertised duration.',
    requirements: ['OPT-9', 'CMIS-ModuleStateMachine'],
  },
  {
    id: OPTICS_DEFECT.INVALID_APSEL_ACCEPTED,
    appliesTo: 'optical-module',
    description: 'ApplyDPInit with an ApSel that is not advertised reports ConfigSuccess (instead of 3, ConfigRejectedInvalidAppSel) and brings the data path up on ApSel 1.',
    requirements: ['OPT-9', 'CMIS-ConfigStatus'],
  },
  {
    id: OPTICS_DEFECT.TX_DISABLE_IGNORED,
    appliesTo: 'optical-module',
    description: 'Tx disable (page 10h byte 130) is stored but ignored: the lasers keep emitting and the far end never sees loss of signal.',
    requirements: ['OPT-9', 'CMIS-TxDisable'],
  },
  {
    id: OPTICS_DEFECT.MONITORS_FROZEN,
    appliesTo: 'optical-module',
    description: 'Monitors (temperature, Vcc, Tx/Rx power, bias) keep the values of their first update and never change again.',
    requirements: ['OPT-9', 'CMIS-LaneMonitors'],
  },
  {
    id: OPTICS_DEFECT.POWER_CLASS_UNDERSTATED,
    appliesTo: 'optical-module',
    description: 'Upper page 00h advertises half the real maximum power (byte 201) and the power class that goes with it (byte 200).',
    requirements: ['OPT-1', 'CMIS-PowerClass'],
  },
  {
    id: OPTICS_DEFECT.ELS_WRONG_PORTS,
    appliesTo: 'els',
    description: 'A failing ELS lane darkens the next lane instead (lane k fails, lane k+1 goes dark): the ports the failed lane feeds stay up and others go down.',
    requirements: ['OPT-7'],
  },
  {
    id: OPTICS_DEFECT.IDENTITY_CHECKSUM,
    appliesTo: 'optical-module',
    description: 'The checksum of upper page 00h (byte 222) does not match bytes 128-221: the identity cannot be trusted.',
    requirements: ['OPT-9', 'CMIS-Identity'],
  },
  {
    id: OPTICS_DEFECT.ACTIVE_APSEL_STALE,
    appliesTo: 'optical-module',
    description: 'An applied configuration reports ConfigSuccess but the active control set (page 11h bytes 206-213) keeps the old ApSel values.',
    requirements: ['OPT-9', 'CMIS-ControlSets'],
  },
  {
    id: OPTICS_DEFECT.LINK_ERRORS_UNCOUNTED,
    appliesTo: 'device',
    description: 'Frames lost to uncorrectable bit errors on an optical link are not counted as input errors of the receiving port.',
    requirements: ['OPT-8', 'RFC2863-ifInErrors'],
  },
];

/** Validates a model's defect list; throws naming the owner and the known ids. */
export function checkOpticsDefects(owner: string, kind: OpticsDefect['appliesTo'], ids: readonly string[] = []): Set<OpticsDefectId> {
  const known = OPTICS_DEFECTS.filter((d) => d.appliesTo === kind).map((d) => d.id as string);
  for (const id of ids) {
    if (!known.includes(id)) throw new Error(`${kind} '${owner}': unknown defect '${id}'; known: ${known.join(', ')}`);
  }
  return new Set(ids as OpticsDefectId[]);
}
