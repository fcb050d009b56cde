// Names of the project YANG module `fabric-hil-emulator` (fabric-hil-emulator.yang), shared by the lab server and the NETCONF lab driver.
export const EMULATOR_NS = 'urn:fabric-hil:emulator';
export const EMULATOR_MODULE = 'fabric-hil-emulator';
export const EMULATOR_REVISION = '2026-11-21';
/** The capability a server advertises in its hello when it serves the module. */
export const EMULATOR_CAPABILITY = `${EMULATOR_NS}?module=${EMULATOR_MODULE}&revision=${EMULATOR_REVISION}`;

/** The module's RPCs (each an element of EMULATOR_NS inside <rpc>). */
export const EMULATOR_RPC = {
  GET_STATE: 'get-state',
  GET_COUNTERS: 'get-counters',
  GET_CONFIG_VALUE: 'get-config-value',
  EDIT_CONFIG_VALUE: 'edit-config-value',
  INJECT_FAULT: 'inject-fault',
  CLEAR_FAULT: 'clear-fault',
  CLEAR_ALL_FAULTS: 'clear-all-faults',
  ADVANCE_TIME: 'advance-time',
  RESET: 'reset',
} as const;

/** Input and output leaves of advance-time and reset. */
export const EMULATOR_RPC_LEAF = {
  DURATION_PS: 'duration-ps',
  DEVICE_TIME_PS: 'device-time-ps',
  GENERATION: 'generation',
} as const;

/** The state container and its leaves. */
export const EMULATOR_STATE = {
  CONTAINER: 'emulator',
  DEVICE_ID: 'device-id',
  DEVICE_TIME_PS: 'device-time-ps',
  TIME_SCALE: 'time-scale',
  CLOCK_MODE: 'clock-mode',
  TWIN_ID: 'twin-id',
} as const;

/** Does a hello's capability list include the module (any revision)? */
export function offersEmulatorModule(capabilities: readonly string[]): boolean {
  return capabilities.some((c) => c === EMULATOR_NS || c.startsWith(`${EMULATOR_NS}?`));
}
