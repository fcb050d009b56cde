// The UEC link layer of one twin: per-port LLR and CBFC settings of UEC devices, the cables they run on, and the UET capture encoder.
//
// Guarantees: LLR runs on a cable when both of its ends are UEC devices with LLR enabled (on both
// directions); CBFC runs on a direction when both ends enable it, with the limit the receiving port
// grants (`rx-credits`, default its buffer: the port's egress queue bytes / 128, or 8192 credits
// for a NIC). Changing a setting takes effect at once (device time). Defects are those of the
// transmitting end (LLR replay/flush, ignoring credits). The first UEC device of a twin also adds
// the frame encoder that writes UET packets of UEC NICs with their own headers (UetFlow.uetHeaders).

import { encodePacket } from '../fabric/capture.ts';
import { Host } from '../fabric/host.ts';
import { Switch } from '../fabric/switch.ts';
import type { TwinRuntime } from '../fabric/twin-runtime.ts';
import type { Link } from '../sim/link.ts';
import type { Packet } from '../sim/packet.ts';
import { CBFC_DEFAULTS, CbfcDirection, CreditIngress, type CbfcConfig } from './cbfc.ts';
import { LLR_DEFAULTS, LlrCable, LlrDirection, type LlrConfig, type LlrDefects } from './llr.ts';

export interface PortLinkSettings {
  llr: boolean;
  cbfc: boolean;
  /** Credits this port grants its peer (null: the default from its buffer). */
  rxCredits: number | null;
}

export interface NodeLinkDefects {
  llr: LlrDefects;
  ignoresCredits: boolean;
}

const NIC_RX_CREDITS = 8192;

interface UetHeaderSource {
  uetHeaders(p: Packet): Uint8Array | null;
}

export class UecLinkLayer {
  readonly llrConfig: LlrConfig = { ...LLR_DEFAULTS };
  readonly cbfcConfig: CbfcConfig = { ...CBFC_DEFAULTS };
  private readonly settings = new Map<string, PortLinkSettings>();
  private readonly defects = new Map<number, NodeLinkDefects>();
  private readonly llrCables = new Map<Link, LlrCable>();
  private readonly cbfc = new Map<Link, CbfcDirection>();
  private readonly ingress = new Map<number, CreditIngress>();

  constructor(readonly rt: TwinRuntime) {
    rt.frameEncoders.push((p, ends, transport) => {
      if (transport !== 'uet') return null;
      const f = rt.flows.get(p.flowId) as (Partial<UetHeaderSource> & object) | undefined;
      const h = f !== undefined && typeof f.uetHeaders === 'function' ? f.uetHeaders(p) : null;
      return h === null ? null : encodePacket(p, ends, 'uet', h);
    });
  }

  /** Declares a UEC device (its ports may run LLR and CBFC) and the defects of its transmitters. */
  addNode(node: number, defects: NodeLinkDefects): void {
    this.defects.set(node, defects);
  }

  isUec(node: number): boolean {
    return this.defects.has(node);
  }

  settingsOf(node: number, port: number): PortLinkSettings {
    const k = `${node}:${port}`;
    let s = this.settings.get(k);
    if (s === undefined) this.settings.set(k, (s = { llr: false, cbfc: false, rxCredits: null }));
    return s;
  }

  private peerOf(node: number, port: number): { node: number; port: number } | null {
    const net = this.rt.network;
    if (net.egressLink(node, port) === null) return null;
    return { node: net.adj.peerNode[node][port], port: net.adj.peerPort[node][port] };
  }

  setLlr(node: number, port: number, on: boolean): void {
    this.settingsOf(node, port).llr = on;
    this.refreshLlr(node, port);
  }

  setCbfc(node: number, port: number, on: boolean): void {
    this.settingsOf(node, port).cbfc = on;
    this.refreshCbfc(node, port);
  }

  setRxCredits(node: number, port: number, credits: number | null): void {
    this.settingsOf(node, port).rxCredits = credits;
    this.refreshCbfc(node, port);
  }

  private refreshLlr(node: number, port: number): void {
    const peer = this.peerOf(node, port);
    if (peer === null) return;
    const net = this.rt.network;
    const out = net.egressLink(node, port) as Link;
    const back = out.reverse as Link;
    const on = this.isUec(node) && this.isUec(peer.node) && this.settingsOf(node, port).llr && this.settingsOf(peer.node, peer.port).llr;
    let cable = this.llrCables.get(out) ?? this.llrCables.get(back);
    if (cable === undefined) {
      if (!on) return;
      cable = new LlrCable(
        net.events,
        net.pool,
        net.rng.fork(`llr:${net.spec.nodes[node].name}:${port}`),
        out,
        back,
        this.llrConfig,
        this.defects.get(node)!.llr,
        this.defects.get(peer.node)!.llr,
      );
      this.llrCables.set(out, cable);
    }
    cable.setEnabled(on);
    for (const d of [cable.ab, cable.ba]) {
      const c = this.cbfc.get(d.link);
      if (c !== undefined) c.llrActive = on;
      d.onFlush = on && c !== undefined ? (frames) => c.returnCredits(frames) : null;
    }
  }

  /** Credits the port at (node, port) grants the sender facing it. */
  private grantOf(node: number, port: number): number {
    const s = this.settingsOf(node, port);
    if (s.rxCredits !== null) return s.rxCredits;
    const n = this.rt.network.nodes[node];
    if (n instanceof Host) return NIC_RX_CREDITS;
    const q = this.rt.network.egressLink(node, port)?.queue.maxBytes ?? 0;
    return Number.isFinite(q) ? Math.floor(q / this.cbfcConfig.creditBytes) : NIC_RX_CREDITS;
  }

  private refreshCbfc(node: number, port: number): void {
    const peer = this.peerOf(node, port);
    if (peer === null) return;
    const on = this.isUec(node) && this.isUec(peer.node) && this.settingsOf(node, port).cbfc && this.settingsOf(peer.node, peer.port).cbfc;
    this.direction(node, port, peer.node, peer.port, on);
    this.direction(peer.node, peer.port, node, port, on);
  }

  /** CBFC on the direction leaving (txNode, txPort) toward (rxNode, rxPort). */
  private direction(txNode: number, txPort: number, rxNode: number, rxPort: number, on: boolean): void {
    const net = this.rt.network;
    const link = net.egressLink(txNode, txPort) as Link;
    let dir = this.cbfc.get(link);
    if (dir === undefined) {
      if (!on) return;
      dir = new CbfcDirection(net.events, link, this.cbfcConfig, this.grantOf(rxNode, rxPort));
      this.cbfc.set(link, dir);
      let ing = this.ingress.get(rxNode);
      if (ing === undefined) {
        const dev = net.nodes[rxNode];
        ing = new CreditIngress(dev, net.spec.nodes[rxNode].ports.length, dev instanceof Switch ? dev : null);
        this.ingress.set(rxNode, ing);
      }
      ing.attach(rxPort, dir);
    }
    dir.ignoresCredits = this.defects.get(txNode)?.ignoresCredits ?? false;
    dir.limit = this.grantOf(rxNode, rxPort);
    dir.llrActive = this.llrCables.get(link)?.enabled ?? this.llrCables.get(link.reverse as Link)?.enabled ?? false;
    const cable = this.llrCables.get(link) ?? this.llrCables.get(link.reverse as Link);
    if (cable !== undefined) {
      const d = cable.ab.link === link ? cable.ab : cable.ba;
      const c = dir;
      d.onFlush = on && cable.enabled ? (frames) => c.returnCredits(frames) : null;
    }
    if (on) dir.enable();
    else dir.disable();
    dir.link.queue.resume();
  }

  /** LLR of the port: `out` its transmitter's direction, `in` the direction arriving at it. */
  llrOf(node: number, port: number): { out: LlrDirection; in: LlrDirection } | null {
    const out = this.rt.network.egressLink(node, port);
    if (out === null) return null;
    const own = this.llrCables.get(out);
    if (own !== undefined) return { out: own.ab, in: own.ba };
    const other = this.llrCables.get(out.reverse as Link);
    return other === undefined ? null : { out: other.ba, in: other.ab };
  }

  cbfcOf(node: number, port: number): { out: CbfcDirection | null; in: CbfcDirection | null } {
    const out = this.rt.network.egressLink(node, port);
    if (out === null) return { out: null, in: null };
    return { out: this.cbfc.get(out) ?? null, in: this.cbfc.get(out.reverse as Link) ?? null };
  }

  /** The port's LLR state for state readers. */
  llrState(node: number, port: number): Record<string, unknown> {
    const s = this.settingsOf(node, port);
    const l = this.llrOf(node, port);
    const bits = this.llrConfig.seqBits;
    if (l === null || !l.out.enabled) {
      return { enabled: s.llr, active: false, 'tx-state': 'OFF', 'rx-state': 'OFF', 'seq-bits': bits, counters: l === null ? {} : { ...l.out.tx, ...l.in.rx } };
    }
    return {
      enabled: s.llr,
      active: true,
      'tx-state': l.out.txState,
      'rx-state': l.in.rxState,
      'seq-bits': bits,
      'tx-seq': l.out.txSeq,
      'rx-expected-seq': l.in.rxExpectedSeq,
      'outstanding-frames': l.out.outstandingFrames,
      'replay-count-max': this.llrConfig.replayCountMax,
      counters: { ...l.out.tx, ...l.in.rx },
    };
  }

  /** The port's CBFC state: `tx` what it may send, `rx` what it grants and frees. */
  cbfcState(node: number, port: number): Record<string, unknown> {
    const s = this.settingsOf(node, port);
    const { out, in: inn } = this.cbfcOf(node, port);
    const bits = this.cbfcConfig.counterBits;
    return {
      enabled: s.cbfc,
      active: out?.enabled ?? false,
      'credit-bytes': this.cbfcConfig.creditBytes,
      'counter-bits': bits,
      'rx-credits': this.grantOf(node, port),
      tx:
        out === null
          ? null
          : {
              limit: out.limit,
              consumed: out.consumedCounter,
              'in-use': out.inUse,
              available: out.available,
              blocked: out.blocked,
              ...out.tx,
            },
      rx:
        inn === null
          ? null
          : {
              granted: inn.limit,
              freed: inn.freedCounter,
              'in-use': inn.rxInUse,
              ...inn.rx,
            },
    };
  }
}

const layers = new WeakMap<TwinRuntime, UecLinkLayer>();

/** The UEC link layer of a twin (created with the first UEC device). */
export function linkLayerOf(rt: TwinRuntime): UecLinkLayer {
  let l = layers.get(rt);
  if (l === undefined) layers.set(rt, (l = new UecLinkLayer(rt)));
  return l;
}
