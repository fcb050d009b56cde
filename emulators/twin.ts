// The twin: the emulator's whole-fabric model as the emulator driver sees it (the engine's front door).
//
// Contract: a twin is built from a plain topology (no harness types: emulators/ never imports
// drivers/ or harness/), owns one event list and one seeded random generator, and never reads the
// wall clock. Every method is synchronous and runs in virtual time; `runFor` is the only way time
// moves. Node capabilities are optional: a node model offers what it can, and the driver reports
// the rest as missing. Device kinds are served by models registered in `registerModel`.

/** One device of the topology as the twin needs it. */
export interface TwinDeviceSpec {
  id: string;
  kind: string;
  ports: string[];
  /** Model parameters from the testbed (rates, sizes...), already validated by the harness. */
  params?: Record<string, unknown>;
  /** Defect profile ids the device is switched into (emulators/defects). */
  defects?: string[];
}

export interface TwinEndpoint {
  device: string;
  port: string;
}

export interface TwinLinkSpec {
  a: TwinEndpoint;
  b: TwinEndpoint;
  rateBps?: number;
  lengthKm?: number;
  fibre?: 'smf' | 'hollow-core';
}

export interface TwinTopology {
  devices: TwinDeviceSpec[];
  links: TwinLinkSpec[];
}

export interface TwinOptions {
  seed: number;
}

/** Port counters as plain numbers (exact to 2^53); the driver turns them into bigints. */
export interface TwinPortCounters {
  inOctets: number;
  outOctets: number;
  inPkts: number;
  outPkts: number;
  inDiscards: number;
  outDiscards: number;
  inErrors: number;
  outErrors: number;
  ecnMarked?: number;
  trims?: number;
  pfcPauseTx?: number;
  pfcPauseRx?: number;
}

export interface TwinFlow {
  name: string;
  txPort: string;
  /** `device:port` of the receiving traffic node, or a port of this node. */
  rxPort: string;
  bytes: number;
  frameBytes?: number;
  rateBps?: number;
  startPs?: number;
  transport?: 'raw' | 'uet' | 'roce';
  entropies?: number;
  /** IPv4 multicast group (raw flows): routers replicate to the group's receivers. */
  multicastGroup?: string;
  /** Protocol attributes (scale-up accelerators: opcode, vc, semantic); see drivers/device.ts FlowSpec. */
  attributes?: Record<string, string | number | boolean>;
}

export interface TwinFlowMetrics {
  name: string;
  txFrames: number;
  rxFrames: number;
  txBytes: number;
  rxBytes: number;
  done: boolean;
  fctPs?: number;
  retransmissions: number;
  outOfOrder: number;
  lostFrames: number;
}

export interface TwinFrame {
  timePs: number;
  direction: 'rx' | 'tx';
  bytes: Uint8Array;
}

export type TwinFault =
  | { kind: 'link-down'; port: string }
  | { kind: 'loss'; port: string; rate: number }
  | { kind: 'bit-errors'; port: string; ber: number }
  | { kind: 'laser-off'; port: string }
  | { kind: 'queue-bytes'; port: string; bytes: number };

/** A node of the twin; each capability is optional. */
export interface TwinNode {
  readonly id: string;
  readonly kind: string;
  readonly ports: readonly string[];
  readonly defects: readonly string[];
  counters?: {
    port(portId: string): TwinPortCounters;
  };
  state?: {
    get(path: string): unknown;
  };
  config?: {
    get(path?: string): unknown;
    edit(path: string, value: unknown, op: 'merge' | 'replace' | 'delete'): void;
  };
  traffic?: {
    setFlows(flows: TwinFlow[]): void;
    start(): void;
    stop(): void;
    metrics(): TwinFlowMetrics[];
  };
  capture?: {
    start(portId: string): void;
    stop(portId: string): TwinFrame[];
  };
  faults?: {
    inject(fault: TwinFault): string;
    clear(handle: string): void;
    clearAll(): void;
  };
  cmis?: {
    read(portId: string, bank: number, page: number, offset: number, length: number): Uint8Array;
    write(portId: string, bank: number, page: number, offset: number, data: Uint8Array): void;
  };
}

export interface Twin {
  readonly seed: number;
  nowPs(): number;
  /** Processes every event up to now + durationPs, then sets now to that time. */
  runFor(durationPs: number): void;
  node(id: string): TwinNode | undefined;
  nodes(): TwinNode[];
  /** Events processed so far (for benchmarks and progress). */
  eventsProcessed(): number;
}

/** Thrown for a topology the models cannot build; names the device or link at fault. */
export class TwinBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TwinBuildError';
  }
}
