// Test traffic of an accelerator: flows of equal transfers split into protocol units, released at a rate, counted at both ends.
//
// A flow (TwinFlow) sends `bytes` as transfers of `frameBytes` (default 256) to the accelerator that
// owns `rxPort`. The protocol splits a transfer into units (UALink requests of up to 256 bytes, one
// SUE transaction, frames of up to 4 KB...); each unit's data starts with the test signature
// (protocols/scaleup/signature.ts: flow index, unit sequence) so the receiving analyser credits the
// flow and checks its order from the wire alone. Metrics count units: txFrames handed to the
// wire, rxFrames delivered, outOfOrder delivered after a later unit, and, for flows whose units
// need a completion (UALink), done only when every completion came back.
import type { TwinFlow, TwinFlowMetrics } from '../twin.ts';
import type { ScaleupDevice, ScaleupFabric } from './fabric.ts';

export type FlowAttributes = Record<string, string | number | boolean>;

/** What a protocol tells the flow table. */
export interface FlowProtocol {
  /** Unit sizes of one transfer. */
  unitsOf(transferBytes: number): number[];
  /** Checks and normalises a flow's attributes (throws with the reason). */
  attributes(a: FlowAttributes | undefined, flowName: string): FlowAttributes;
  /** Units need a completion (response) before the flow is done. */
  needsCompletion(a: FlowAttributes): boolean;
  /** Units were released: the endpoint may send. */
  onReleased(flow: ScaleupFlow): void;
  /** The table is being replaced: forget queued units of these flows. */
  onReset?(): void;
}

export const DEFAULT_TRANSFER_BYTES = 256;

export class ScaleupFlow {
  readonly transferBytes: number;
  readonly transfers: number;
  private readonly sizes: number[];
  private readonly lastSizes: number[];
  readonly totalUnits: number;
  readonly attributes: FlowAttributes;
  readonly needsCompletion: boolean;
  txFrames = 0;
  rxFrames = 0;
  txBytes = 0;
  rxBytes = 0;
  retransmissions = 0;
  outOfOrder = 0;
  lostFrames = 0;
  completions = 0;
  started = false;
  stopped = false;
  startPs = 0;
  donePs: number | undefined = undefined;
  /** Units released to the protocol / handed out by `take`. */
  released = 0;
  taken = 0;
  /** Highest delivered sequence + 1 (order check). */
  private nextRx = 0;
  private readonly delivered: Uint8Array;

  constructor(
    readonly index: number,
    readonly spec: TwinFlow,
    readonly src: ScaleupDevice,
    readonly dst: ScaleupDevice,
    private readonly proto: FlowProtocol,
    private readonly fabric: ScaleupFabric,
  ) {
    this.transferBytes = spec.frameBytes ?? DEFAULT_TRANSFER_BYTES;
    if (!(Number.isInteger(this.transferBytes) && this.transferBytes >= 8 && this.transferBytes <= 1 << 20)) {
      throw new Error(`device '${src.name}': flow '${spec.name}' frameBytes (the transfer size) must be an integer from 8 to 1048576, got ${spec.frameBytes}`);
    }
    this.attributes = proto.attributes(spec.attributes, spec.name);
    this.needsCompletion = proto.needsCompletion(this.attributes);
    this.transfers = Math.ceil(spec.bytes / this.transferBytes);
    this.sizes = proto.unitsOf(this.transferBytes);
    const last = spec.bytes - (this.transfers - 1) * this.transferBytes;
    this.lastSizes = this.transfers > 0 ? proto.unitsOf(last) : [];
    this.totalUnits = this.transfers === 0 ? 0 : (this.transfers - 1) * this.sizes.length + this.lastSizes.length;
    this.delivered = new Uint8Array(this.totalUnits);
  }

  /** Data bytes of unit `seq`. */
  unitSize(seq: number): number {
    const k = this.sizes.length;
    const full = (this.transfers - 1) * k;
    return seq < full ? this.sizes[seq % k] : this.lastSizes[seq - full];
  }

  /** Unit sequences of transfer `t`: [first, end). */
  unitsOfTransfer(t: number): [number, number] {
    const k = this.sizes.length;
    return [t * k, t === this.transfers - 1 ? this.totalUnits : (t + 1) * k];
  }

  get done(): boolean {
    return this.donePs !== undefined;
  }

  /** Units released and not yet taken. */
  get ready(): number {
    return this.stopped ? 0 : this.released - this.taken;
  }

  /** The next unit to send: its sequence and size. */
  take(): { seq: number; size: number } | null {
    if (this.ready <= 0) return null;
    const seq = this.taken++;
    return { seq, size: this.unitSize(seq) };
  }

  /** A unit went on the wire for the first time. */
  onSent(bytes: number): void {
    this.txFrames++;
    this.txBytes += bytes;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.startPs = this.fabric.events.nowPs + Math.max(0, Math.round(this.spec.startPs ?? 0));
    this.fabric.timers.at(this.startPs, () => this.release(0));
    if (this.totalUnits === 0) this.donePs = this.startPs;
  }

  stop(): void {
    this.stopped = true;
  }

  /** Releases transfer `t` (and, without a rate, all of them). */
  private release(t: number): void {
    if (this.stopped || t >= this.transfers) return;
    const rate = this.spec.rateBps;
    if (rate === undefined || !(rate > 0)) {
      this.released = this.totalUnits;
      this.proto.onReleased(this);
      return;
    }
    this.released = this.unitsOfTransfer(t)[1];
    this.proto.onReleased(this);
    const gapPs = Math.round((this.transferBytes * 8e12) / rate);
    this.fabric.timers.at(this.startPs + (t + 1) * gapPs, () => this.release(t + 1));
  }

  /** The receiving analyser saw unit `seq` (once per unit; duplicates are ignored). */
  onDelivered(seq: number, bytes: number): void {
    if (seq >= this.totalUnits || this.delivered[seq] === 1) return;
    this.delivered[seq] = 1;
    if (seq < this.nextRx) this.outOfOrder++;
    else this.nextRx = seq + 1;
    this.rxFrames++;
    this.rxBytes += bytes;
    this.checkDone();
  }

  /** A completion (response) came back for one unit. */
  onCompleted(): void {
    this.completions++;
    this.checkDone();
  }

  private checkDone(): void {
    if (this.done || this.rxFrames < this.totalUnits) return;
    if (this.needsCompletion && this.completions < this.totalUnits) return;
    this.donePs = this.fabric.events.nowPs;
  }

  metrics(): TwinFlowMetrics {
    return {
      name: this.spec.name,
      txFrames: this.txFrames,
      rxFrames: this.rxFrames,
      txBytes: this.txBytes,
      rxBytes: this.rxBytes,
      done: this.done,
      ...(this.donePs !== undefined ? { fctPs: this.donePs - this.startPs } : {}),
      retransmissions: this.retransmissions,
      outOfOrder: this.outOfOrder,
      lostFrames: this.lostFrames,
    };
  }
}

/** The flows of one accelerator. */
export class FlowTable {
  flows: ScaleupFlow[] = [];

  constructor(
    private readonly fabric: ScaleupFabric,
    private readonly owner: ScaleupDevice,
    private readonly proto: FlowProtocol,
  ) {}

  set(specs: TwinFlow[]): void {
    const built = specs.map((f, i) => {
      if (!(f.bytes >= 0 && Number.isFinite(f.bytes))) throw new Error(`device '${this.owner.name}': flow '${f.name}' bytes must be >= 0`);
      if (!this.owner.spec.ports.includes(f.txPort)) throw new Error(`device '${this.owner.name}': flow '${f.name}' txPort '${f.txPort}' is not a port of it`);
      if (!this.owner.ports.some((p) => p.name === f.txPort)) throw new Error(`device '${this.owner.name}': flow '${f.name}' txPort '${f.txPort}' is not cabled into the scale-up domain`);
      if (f.transport !== undefined && f.transport !== 'raw') throw new Error(`device '${this.owner.name}': flow '${f.name}': transport '${f.transport}' is not a scale-up transport (leave it out)`);
      if (f.multicastGroup !== undefined) throw new Error(`device '${this.owner.name}': flow '${f.name}': multicast is not a scale-up flow`);
      return new ScaleupFlow(i, f, this.owner, this.resolve(f), this.proto, this.fabric);
    });
    for (const f of this.flows) f.stop();
    this.proto.onReset?.();
    this.flows = built;
  }

  private resolve(f: TwinFlow): ScaleupDevice {
    const sep = f.rxPort.lastIndexOf(':');
    const deviceId = sep < 0 ? this.owner.name : f.rxPort.slice(0, sep);
    const dst = this.owner.domain.devices.find((d) => d.name === deviceId);
    if (dst === undefined || dst.role !== 'accelerator') {
      throw new Error(`device '${this.owner.name}': flow '${f.name}' rxPort '${f.rxPort}' names no accelerator of its scale-up domain`);
    }
    if (dst === this.owner) throw new Error(`device '${this.owner.name}': flow '${f.name}' is sent to itself`);
    return dst;
  }

  start(): void {
    for (const f of this.flows) f.start();
  }

  stop(): void {
    for (const f of this.flows) f.stop();
  }

  metrics(): TwinFlowMetrics[] {
    return this.flows.map((f) => f.metrics());
  }

  /** The flow of this table with an index, or undefined (a late unit of a replaced table). */
  flow(index: number): ScaleupFlow | undefined {
    return this.flows[index];
  }
}
