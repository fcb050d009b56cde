// Accelerators of the frame-per-unit protocols (EthLink, ETH+, ETH-X): one frame per unit of up to 4 KB, flows served round-robin, frames of the device's own first.
//
// These protocols put their reliability below the frame (lossless links) or leave it out, so the
// model sends each unit once: a flow's transfer is split into frames of at most
// SCALEUP_MAX_FRAME_DATA bytes of data, each starting with the test signature, and the receiving
// analyser credits them from the signature. A subclass builds and decodes its frames.
import { SCALEUP_MAX_FRAME_DATA } from '../../protocols/scaleup/efficiency.ts';
import { scaleupWriteSignature } from '../../protocols/scaleup/signature.ts';
import { WireError } from '../../protocols/wire.ts';
import { PRIO_LOW } from '../sim/packet.ts';
import { EndpointCoreBase } from './common.ts';
import type { ScaleupDevice, ScaleupFabric, ScaleupPort } from './fabric.ts';
import type { FlowAttributes, ScaleupFlow } from './flows.ts';

/** Frame-sized units of a transfer. */
export function frameUnitsOf(transferBytes: number): number[] {
  const out: number[] = [];
  for (let left = transferBytes; left > 0; left -= SCALEUP_MAX_FRAME_DATA) out.push(Math.min(left, SCALEUP_MAX_FRAME_DATA));
  return out;
}

/** A decoded frame: a data unit from an accelerator, or something the subclass handled. */
export type Decoded = { kind: 'unit'; src: number; data: Uint8Array } | { kind: 'handled' };

export abstract class FrameAccelerator extends EndpointCoreBase {
  private rr = 0;
  /** Frames of the device's own (control, collectives) sent before flow units. */
  protected readonly own: Uint8Array[] = [];
  readonly frameStats = { framesRx: 0, malformed: 0, unitsTx: 0 };

  constructor(fabric: ScaleupFabric, device: ScaleupDevice, attributes: (a: FlowAttributes | undefined, name: string) => FlowAttributes) {
    super(fabric, device, {
      unitsOf: frameUnitsOf,
      attributes,
      needsCompletion: () => false,
      onReleased: () => this.port.kick(),
    });
    this.port.source = () => this.pull();
  }

  /** The frame carrying unit `seq` of `flow` with `data` (signature written). */
  protected abstract buildUnit(flow: ScaleupFlow, seq: number, data: Uint8Array): Uint8Array;
  /** Decodes a received frame (throws WireError when malformed). */
  protected abstract decode(port: ScaleupPort, bytes: Uint8Array): Decoded;

  /** Sends a frame of the device's own ahead of flow units. */
  protected sendOwn(bytes: Uint8Array): void {
    this.own.push(bytes);
    this.port.kick();
  }

  private pull(): { bytes: Uint8Array; prio?: number } | null {
    const o = this.own.shift();
    if (o !== undefined) return { bytes: o, prio: PRIO_LOW };
    const flows = this.flows.flows;
    for (let i = 0; i < flows.length; i++) {
      const f = flows[(this.rr + i) % flows.length];
      const u = f.take();
      if (u === null) continue;
      this.rr = (this.rr + i + 1) % flows.length;
      const data = new Uint8Array(u.size);
      if (u.size >= 8) scaleupWriteSignature(data, f.index, u.seq);
      f.onSent(u.size);
      this.frameStats.unitsTx++;
      return { bytes: this.buildUnit(f, u.seq, data) };
    }
    return null;
  }

  onFrame(port: ScaleupPort, bytes: Uint8Array): void {
    this.frameStats.framesRx++;
    let d: Decoded;
    try {
      d = this.decode(port, bytes);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      this.frameStats.malformed++;
      this.fabric.network.stats(this.device.node, port.index).inErrors++;
      return;
    }
    if (d.kind === 'unit') this.credit(d.src, d.data);
  }

  protected override portCounters(): Record<string, number> {
    return { ...this.frameStats };
  }
}
