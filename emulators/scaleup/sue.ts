// SUE and ESUN on the engine: packing of transactions per (destination, VC), the SUE-T reliability (PSN, ack, go-back-N retransmission), VC-to-TC mapping, switches with ECN marking.
//
// Accelerator (SUE-1..3, SUE-6): a flow's transfers queue per (destination, VC) (attribute `vc`,
// 0-3); when the port can take a frame, the packer fills one PDU of at most 4096 bytes from one
// queue (greedy, splitting a transaction that does not fit: each piece has its own header and the
// last the LAST flag; suePduPlan in protocols/scaleup is the same rule). A frame carries the
// reliability header of the (peer, VC) connection: its PSN, and the last PSN received in order on
// the reverse connection (cumulative ack). The receiver takes frames in PSN order only: a gap
// drops what follows and sends one NACK naming the last PSN taken; a duplicate is acknowledged
// again; acks go out every `ackEvery` frames or after `ackDelayNs`. The sender keeps up to
// `window` frames per connection unacknowledged and goes back to the oldest on a NACK or after
// `rtoNs` without progress. The VC's traffic class (config /scaleup/vc-tc-map, param `vcTc`,
// default [0, 2, 4, 6]) goes into the AFH TC (SUE) or EH-QoS (ESUN) of every frame; data frames are
// ECT(0), acknowledgements Not-ECT.
//
// SUE frames are AFH Gen2 (short) | RH | PDU | R-CRC; ESUN frames Ethernet | EH | RH | PDU | R-CRC
// (protocols/sue, protocols/esun). Switches forward on the AFH destination XPU (SUE) or the
// destination MAC (ESUN, esunMacOf), TCs from `highTcMin` (default 4) in the high-priority class,
// and mark ECN CE on ECT frames when the egress backlog reaches `ecnThresholdBytes` (default 32768),
// as an IP router would (RFC 3168 §5).
//
// Defects: sue-pack-over-4096 (PDUs up to 8192 bytes), sue-pack-across-vc (a PDU takes
// transactions of the same destination from every VC), sue-pack-across-destinations (and of every
// destination), sue-no-retransmit (NACK and timeout do nothing), sue-vc-tc-ignored (TC 0 whatever
// the VC); esun-eh-ecn-cleared (the switch writes Not-ECT into every EH), esun-ecn-marks-not-ect
// (the switch marks Not-ECT frames CE too).
import { IP_ECN } from '../../protocols/ip.ts';
import { SUE_PDU_MAX_BYTES, SUE_RH_OPCODE_DEFAULT, SUE_TXN_FLAG, SUE_TXN_HEADER_LEN, SUE_TXN_OPCODE, SueAfhView, SueTxn, buildSueFrame, parseSueFrame, suePsnBefore, type SueRhHeader, type SueRhInit } from '../../protocols/sue/index.ts';
import { ESUN_EH_LAYOUT_DEFAULT, ESUN_EH_OFFSET, EsunEhView, buildEsunFrame, esunMacOf, esunXpuOfMac, parseEsunFrame } from '../../protocols/esun/index.ts';
import { scaleupWriteSignature } from '../../protocols/scaleup/signature.ts';
import { WireError } from '../../protocols/wire.ts';
import { hash32 } from '../sim/rng.ts';
import { PRIO_HIGH, PRIO_LOW } from '../sim/packet.ts';
import { registerScaleupProtocol, type ScaleupDevice, type ScaleupFabric, type ScaleupPort } from './fabric.ts';
import { EndpointCoreBase, ScaleupConfigError, SwitchCoreBase } from './common.ts';
import type { FlowAttributes, ScaleupFlow } from './flows.ts';
import type { Timer } from './timers.ts';

type SueKind = 'sue' | 'esun';

interface Decoded {
  dst: number;
  src: number;
  ecn: number;
  rh: SueRhHeader;
  txns: SueTxn[];
}

interface BuildArgs {
  dst: number;
  src: number;
  tc: number;
  ecn: number;
  flowLabel: number;
  rh: SueRhInit;
  txns: SueTxn[];
  maxPdu: number;
}

/** What differs between SUE and ESUN frames. */
const FRAMING: Record<SueKind, { build(a: BuildArgs): Uint8Array; decode(b: Uint8Array): Decoded; dstOf(b: Uint8Array): number; ecnOf(b: Uint8Array): number; setEcn(b: Uint8Array, ecn: number): void }> = {
  sue: {
    build: (a) => buildSueFrame({ afh: { dstXpu: a.dst, srcXpu: a.src, tc: a.tc, ecn: a.ecn, entropy: a.flowLabel & 0xffff }, rh: a.rh, txns: a.txns, maxPduBytes: a.maxPdu }),
    decode: (b) => {
      const p = parseSueFrame(b, { maxPduBytes: Infinity });
      if (!p.rcrcOk) throw new WireError('malformed', 'sue', 'rcrc', 'R-CRC mismatch');
      return { dst: p.afh.dstXpu, src: p.afh.srcXpu, ecn: p.afh.ecn, rh: p.rh, txns: p.txns };
    },
    dstOf: (b) => SueAfhView.checked(b).dstXpu,
    ecnOf: (b) => SueAfhView.checked(b).ecn,
    setEcn: (b, ecn) => SueAfhView.unchecked(b).setEcn(ecn),
  },
  esun: {
    build: (a) =>
      buildEsunFrame(
        { eth: { dst: esunMacOf(a.dst), src: esunMacOf(a.src) }, eh: { qos: a.tc, ecn: a.ecn, flowLabel: a.flowLabel & 0xfffff }, rh: a.rh, txns: a.txns },
        { maxPduBytes: a.maxPdu },
      ),
    decode: (b) => {
      const p = parseEsunFrame(b, { maxPduBytes: Infinity });
      if (!p.rcrcOk) throw new WireError('malformed', 'esun', 'rcrc', 'R-CRC mismatch');
      const dst = esunXpuOfMac(p.eth.dst);
      const src = esunXpuOfMac(p.eth.src);
      if (dst === null || src === null) throw new WireError('malformed', 'esun', 'mac', 'not an ESUN endpoint MAC');
      return { dst, src, ecn: p.eh.ecn, rh: p.rh, txns: p.txns };
    },
    dstOf: (b) => {
      const id = esunXpuOfMac(b.subarray(0, 6));
      if (id === null) throw new WireError('malformed', 'esun', 'mac', 'not an ESUN endpoint MAC');
      return id;
    },
    ecnOf: (b) => EsunEhView.checked(b.subarray(ESUN_EH_OFFSET), ESUN_EH_LAYOUT_DEFAULT).ecn,
    setEcn: (b, ecn) => EsunEhView.unchecked(b.subarray(ESUN_EH_OFFSET), ESUN_EH_LAYOUT_DEFAULT).setEcn(ecn),
  },
};

interface TxnItem {
  flow: ScaleupFlow;
  seq: number;
  size: number;
  tag: number;
  sent: number;
  data: Uint8Array | null;
}

interface TxQueue {
  dst: number;
  vc: number;
  items: TxnItem[];
  head: number;
}

interface Sent {
  psn: number;
  bytes: Uint8Array;
  flows: ScaleupFlow[];
}

interface TxConn {
  nextPsn: number;
  unacked: Sent[];
  retx: number;
  progressPs: number;
  timer: Timer | null;
}

interface RxConn {
  expected: number;
  owed: number;
  nacked: boolean;
  timer: Timer | null;
}

export interface SueStats {
  dataFramesTx: number;
  retransmittedFrames: number;
  acksTx: number;
  nacksTx: number;
  acksRx: number;
  nacksRx: number;
  timeouts: number;
  dataFramesRx: number;
  outOfOrderDrops: number;
  duplicates: number;
  malformed: number;
  ceReceived: number;
  ectReceived: number;
  notEctReceived: number;
}

const key = (peer: number, vc: number) => peer * 4 + vc;

class SueAccelerator extends EndpointCoreBase {
  private readonly framing;
  private readonly maxPdu: number;
  private readonly window: number;
  private readonly ackEvery: number;
  private readonly ackDelayPs: number;
  private readonly rtoPs: number;
  private vcTc: number[];
  private readonly queues = new Map<number, TxQueue>();
  private readonly order: TxQueue[] = [];
  private rr = 0;
  private readonly tx = new Map<number, TxConn>();
  private readonly rx = new Map<number, RxConn>();
  private readonly control: Uint8Array[] = [];
  private readonly nextTag = new Map<number, number>();
  private readonly partial = new Map<string, Uint8Array[]>();
  readonly stats: SueStats = {
    dataFramesTx: 0,
    retransmittedFrames: 0,
    acksTx: 0,
    nacksTx: 0,
    acksRx: 0,
    nacksRx: 0,
    timeouts: 0,
    dataFramesRx: 0,
    outOfOrderDrops: 0,
    duplicates: 0,
    malformed: 0,
    ceReceived: 0,
    ectReceived: 0,
    notEctReceived: 0,
  };

  constructor(
    fabric: ScaleupFabric,
    device: ScaleupDevice,
    private readonly kind: SueKind,
  ) {
    super(fabric, device, {
      unitsOf: (n) => [n],
      attributes: (a, name) => {
        const out: FlowAttributes = { vc: 0 };
        for (const [k, v] of Object.entries(a ?? {})) {
          if (k !== 'vc') throw new Error(`device '${device.name}': flow '${name}': ${kind.toUpperCase()} flows take attribute 'vc' only, not '${k}'`);
          if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 3) throw new Error(`device '${device.name}': flow '${name}': vc must be 0..3, got ${JSON.stringify(v)}`);
          out.vc = v;
        }
        return out;
      },
      needsCompletion: () => false,
      onReleased: (f) => this.enqueue(f),
      onReset: () => {
        for (const q of this.order) q.items.length = q.head = 0;
      },
    });
    this.framing = FRAMING[kind];
    this.maxPdu = device.has('sue-pack-over-4096') ? 2 * SUE_PDU_MAX_BYTES : SUE_PDU_MAX_BYTES;
    this.window = Math.max(1, device.num('window', 32));
    this.ackEvery = Math.max(1, device.num('ackEvery', 8));
    this.ackDelayPs = Math.round(device.num('ackDelayNs', 200) * 1000);
    this.rtoPs = Math.round(device.num('rtoNs', 20_000) * 1000);
    this.vcTc = parseVcTc(device, device.spec.params?.vcTc ?? [0, 2, 4, 6]);
    this.port.source = () => this.pull();
  }

  private enqueue(f: ScaleupFlow): void {
    const vc = f.attributes.vc as number;
    const k = key(f.dst.id, vc);
    let q = this.queues.get(k);
    if (q === undefined) {
      q = { dst: f.dst.id, vc, items: [], head: 0 };
      this.queues.set(k, q);
      this.order.push(q);
    }
    for (let u = f.take(); u !== null; u = f.take()) {
      const tag = this.nextTag.get(f.dst.id) ?? 0;
      this.nextTag.set(f.dst.id, (tag + 1) & 0xffff);
      q.items.push({ flow: f, seq: u.seq, size: u.size, tag, sent: 0, data: null });
    }
    this.port.kick();
  }

  private txConn(peer: number, vc: number): TxConn {
    const k = key(peer, vc);
    let c = this.tx.get(k);
    if (c === undefined) this.tx.set(k, (c = { nextPsn: 0, unacked: [], retx: -1, progressPs: 0, timer: null }));
    return c;
  }

  private rxConn(peer: number, vc: number): RxConn {
    const k = key(peer, vc);
    let c = this.rx.get(k);
    if (c === undefined) this.rx.set(k, (c = { expected: 0, owed: 0, nacked: false, timer: null }));
    return c;
  }

  private frame(dst: number, vc: number, rh: SueRhInit, txns: SueTxn[], data: boolean): Uint8Array {
    const tc = this.device.has('sue-vc-tc-ignored') ? 0 : this.vcTc[vc];
    return this.framing.build({
      dst,
      src: this.device.id,
      tc,
      ecn: data ? IP_ECN.ECT0 : IP_ECN.NOT_ECT,
      flowLabel: hash32(this.device.id, dst, vc),
      rh,
      txns,
      maxPdu: this.maxPdu,
    });
  }

  private pull(): { bytes: Uint8Array; prio?: number } | null {
    const ctl = this.control.shift();
    if (ctl !== undefined) return { bytes: ctl, prio: PRIO_HIGH };
    for (const c of this.tx.values()) {
      if (c.retx < 0) continue;
      const s = c.unacked[c.retx++];
      if (c.retx >= c.unacked.length) c.retx = -1;
      if (s === undefined) continue;
      this.stats.retransmittedFrames++;
      for (const f of s.flows) f.retransmissions++;
      return { bytes: s.bytes };
    }
    const n = this.order.length;
    for (let i = 0; i < n; i++) {
      const q = this.order[(this.rr + i) % n];
      if (q.head >= q.items.length) continue;
      const conn = this.txConn(q.dst, q.vc);
      if (conn.unacked.length >= this.window) continue;
      this.rr = (this.rr + i + 1) % n;
      return { bytes: this.pack(q, conn) };
    }
    return null;
  }

  /** Queues a PDU may take transactions from: its own, and others under the packing defects. */
  private sources(q: TxQueue): TxQueue[] {
    if (this.device.has('sue-pack-across-destinations')) return [q, ...this.order.filter((o) => o !== q)];
    if (this.device.has('sue-pack-across-vc')) return [q, ...this.order.filter((o) => o !== q && o.dst === q.dst)];
    return [q];
  }

  private pack(q: TxQueue, conn: TxConn): Uint8Array {
    const txns: SueTxn[] = [];
    const flows = new Set<ScaleupFlow>();
    let space = this.maxPdu;
    for (const src of this.sources(q)) {
      while (src.head < src.items.length && space > SUE_TXN_HEADER_LEN) {
        const it = src.items[src.head];
        if (it.data === null) {
          it.data = new Uint8Array(it.size);
          if (it.size >= 8) scaleupWriteSignature(it.data, it.flow.index, it.seq);
          it.flow.onSent(it.size);
        }
        const take = Math.min(it.size - it.sent, space - SUE_TXN_HEADER_LEN);
        const last = it.sent + take >= it.size;
        txns.push(new SueTxn({ opcode: SUE_TXN_OPCODE.WRITE, flags: last ? SUE_TXN_FLAG.LAST : 0, tag: it.tag, address: (BigInt(it.flow.index) << 40n) + BigInt(it.seq) * 4096n + BigInt(it.sent), data: it.data.subarray(it.sent, it.sent + take) }));
        it.sent += take;
        space -= SUE_TXN_HEADER_LEN + take;
        flows.add(it.flow);
        if (last) {
          it.data = null;
          src.head++;
        }
      }
      if (src.head > 1024 && src.head * 2 > src.items.length) {
        src.items.splice(0, src.head);
        src.head = 0;
      }
    }
    const psn = conn.nextPsn;
    conn.nextPsn = (psn + 1) & 0xffff;
    const rc = this.rxConn(q.dst, q.vc);
    rc.owed = 0;
    const bytes = this.frame(q.dst, q.vc, { opcode: SUE_RH_OPCODE_DEFAULT.DATA, xpuId: this.device.id, psn, vc: q.vc, ackPsn: (rc.expected - 1) & 0xffff }, txns, true);
    if (conn.unacked.length === 0) conn.progressPs = this.fabric.events.nowPs;
    conn.unacked.push({ psn, bytes, flows: [...flows] });
    this.stats.dataFramesTx++;
    this.armRto(q.dst, q.vc, conn);
    return bytes;
  }

  private armRto(peer: number, vc: number, c: TxConn): void {
    if (c.timer !== null && c.timer.active) return;
    c.timer = this.fabric.timers.at(c.progressPs + this.rtoPs, () => {
      c.timer = null;
      if (c.unacked.length === 0) return;
      if (this.fabric.events.nowPs - c.progressPs >= this.rtoPs) {
        this.stats.timeouts++;
        c.progressPs = this.fabric.events.nowPs;
        if (!this.device.has('sue-no-retransmit')) {
          c.retx = 0;
          this.port.kick();
        }
      }
      this.armRto(peer, vc, c);
    });
  }

  private onAck(peer: number, vc: number, ackPsn: number): void {
    const c = this.tx.get(key(peer, vc));
    if (c === undefined) return;
    let removed = 0;
    while (c.unacked.length > 0 && !suePsnBefore(ackPsn, c.unacked[0].psn)) {
      c.unacked.shift();
      removed++;
    }
    if (removed === 0) return;
    if (c.retx >= 0) {
      c.retx = Math.max(0, c.retx - removed);
      if (c.retx >= c.unacked.length) c.retx = -1;
    }
    c.progressPs = this.fabric.events.nowPs;
    this.port.kick();
  }

  private sendControl(peer: number, vc: number, opcode: number): void {
    const rc = this.rxConn(peer, vc);
    rc.owed = 0;
    this.control.push(this.frame(peer, vc, { opcode, xpuId: this.device.id, vc, ackPsn: (rc.expected - 1) & 0xffff }, [], false));
    if (opcode === SUE_RH_OPCODE_DEFAULT.NACK) this.stats.nacksTx++;
    else this.stats.acksTx++;
    this.port.kick();
  }

  onFrame(_port: ScaleupPort, bytes: Uint8Array): void {
    let d: Decoded;
    try {
      d = this.framing.decode(bytes);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      this.stats.malformed++;
      return;
    }
    if (d.dst !== this.device.id) {
      this.stats.malformed++;
      return;
    }
    const { rh } = d;
    const peer = rh.xpuId;
    if (rh.opcode === SUE_RH_OPCODE_DEFAULT.ACK) {
      this.stats.acksRx++;
      this.onAck(peer, rh.vc, rh.ackPsn);
      return;
    }
    if (rh.opcode === SUE_RH_OPCODE_DEFAULT.NACK) {
      this.stats.nacksRx++;
      this.onAck(peer, rh.vc, rh.ackPsn);
      const c = this.tx.get(key(peer, rh.vc));
      if (c !== undefined && c.unacked.length > 0 && !this.device.has('sue-no-retransmit')) {
        c.retx = 0;
        this.port.kick();
      }
      return;
    }
    if (rh.opcode !== SUE_RH_OPCODE_DEFAULT.DATA) return;
    this.stats.dataFramesRx++;
    if (d.ecn === IP_ECN.CE) this.stats.ceReceived++;
    else if (d.ecn === IP_ECN.NOT_ECT) this.stats.notEctReceived++;
    else this.stats.ectReceived++;
    this.onAck(peer, rh.vc, rh.ackPsn);
    const rc = this.rxConn(peer, rh.vc);
    if (rh.psn === rc.expected) {
      rc.expected = (rc.expected + 1) & 0xffff;
      rc.nacked = false;
      for (const t of d.txns) this.deliver(peer, t);
      rc.owed++;
      if (rc.owed >= this.ackEvery) this.sendControl(peer, rh.vc, SUE_RH_OPCODE_DEFAULT.ACK);
      else if (rc.timer === null || !rc.timer.active) {
        rc.timer = this.fabric.timers.in(this.ackDelayPs, () => {
          if (rc.owed > 0) this.sendControl(peer, rh.vc, SUE_RH_OPCODE_DEFAULT.ACK);
        });
      }
      return;
    }
    if (suePsnBefore(rc.expected, rh.psn)) {
      this.stats.outOfOrderDrops++;
      if (!rc.nacked) {
        rc.nacked = true;
        this.sendControl(peer, rh.vc, SUE_RH_OPCODE_DEFAULT.NACK);
      }
    } else {
      this.stats.duplicates++;
      this.sendControl(peer, rh.vc, SUE_RH_OPCODE_DEFAULT.ACK);
    }
  }

  /** Reassembles split transactions (by source and tag) and credits complete ones. */
  private deliver(src: number, t: SueTxn): void {
    if (t.opcode !== SUE_TXN_OPCODE.WRITE || t.data === null) return;
    const k = `${src}:${t.tag}`;
    const parts = this.partial.get(k);
    if (t.last) {
      if (parts === undefined) {
        this.credit(src, t.data);
        return;
      }
      parts.push(t.data);
      this.partial.delete(k);
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        all.set(p, at);
        at += p.length;
      }
      this.credit(src, all);
      return;
    }
    if (parts === undefined) this.partial.set(k, [t.data.slice()]);
    else parts.push(t.data.slice());
  }

  protected override portCounters(): Record<string, number> {
    return { ...this.stats };
  }

  override state(path: string): unknown {
    if (path === '/reliability') return { ...this.stats, window: this.window };
    if (path === '/vc-tc-map') return [...this.vcTc];
    return super.state(path);
  }

  override configGet(path: string): unknown {
    if (path === '/vc-tc-map') return [...this.vcTc];
    return super.configGet(path);
  }

  override config(path: string, value: unknown, op: 'merge' | 'replace' | 'delete'): boolean {
    if (path === '/vc-tc-map') {
      this.vcTc = op === 'delete' ? parseVcTc(this.device, this.device.spec.params?.vcTc ?? [0, 2, 4, 6]) : parseVcTc(this.device, value);
      return true;
    }
    return super.config(path, value, op);
  }
}

function parseVcTc(device: ScaleupDevice, v: unknown): number[] {
  if (!Array.isArray(v) || v.length !== 4 || !v.every((x) => Number.isInteger(x) && x >= 0 && x <= 7)) {
    throw new ScaleupConfigError(device.name, `vc-tc-map takes four traffic classes 0-7 (one per VC), got ${JSON.stringify(v)}`);
  }
  return [...(v as number[])];
}

class SueSwitch extends SwitchCoreBase {
  private readonly framing;
  private readonly highTcMin: number;
  private readonly ecnThreshold: number;

  constructor(
    fabric: ScaleupFabric,
    device: ScaleupDevice,
    private readonly kind: SueKind,
  ) {
    super(fabric, device);
    this.framing = FRAMING[kind];
    this.highTcMin = device.num('highTcMin', 4);
    this.ecnThreshold = device.num('ecnThresholdBytes', 32768);
  }

  onFrame(port: ScaleupPort, bytes: Uint8Array): void {
    let dst: number;
    let tc: number;
    let src: number;
    try {
      dst = this.framing.dstOf(bytes);
      if (this.kind === 'sue') {
        const v = SueAfhView.checked(bytes);
        tc = v.tc;
        src = v.srcXpu;
      } else {
        tc = EsunEhView.checked(bytes.subarray(ESUN_EH_OFFSET)).qos;
        src = esunXpuOfMac(bytes.subarray(6, 12)) ?? 0;
      }
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      this.counters.malformed++;
      this.fabric.network.stats(this.device.node, port.index).inErrors++;
      return;
    }
    const egress = this.route(port, src, dst);
    if (egress === undefined) return;
    this.counters.forwarded++;
    const prio = tc >= this.highTcMin ? PRIO_HIGH : PRIO_LOW;
    this.afterLatency(() => egress.send(this.mark(egress, bytes, prio), prio));
  }

  /** ECN as a router would (and the ESUN defects). */
  private mark(egress: ScaleupPort, bytes: Uint8Array, prio: number): Uint8Array {
    const q = egress.queue;
    const backlog = prio === PRIO_HIGH ? q.highBytes : q.lowBytes;
    const ecn = this.framing.ecnOf(bytes);
    let want = ecn;
    if (backlog >= this.ecnThreshold && ecn !== IP_ECN.CE && (ecn !== IP_ECN.NOT_ECT || (this.kind === 'esun' && this.device.has('esun-ecn-marks-not-ect')))) want = IP_ECN.CE;
    if (this.kind === 'esun' && this.device.has('esun-eh-ecn-cleared')) want = IP_ECN.NOT_ECT;
    if (want === ecn) return bytes;
    if (want === IP_ECN.CE) this.counters.ecnMarked++;
    const out = bytes.slice();
    this.framing.setEcn(out, want);
    return out;
  }
}

for (const kind of ['sue', 'esun'] as const) {
  registerScaleupProtocol(kind, {
    switch: (f, d) => new SueSwitch(f, d, kind),
    accelerator: (f, d) => new SueAccelerator(f, d, kind),
  });
}
