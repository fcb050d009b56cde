// UALink on the engine: the DL of every link (TL flits packed into 640-byte DL flits, link-level replay), UPLI originators and completers, the switch forwarding on 10-bit ids.
//
// DL (UAL-4, protocol-facts "UALink"): each end of a UALink link packs up to nine 64-byte TL flits
// into a 640-byte DL flit with a 9-bit sequence number, keeps sent flits in a replay buffer
// (window 255, param `replayWindow`) until acknowledged, and acknowledges cumulatively, riding on
// its own payload flits or in an ACK flit (after `ackEvery` flits or `ackDelayNs`). A flit lost to
// a CRC error (bit-error faults drop it on the cable) shows at the receiver as a sequence gap: it
// discards what follows and sends one REPLAY_REQUEST naming the last flit it took; the sender
// replays from there (go-back-N in DL flits); a sender whose oldest flit waits `replayTimeoutNs`
// without progress replays on its own (a lost last flit or lost request). The TL above sees every
// flit once, in order.
//
// UPLI (UAL-5, UAL-6): an accelerator's flows issue READ or WRITE requests of up to 256 bytes
// (64/128/192/256), at most `maxOutstanding` (default 2048, at most 4096: 12-bit tags) at a
// time, tags counted per destination; the
// completer answers each after a memory latency drawn from the run's generator (so completions
// come back out of order while requests stay ordered); the originator matches responses by
// (responder, tag). A switch forwards every message on its destination id after its latency.
//
// Defects: ualink-dl-retry-disabled (no replay buffer, no replay request: a gap is passed up, the
// TL loses the messages under it), ualink-dl-flit-underfilled (one TL flit per DL flit),
// ualink-request-reorder (the switch swaps consecutive requests of a source-destination pair),
// ualink-completion-order-required (the originator drops a completion that is not for its oldest
// outstanding request to that completer).
import { WireError } from '../../protocols/wire.ts';
import {
  UALINK_DL_OP,
  UALINK_DL_TL_SLOTS,
  UALINK_OPCODE,
  UalinkDlHeader,
  UalinkDlView,
  UalinkTlPacker,
  UalinkTlUnpacker,
  UalinkUpliHeader,
  ualinkDlSeqDistance,
  ualinkDlSeqNext,
  ualinkIsRequest,
  type UalinkTlFlit,
  type UalinkTlMessage,
} from '../../protocols/ualink/index.ts';
import { ualinkRequestSizesOf } from '../../protocols/scaleup/efficiency.ts';
import { scaleupWriteSignature } from '../../protocols/scaleup/signature.ts';
import { registerScaleupProtocol, type ScaleupDevice, type ScaleupFabric, type ScaleupPort } from './fabric.ts';
import { EndpointCoreBase, SwitchCoreBase } from './common.ts';
import type { FlowAttributes, ScaleupFlow } from './flows.ts';
import type { Timer } from './timers.ts';

const HALF_WINDOW = 256;

export interface UalinkDlStats {
  flitsTx: number;
  flitsRx: number;
  payloadFlitsTx: number;
  payloadFlitsRx: number;
  commandFlitsTx: number;
  tlFlitsTx: number;
  tlFlitsRx: number;
  crcErrors: number;
  malformed: number;
  replayRequestsSent: number;
  replayRequestsReceived: number;
  replays: number;
  replayedFlits: number;
  timeoutReplays: number;
  outOfSequence: number;
  duplicates: number;
  lostMessages: number;
}

/** The DL and TL of one end of a UALink link. */
export class UalinkLinkEnd {
  readonly packer = new UalinkTlPacker();
  readonly unpacker = new UalinkTlUnpacker();
  readonly stats: UalinkDlStats = {
    flitsTx: 0,
    flitsRx: 0,
    payloadFlitsTx: 0,
    payloadFlitsRx: 0,
    commandFlitsTx: 0,
    tlFlitsTx: 0,
    tlFlitsRx: 0,
    crcErrors: 0,
    malformed: 0,
    replayRequestsSent: 0,
    replayRequestsReceived: 0,
    replays: 0,
    replayedFlits: 0,
    timeoutReplays: 0,
    outOfSequence: 0,
    duplicates: 0,
    lostMessages: 0,
  };
  private readonly retry: boolean;
  private readonly perFlit: number;
  private readonly window: number;
  private readonly ackEvery: number;
  private readonly ackDelayPs: number;
  private readonly replayTimeoutPs: number;
  // transmit
  private nextSeq = 1;
  private readonly replay: Array<{ seq: number; tl: UalinkTlFlit[] }> = [];
  private replayPos = -1;
  private progressPs = 0;
  private replayTimer: Timer | null = null;
  // receive
  private lastRx = 0;
  private ackOwed = 0;
  private ackTimer: Timer | null = null;
  private waiting = false;
  private reRequestTimer: Timer | null = null;
  private command: 'ack' | 'replay' | null = null;

  constructor(
    private readonly fabric: ScaleupFabric,
    readonly port: ScaleupPort,
    private readonly onMessage: (m: UalinkTlMessage) => void,
  ) {
    const d = port.device;
    this.retry = !d.has('ualink-dl-retry-disabled');
    this.perFlit = d.has('ualink-dl-flit-underfilled') ? 1 : UALINK_DL_TL_SLOTS;
    this.window = Math.min(HALF_WINDOW - 1, Math.max(1, d.num('replayWindow', 255)));
    this.ackEvery = Math.max(1, d.num('ackEvery', 32));
    this.ackDelayPs = Math.round(d.num('ackDelayNs', 100) * 1000);
    this.replayTimeoutPs = Math.round(d.num('replayTimeoutNs', 2000) * 1000);
    port.source = () => this.pull();
  }

  /** Queues a message for the link. */
  push(m: UalinkTlMessage): void {
    this.packer.push(m);
    this.port.kick();
  }

  private encode(h: UalinkDlHeader): { bytes: Uint8Array } {
    this.stats.flitsTx++;
    return { bytes: h.encode() };
  }

  private ackField(): number | null {
    if (this.lastRx === 0) return null;
    this.ackOwed = 0;
    if (this.command === 'ack') this.command = null;
    return this.lastRx;
  }

  private pull(): { bytes: Uint8Array } | null {
    if (this.command === 'replay') {
      this.command = null;
      this.ackOwed = 0;
      this.stats.commandFlitsTx++;
      return this.encode(new UalinkDlHeader({ op: UALINK_DL_OP.REPLAY_REQUEST, ackSeq: this.lastRx }));
    }
    if (this.replayPos >= 0) {
      const e = this.replay[this.replayPos++];
      if (this.replayPos >= this.replay.length) this.replayPos = -1;
      this.stats.replayedFlits++;
      this.stats.payloadFlitsTx++;
      return this.encode(new UalinkDlHeader({ op: UALINK_DL_OP.PAYLOAD, seq: e.seq, ackSeq: this.ackField(), tl: e.tl }));
    }
    if ((!this.retry || this.replay.length < this.window) && this.packer.hasFlit()) {
      const tl: UalinkTlFlit[] = [];
      while (tl.length < this.perFlit) {
        const f = this.packer.nextFlit();
        if (f === null) break;
        tl.push(f);
      }
      const seq = this.nextSeq;
      this.nextSeq = ualinkDlSeqNext(seq);
      if (this.retry) {
        if (this.replay.length === 0) this.progressPs = this.fabric.events.nowPs;
        this.replay.push({ seq, tl });
        this.armReplayTimer();
      }
      this.stats.payloadFlitsTx++;
      this.stats.tlFlitsTx += tl.length;
      return this.encode(new UalinkDlHeader({ op: UALINK_DL_OP.PAYLOAD, seq, ackSeq: this.ackField(), tl }));
    }
    if (this.command === 'ack') {
      this.command = null;
      this.stats.commandFlitsTx++;
      return this.encode(new UalinkDlHeader({ op: UALINK_DL_OP.ACK, ackSeq: this.ackField() }));
    }
    return null;
  }

  /** A flit arrived from the far end. */
  onFlit(bytes: Uint8Array): void {
    this.stats.flitsRx++;
    let h: UalinkDlHeader;
    try {
      h = UalinkDlHeader.parse(UalinkDlView.checked(bytes));
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      if (e.field === 'crc') this.stats.crcErrors++;
      else this.stats.malformed++;
      return;
    }
    if (h.ackSeq !== null) this.onAck(h.ackSeq);
    if (h.op === UALINK_DL_OP.REPLAY_REQUEST) {
      this.stats.replayRequestsReceived++;
      if (this.retry) this.startReplay();
    }
    if (h.op !== UALINK_DL_OP.PAYLOAD) return;
    this.stats.payloadFlitsRx++;
    const expected = ualinkDlSeqNext(this.lastRx);
    if (!this.retry) {
      if (this.lastRx !== 0 && h.seq !== expected) {
        this.stats.outOfSequence++;
        this.unpacker.streamBreak();
      }
      this.accept(h);
      return;
    }
    if (h.seq === expected) {
      this.waiting = false;
      this.reRequestTimer?.cancel();
      this.accept(h);
      return;
    }
    if (ualinkDlSeqDistance(expected, h.seq) < HALF_WINDOW) {
      this.stats.outOfSequence++;
      if (!this.waiting) this.requestReplay();
    } else {
      this.stats.duplicates++;
      this.oweAck();
    }
  }

  private accept(h: UalinkDlHeader): void {
    this.lastRx = h.seq;
    for (const f of h.tl) {
      this.stats.tlFlitsRx++;
      // The parsed flit is a view into the frame: the TL copies what it keeps.
      for (const m of this.unpacker.push(f)) this.onMessage(m);
    }
    this.stats.lostMessages = this.unpacker.lostMessages;
    this.oweAck();
  }

  private oweAck(): void {
    this.ackOwed++;
    if (this.ackOwed >= this.ackEvery) {
      if (this.command === null) this.command = 'ack';
      this.port.kick();
      return;
    }
    if (this.ackTimer === null || !this.ackTimer.active) {
      this.ackTimer = this.fabric.timers.in(this.ackDelayPs, () => {
        if (this.ackOwed > 0 && this.command === null) {
          this.command = 'ack';
          this.port.kick();
        }
      });
    }
  }

  private requestReplay(): void {
    this.waiting = true;
    this.stats.replayRequestsSent++;
    this.command = 'replay';
    this.port.kick();
    this.reRequestTimer?.cancel();
    this.reRequestTimer = this.fabric.timers.in(this.replayTimeoutPs, () => {
      if (this.waiting) this.requestReplay();
    });
  }

  private onAck(ackSeq: number): void {
    if (!this.retry || ackSeq === 0) return;
    let removed = 0;
    while (this.replay.length > 0 && ualinkDlSeqDistance(this.replay[0].seq, ackSeq) < HALF_WINDOW) {
      this.replay.shift();
      removed++;
    }
    if (removed === 0) return;
    if (this.replayPos >= 0) {
      this.replayPos = Math.max(0, this.replayPos - removed);
      if (this.replayPos >= this.replay.length) this.replayPos = -1;
    }
    this.progressPs = this.fabric.events.nowPs;
    this.port.kick();
  }

  private startReplay(): void {
    if (this.replay.length === 0) return;
    this.replayPos = 0;
    this.stats.replays++;
    this.progressPs = this.fabric.events.nowPs;
    this.port.kick();
  }

  private armReplayTimer(): void {
    if (this.replayTimer !== null && this.replayTimer.active) return;
    this.replayTimer = this.fabric.timers.at(this.progressPs + this.replayTimeoutPs, () => {
      this.replayTimer = null;
      if (this.replay.length === 0) return;
      if (this.fabric.events.nowPs - this.progressPs >= this.replayTimeoutPs) {
        this.stats.timeoutReplays++;
        this.startReplay();
      }
      this.armReplayTimer();
    });
  }

  /** Flits sent and not yet acknowledged. */
  get unacked(): number {
    return this.replay.length;
  }
}

interface Outstanding {
  flow: ScaleupFlow;
  seq: number;
  size: number;
  dst: number;
  done: boolean;
}

const OPCODES: Record<string, number> = { write: UALINK_OPCODE.WRITE, read: UALINK_OPCODE.READ };

/** An accelerator speaking UALink: originator of its flows' requests, completer of others'. */
class UalinkAccelerator extends EndpointCoreBase {
  readonly end: UalinkLinkEnd;
  private readonly maxOutstanding: number;
  private readonly memMinPs: number;
  private readonly memSpanPs: number;
  private outstanding = 0;
  private readonly pending = new Map<string, Outstanding>();
  /** Per destination: requests in issue order (for the completion-order check). */
  private readonly issueOrder = new Map<number, { list: Outstanding[]; head: number }>();
  private readonly nextTag = new Map<number, number>();
  /** Completer: next tag expected per source. */
  private readonly expectTag = new Map<number, number>();
  private rr = 0;
  readonly upli = { requestsIn: 0, requestsOutOfOrder: 0, completionsOutOfOrder: 0, completionsDropped: 0, unexpectedResponses: 0, readsIn: 0, writesIn: 0 };

  constructor(fabric: ScaleupFabric, device: ScaleupDevice) {
    super(fabric, device, {
      unitsOf: ualinkRequestSizesOf,
      attributes: (a, name) => attributesOf(device, a, name),
      needsCompletion: (a) => a.opcode === 'write',
      onReleased: () => this.issue(),
      onReset: () => undefined,
    });
    this.end = new UalinkLinkEnd(fabric, this.port, (m) => this.onMessage(m));
    this.maxOutstanding = Math.min(4096, Math.max(1, device.num('maxOutstanding', 2048)));
    this.memMinPs = Math.round(device.num('memoryLatencyMinNs', 50) * 1000);
    this.memSpanPs = Math.max(0, Math.round(device.num('memoryLatencyMaxNs', 400) * 1000) - this.memMinPs);
  }

  onFrame(_port: ScaleupPort, bytes: Uint8Array): void {
    this.end.onFlit(bytes);
  }

  /** Issues requests while the outstanding limit allows, round-robin over flows. */
  private issue(): void {
    const flows = this.flows.flows;
    let idle = 0;
    while (this.outstanding < this.maxOutstanding && flows.length > 0 && idle < flows.length) {
      const f = flows[this.rr++ % flows.length];
      const u = f.take();
      if (u === null) {
        idle++;
        continue;
      }
      idle = 0;
      const dst = f.dst.id;
      const tag = this.nextTag.get(dst) ?? 0;
      this.nextTag.set(dst, (tag + 1) & 0xfff);
      const op = OPCODES[f.attributes.opcode as string];
      const rec: Outstanding = { flow: f, seq: u.seq, size: u.size, dst, done: false };
      this.pending.set(`${dst}:${tag}`, rec);
      let q = this.issueOrder.get(dst);
      if (q === undefined) this.issueOrder.set(dst, (q = { list: [], head: 0 }));
      q.list.push(rec);
      this.outstanding++;
      let data = new Uint8Array(0);
      if (op === UALINK_OPCODE.WRITE) {
        data = new Uint8Array(u.size);
        scaleupWriteSignature(data, f.index, u.seq);
      }
      const header = new UalinkUpliHeader({ opcode: op, sizeBytes: u.size, srcId: this.device.id, dstId: dst, tag, address: (BigInt(f.index) << 40n) + BigInt(u.seq) * 256n });
      this.end.packer.push({ header, data });
      f.onSent(u.size);
    }
    this.end.port.kick();
  }

  private onMessage(m: UalinkTlMessage): void {
    const h = m.header;
    if (ualinkIsRequest(h.opcode)) this.complete(h, m.data);
    else this.onResponse(h, m.data);
  }

  /** Completer: checks request order, answers after a memory latency. */
  private complete(h: UalinkUpliHeader, data: Uint8Array): void {
    this.upli.requestsIn++;
    const want = this.expectTag.get(h.srcId) ?? h.tag;
    if (h.tag !== want) this.upli.requestsOutOfOrder++;
    this.expectTag.set(h.srcId, (h.tag + 1) & 0xfff);
    let response: UalinkTlMessage;
    if (h.opcode === UALINK_OPCODE.WRITE) {
      this.upli.writesIn++;
      this.credit(h.srcId, data);
      response = { header: new UalinkUpliHeader({ opcode: UALINK_OPCODE.WRITE_COMPLETION, sizeBytes: h.sizeBytes, srcId: this.device.id, dstId: h.srcId, tag: h.tag }), data: new Uint8Array(0) };
    } else if (h.opcode === UALINK_OPCODE.READ) {
      this.upli.readsIn++;
      const out = new Uint8Array(h.sizeBytes);
      new DataView(out.buffer).setBigUint64(0, h.address);
      response = { header: new UalinkUpliHeader({ opcode: UALINK_OPCODE.READ_RESPONSE, sizeBytes: h.sizeBytes, srcId: this.device.id, dstId: h.srcId, tag: h.tag }), data: out };
    } else {
      return;
    }
    const latency = this.memMinPs + (this.memSpanPs > 0 ? this.fabric.rng.int(this.memSpanPs + 1) : 0);
    this.fabric.timers.in(latency, () => this.end.push(response));
  }

  /** Originator: matches a response to its request by (responder, tag). */
  private onResponse(h: UalinkUpliHeader, data: Uint8Array): void {
    const key = `${h.srcId}:${h.tag}`;
    const rec = this.pending.get(key);
    if (rec === undefined) {
      this.upli.unexpectedResponses++;
      return;
    }
    const q = this.issueOrder.get(rec.dst) as { list: Outstanding[]; head: number };
    while (q.head < q.list.length && q.list[q.head].done) q.head++;
    const oldest = q.list[q.head] === rec;
    if (!oldest) {
      this.upli.completionsOutOfOrder++;
      if (this.device.has('ualink-completion-order-required')) {
        this.upli.completionsDropped++;
        return;
      }
    }
    rec.done = true;
    this.pending.delete(key);
    this.outstanding--;
    if (q.head > 4096) {
      q.list.splice(0, q.head);
      q.head = 0;
    }
    if (h.opcode === UALINK_OPCODE.READ_RESPONSE) rec.flow.onDelivered(rec.seq, Math.min(rec.size, data.length));
    else rec.flow.onCompleted();
    this.issue();
  }

  protected override portCounters(port: ScaleupPort): Record<string, number> {
    return port === this.end.port ? { ...this.end.stats, unacked: this.end.unacked } : {};
  }

  protected override receiveExtra(): Record<string, unknown> {
    return { ...this.upli, outstanding: this.outstanding };
  }
}

function attributesOf(device: ScaleupDevice, a: FlowAttributes | undefined, name: string): FlowAttributes {
  const out: FlowAttributes = { opcode: 'write' };
  for (const [k, v] of Object.entries(a ?? {})) {
    if (k !== 'opcode') throw new Error(`device '${device.name}': flow '${name}': UALink flows take attribute 'opcode' only, not '${k}'`);
    if (v !== 'write' && v !== 'read') throw new Error(`device '${device.name}': flow '${name}': opcode must be 'write' or 'read', got ${JSON.stringify(v)}`);
    out.opcode = v;
  }
  return out;
}

/** A UALink switch: forwards UPLI messages on their 10-bit destination id. */
class UalinkSwitch extends SwitchCoreBase {
  private readonly ends = new Map<number, UalinkLinkEnd>();
  private readonly held = new Map<string, { msg: UalinkTlMessage; out: UalinkLinkEnd; timer: Timer }>();

  constructor(fabric: ScaleupFabric, device: ScaleupDevice) {
    super(fabric, device);
    for (const p of device.ports) this.ends.set(p.index, new UalinkLinkEnd(fabric, p, (m) => this.forward(p, m)));
  }

  onFrame(port: ScaleupPort, bytes: Uint8Array): void {
    (this.ends.get(port.index) as UalinkLinkEnd).onFlit(bytes);
  }

  private forward(ingress: ScaleupPort, m: UalinkTlMessage): void {
    const h = m.header;
    const egress = this.route(ingress, h.srcId, h.dstId);
    if (egress === undefined) return;
    const out = this.ends.get(egress.index) as UalinkLinkEnd;
    this.counters.forwarded++;
    this.afterLatency(() => {
      if (this.device.has('ualink-request-reorder') && ualinkIsRequest(h.opcode)) this.reorder(`${h.srcId}>${h.dstId}`, m, out);
      else out.push(m);
    });
  }

  /** Defect: every second request of a pair overtakes the one before it. */
  private reorder(key: string, m: UalinkTlMessage, out: UalinkLinkEnd): void {
    const held = this.held.get(key);
    if (held === undefined) {
      const timer = this.fabric.timers.in(500_000, () => {
        this.held.delete(key);
        out.push(m);
      });
      this.held.set(key, { msg: m, out, timer });
      return;
    }
    held.timer.cancel();
    this.held.delete(key);
    out.push(m);
    held.out.push(held.msg);
  }

  protected override portCounters(port: ScaleupPort): Record<string, number> {
    const e = this.ends.get(port.index);
    return e === undefined ? {} : { ...e.stats, unacked: e.unacked };
  }
}

registerScaleupProtocol('ualink', {
  switch: (f, d) => new UalinkSwitch(f, d),
  accelerator: (f, d) => new UalinkAccelerator(f, d),
});
