// The twin's shared runtime: the network built from a TwinTopology, port administrative and fault
// state, captures, and the flow table; node models are thin views over it.
//
// Guarantees: a cable is up only while both of its ports are administratively enabled and neither
// carries an effective link-down (or laser-off) fault; loss and bit-error faults of both ends
// combine on the cable (1 - (1 - a)(1 - b)); a model may declare a port's link-down faults ignored
// (defect profiles); a model of the physical layer (optics) may hold a cable down and add residual
// bit errors (`setPhysical`) and hear of fault changes (`addFaultListener`); captures record frames
// in their real encodings (capture.ts), at most `CAPTURE_LIMIT` frames per capture.

import type { TwinDeviceSpec, TwinFault } from '../twin.ts';
import type { Link } from '../sim/link.ts';
import type { Packet } from '../sim/packet.ts';
import { CaptureTap, type CaptureContext, type CaptureFrame, type EncodedFrame, type FrameEnds, type FrameTransport } from './capture.ts';
import type { Network } from './network.ts';
import type { FlowManager } from '../traffic/flows.ts';

/** Most frames one capture keeps (later frames are counted, not kept). */
export const CAPTURE_LIMIT = 10_000;

interface PortState {
  adminUp: boolean;
  /** Active fault handles on this port. */
  faults: Map<string, TwinFault>;
  ignoreLinkDown: boolean;
  defaultQueueBytes: number;
  /** Physical layer as a model outside the engine sets it (optics): no signal holds the cable down. */
  physUp: boolean;
  /** Residual (post-FEC) bit error rate the physical layer adds to the cable. */
  physBer: number;
}

export class TwinRuntime {
  /** Device id -> node index (same order as the topology's devices). */
  readonly deviceIndex = new Map<string, number>();
  private readonly ports: PortState[][];
  private readonly captures = new Map<string, CaptureTap>();
  /**
   * Encoders a protocol family adds for the packets it encapsulates (tried in order before the
   * standard encodings; each returns null for packets that are not its own).
   */
  readonly frameEncoders: Array<(p: Packet, ends: FrameEnds, transport: FrameTransport) => EncodedFrame | null> = [];
  private readonly captureContext: CaptureContext = {
    nowPs: () => this.network.events.nowPs,
    transportOf: (p) => this.transportOf(p),
    encode: (p, ends, transport) => {
      for (const e of this.frameEncoders) {
        const f = e(p, ends, transport);
        if (f !== null) return f;
      }
      return null;
    },
  };
  private readonly faultOwner = new Map<string, { node: number; port: number }>();
  private nextFault = 1;
  private readonly faultListeners: Array<(node: number, port: number) => void> = [];

  constructor(
    readonly network: Network,
    readonly devices: readonly TwinDeviceSpec[],
    readonly flows: FlowManager,
  ) {
    devices.forEach((d, i) => this.deviceIndex.set(d.id, i));
    this.ports = devices.map((d, i) =>
      d.ports.map((_, p) => ({
        adminUp: true,
        faults: new Map<string, TwinFault>(),
        ignoreLinkDown: false,
        defaultQueueBytes: network.egressLink(i, p)?.queue.maxBytes ?? 0,
        physUp: true,
        physBer: 0,
      })),
    );
  }

  get nowPs(): number {
    return this.network.events.nowPs;
  }

  portIndex(node: number, portId: string): number {
    const i = this.devices[node].ports.indexOf(portId);
    if (i < 0) throw new Error(`device '${this.devices[node].id}' has no port '${portId}' (ports: ${this.devices[node].ports.join(', ')})`);
    return i;
  }

  /** Endpoint address of `device:port`, or undefined when it is not a cabled endpoint port. */
  addressOf(node: number, port: number): number | undefined {
    const addrs = this.network.spec.addresses;
    for (let a = 0; a < addrs.length; a++) if (addrs[a].node === node && addrs[a].port === port) return a;
    return undefined;
  }

  /** How a packet's flow is encoded in captures. */
  transportOf(p: Packet): FrameTransport {
    return this.flows.get(p.flowId)?.spec.transport ?? 'raw';
  }

  // --- port state ---------------------------------------------------------------------------

  setIgnoreLinkDown(node: number, port: number, ignore: boolean): void {
    this.ports[node][port].ignoreLinkDown = ignore;
    this.refresh(node, port);
  }

  setAdminUp(node: number, port: number, up: boolean): void {
    this.ports[node][port].adminUp = up;
    this.refresh(node, port);
  }

  adminUp(node: number, port: number): boolean {
    return this.ports[node][port].adminUp;
  }

  /** Does this end hold the cable down (admin down or an effective link-down fault)? */
  private holdsDown(node: number, port: number): boolean {
    const st = this.ports[node][port];
    if (!st.adminUp) return true;
    if (st.ignoreLinkDown) return false;
    for (const f of st.faults.values()) if (f.kind === 'link-down' || f.kind === 'laser-off') return true;
    return false;
  }

  /** Operational status as the port's device reports it. */
  operUp(node: number, port: number): boolean {
    const link = this.network.egressLink(node, port);
    if (link === null) return false;
    // A device that ignores link-down keeps reporting up while it is administratively up.
    return link.isUp || (this.ports[node][port].ignoreLinkDown && this.ports[node][port].adminUp);
  }

  private faultRate(node: number, port: number, kind: 'loss' | 'bit-errors'): number {
    let keep = 1;
    for (const f of this.ports[node][port].faults.values()) {
      if (f.kind === 'loss' && kind === 'loss') keep *= 1 - f.rate;
      if (f.kind === 'bit-errors' && kind === 'bit-errors') keep *= 1 - f.ber;
    }
    return 1 - keep;
  }

  /** Recomputes the cable at (node, port) from both ends' state. */
  private refresh(node: number, port: number): void {
    const out = this.network.egressLink(node, port);
    if (out === null) return;
    const back = out.reverse as Link;
    const peerNode = this.network.adj.peerNode[node][port];
    const peerPort = this.network.adj.peerPort[node][port];
    // Faults on an ignoring end do not hold the cable down; admin-down of either end does, and so
    // does a physical layer without signal (whatever the device ignores).
    const a = this.ports[node][port];
    const b = this.ports[peerNode][peerPort];
    const down = this.holdsDown(node, port) || this.holdsDown(peerNode, peerPort) || !a.physUp || !b.physUp;
    if (down === out.isUp) this.network.setCableUp(node, port, !down);
    const loss = 1 - (1 - this.faultRate(node, port, 'loss')) * (1 - this.faultRate(peerNode, peerPort, 'loss'));
    const ber =
      1 - (1 - this.faultRate(node, port, 'bit-errors')) * (1 - this.faultRate(peerNode, peerPort, 'bit-errors')) * (1 - a.physBer) * (1 - b.physBer);
    out.lossRate = back.lossRate = loss;
    out.ber = back.ber = ber;
    for (const [n, p, l] of [
      [node, port, out],
      [peerNode, peerPort, back],
    ] as const) {
      let q = this.ports[n][p].defaultQueueBytes;
      for (const f of this.ports[n][p].faults.values()) if (f.kind === 'queue-bytes') q = Math.min(q, f.bytes);
      l.queue.maxBytes = q;
    }
  }

  injectFault(node: number, fault: TwinFault): string {
    const port = this.portIndex(node, fault.port);
    switch (fault.kind) {
      case 'loss':
        if (!(fault.rate >= 0 && fault.rate <= 1)) throw new RangeError(`loss rate must be in [0, 1], got ${fault.rate}`);
        break;
      case 'bit-errors':
        if (!(fault.ber >= 0 && fault.ber <= 1)) throw new RangeError(`bit error rate must be in [0, 1], got ${fault.ber}`);
        break;
      case 'queue-bytes':
        if (!(fault.bytes >= 0)) throw new RangeError(`queue bytes must be >= 0, got ${fault.bytes}`);
        break;
      case 'link-down':
      case 'laser-off':
        break;
      default:
        throw new Error(`unknown fault kind '${(fault as { kind: string }).kind}'`);
    }
    const handle = `${this.devices[node].id}/fault${this.nextFault++}`;
    this.ports[node][port].faults.set(handle, { ...fault });
    this.faultOwner.set(handle, { node, port });
    this.refresh(node, port);
    for (const l of this.faultListeners) l(node, port);
    return handle;
  }

  clearFault(node: number, handle: string): void {
    const owner = this.faultOwner.get(handle);
    if (owner === undefined || owner.node !== node) throw new Error(`device '${this.devices[node].id}' has no fault '${handle}'`);
    this.faultOwner.delete(handle);
    this.ports[owner.node][owner.port].faults.delete(handle);
    this.refresh(owner.node, owner.port);
    for (const l of this.faultListeners) l(owner.node, owner.port);
  }

  clearAllFaults(node: number): void {
    for (const [h, o] of [...this.faultOwner]) if (o.node === node) this.clearFault(node, h);
  }

  /** The faults active on a port now. */
  faultsOf(node: number, port: number): TwinFault[] {
    return [...this.ports[node][port].faults.values()].map((f) => ({ ...f }));
  }

  /** Tells `listener` (node, port) after a fault was injected on or cleared from that port. */
  addFaultListener(listener: (node: number, port: number) => void): void {
    this.faultListeners.push(listener);
  }

  // --- physical layer (set by models outside the engine, e.g. optics) ---------------------------

  /**
   * Sets what the physical layer of the cable at (node, port) allows: `up` false holds the cable
   * down (no signal, no lock), `ber` adds residual bit errors (frames lost as CRC errors).
   */
  setPhysical(node: number, port: number, up: boolean, ber: number): void {
    if (!(ber >= 0 && ber <= 1)) throw new RangeError(`physical bit error rate must be in [0, 1], got ${ber}`);
    const st = this.ports[node][port];
    if (st.physUp === up && st.physBer === ber) return;
    st.physUp = up;
    st.physBer = ber;
    this.refresh(node, port);
  }

  // --- capture ------------------------------------------------------------------------------

  startCapture(node: number, port: number): void {
    const key = `${node}:${port}`;
    if (this.captures.has(key)) throw new Error(`capture already running on ${this.devices[node].id}:${this.devices[node].ports[port]}`);
    const net = this.network;
    const tap = new CaptureTap(this.captureContext, node, port, net.adj.peerNode[node][port], net.adj.peerPort[node][port], CAPTURE_LIMIT);
    const out = net.egressLink(node, port);
    if (out !== null) {
      out.queue.tap = tap;
      if (out.reverse !== null) out.reverse.rxTap = tap;
    }
    this.captures.set(key, tap);
  }

  stopCapture(node: number, port: number): CaptureFrame[] {
    const key = `${node}:${port}`;
    const tap = this.captures.get(key);
    if (tap === undefined) throw new Error(`no capture running on ${this.devices[node].id}:${this.devices[node].ports[port]}`);
    const out = this.network.egressLink(node, port);
    if (out !== null) {
      out.queue.tap = null;
      if (out.reverse !== null) out.reverse.rxTap = null;
    }
    this.captures.delete(key);
    return tap.frames;
  }
}
