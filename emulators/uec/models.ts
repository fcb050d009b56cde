// Twin models of the UEC device kinds: `uec-nic` (a traffic endpoint running UET with PDCs) and `uec-switch` (a spraying, trimming switch), both with LLR and CBFC per port.
//
// Both extend the fabric models (ports, counters, capture, faults, interface state) and add:
//   /interfaces/interface[name=P]/llr/config/enabled        boolean (config; LLR runs when both ends enable it)
//   /interfaces/interface[name=P]/llr/state                 tx/rx state, sequence numbers, counters
//   /interfaces/interface[name=P]/cbfc/config/enabled       boolean (config; per direction, both ends)
//   /interfaces/interface[name=P]/cbfc/config/rx-credits    credits this port grants (config; 128 B each)
//   /interfaces/interface[name=P]/cbfc/state                limit, consumed/freed counters, counters
// uec-nic also serves
//   /uet/config/delivery-mode  rud | rod | rudi | uud (config: the mode of the flows set next)
//   /uet/config/mpr            the MPR it accepts as a target, units of 128 PSNs (config, 1..255)
//   /uet/state/pdcs            PDCs allocated now (id, peer id, role, mode, state, start PSN, last PSN)
//   /uet/state/pdc-log         PDC state changes with their device time
//   /uet/state/counters        PDCs opened/closed, NACKs sent/received by code, closes, clears
//   /uet/flows/flow[name=F]/state   cwnd-bytes, max-cwnd-bytes, inflight-bytes, base-rtt-ps, PDC ids
// and uec-switch
//   /qos/interfaces/interface[name=P]/queue   max-bytes, ecn-min-bytes, ecn-max-bytes, trimming, peak-bytes, drops
// A uec-switch sprays on entropy, trims, and marks ECN between 0.2 and 0.8 of its queue (the queue
// being one BDP: protocol-facts "Switch settings") unless its params say otherwise. Params `llr`
// and `cbfc` (booleans) enable them on every port at build time, `cbfcRxCredits` sets the grant.

import type { TwinDeviceSpec } from '../twin.ts';
import { SwitchModel, TrafficModel } from '../fabric/twin-models.ts';
import type { TwinRuntime } from '../fabric/twin-runtime.ts';
import { Host } from '../fabric/host.ts';
import { Switch } from '../fabric/switch.ts';
import { linkLayerOf, type NodeLinkDefects, type UecLinkLayer } from './linklayer.ts';
import { DELIVERY_MODES, nicPdsOf, noNicDefects, type DeliveryMode, type NicPds, type NicPdsDefects } from './pds.ts';
import { UetFlow } from './uet.ts';

/** Header bytes of a UET data packet over IPv4/UDP: Ethernet 14 + IPv4 20 + UDP 8 + RUD 12 + SES standard 44. */
export const UEC_NIC_HEADER_BYTES = 98;

const PORT_PATH = /^\/interfaces\/interface\[name=([^\]]+)\]\/(llr|cbfc)(?:\/(config|state))?(?:\/([a-z-]+))?$/;
const FLOW_PATH = /^\/uet\/flows\/flow\[name=([^\]]+)\](?:\/state)?$/;
const QUEUE_PATH = /^\/qos\/interfaces\/interface\[name=([^\]]+)\]\/queue$/;

/** Defect ids a UEC device honours, by behaviour (the profiles are registered in family.ts). */
export const UEC_DEFECT = {
  nicGoBackN: 'uec-nic-go-back-n',
  retxFlagMissing: 'uet-retx-flag-missing',
  headerLayout: 'uet-wrong-header-layout',
  swappedPdcIds: 'uet-swapped-pdc-ids',
  psnReuse: 'uet-psn-reuse',
  rodOutOfOrder: 'uet-rod-out-of-order',
  nackWrongCode: 'uet-nack-wrong-code',
  noNack: 'uet-no-nack',
  ignoresMpr: 'uet-ignores-mpr',
  pdcNeverCloses: 'uet-pdc-never-closes',
  rudiNoRetransmit: 'uet-rudi-no-retransmit',
  uudRetransmits: 'uet-uud-retransmits',
  nsccIgnoresEcn: 'uet-nscc-ignores-ecn',
  rudDuplicates: 'uet-rud-duplicates',
  singleEntropy: 'uet-single-entropy',
  cbfcIgnoresCredits: 'cbfc-ignores-credits',
  llrNeverResends: 'llr-replay-never-resends',
  llrNoFlush: 'llr-no-flush',
  switchNoTrim: 'uec-switch-no-trim',
  switchIgnoresEntropy: 'uec-switch-ignores-entropy',
  /** Engine profiles (emulators/defects/registry.ts) a UEC device honours too, should they apply to its kind. */
  legacyGoBackN: 'uet-go-back-n',
  legacyEcmp: 'ecmp-ignores-entropy',
} as const;

function nicDefectsOf(ids: readonly string[]): NicPdsDefects {
  const has = (id: string) => ids.includes(id);
  const d = noNicDefects();
  d.goBackN = has(UEC_DEFECT.nicGoBackN) || has(UEC_DEFECT.legacyGoBackN);
  d.retxFlagMissing = has(UEC_DEFECT.retxFlagMissing);
  d.headerLayout = has(UEC_DEFECT.headerLayout);
  d.swappedPdcIds = has(UEC_DEFECT.swappedPdcIds);
  d.psnReuse = has(UEC_DEFECT.psnReuse);
  d.rodOutOfOrder = has(UEC_DEFECT.rodOutOfOrder);
  d.nackWrongCode = has(UEC_DEFECT.nackWrongCode);
  d.noNack = has(UEC_DEFECT.noNack);
  d.ignoresMpr = has(UEC_DEFECT.ignoresMpr);
  d.pdcNeverCloses = has(UEC_DEFECT.pdcNeverCloses);
  d.rudiNoRetransmit = has(UEC_DEFECT.rudiNoRetransmit);
  d.uudRetransmits = has(UEC_DEFECT.uudRetransmits);
  d.nsccIgnoresEcn = has(UEC_DEFECT.nsccIgnoresEcn);
  d.rudDuplicates = has(UEC_DEFECT.rudDuplicates);
  d.singleEntropy = has(UEC_DEFECT.singleEntropy);
  return d;
}

function linkDefectsOf(ids: readonly string[]): NodeLinkDefects {
  return {
    llr: { neverResends: ids.includes(UEC_DEFECT.llrNeverResends), noFlush: ids.includes(UEC_DEFECT.llrNoFlush) },
    ignoresCredits: ids.includes(UEC_DEFECT.cbfcIgnoresCredits),
  };
}

function boolOf(path: string, value: unknown, device: string): boolean {
  if (typeof value !== 'boolean') throw new Error(`device '${device}': ${path} takes a boolean, got ${JSON.stringify(value)}`);
  return value;
}

/** LLR and CBFC settings and state, shared by both UEC kinds. */
class UecPorts {
  readonly layer: UecLinkLayer;
  constructor(
    private readonly rt: TwinRuntime,
    private readonly node: number,
    private readonly spec: TwinDeviceSpec,
    defects: readonly string[],
  ) {
    this.layer = linkLayerOf(rt);
    this.layer.addNode(node, linkDefectsOf(defects));
    const p = spec.params ?? {};
    const credits = typeof p.cbfcRxCredits === 'number' ? p.cbfcRxCredits : null;
    spec.ports.forEach((_, i) => {
      if (credits !== null) this.layer.setRxCredits(node, i, credits);
      if (p.llr === true) this.layer.setLlr(node, i, true);
      if (p.cbfc === true) this.layer.setCbfc(node, i, true);
    });
  }

  private port(name: string): number {
    return this.rt.portIndex(this.node, name);
  }

  /** State or config read of an LLR/CBFC path; undefined when the path is not one. */
  get(path: string, config: boolean): { hit: boolean; value?: unknown } {
    const m = PORT_PATH.exec(path);
    if (m === null || !this.spec.ports.includes(m[1])) return { hit: false };
    const [, name, feature, section, leaf] = m;
    const port = this.port(name);
    const s = this.layer.settingsOf(this.node, port);
    if (section === 'config' || config) {
      const cfg: Record<string, unknown> =
        feature === 'llr' ? { enabled: s.llr } : { enabled: s.cbfc, 'rx-credits': s.rxCredits ?? (this.layer.cbfcState(this.node, port)['rx-credits'] as number) };
      return { hit: true, value: leaf === undefined ? cfg : cfg[leaf] };
    }
    const st = feature === 'llr' ? this.layer.llrState(this.node, port) : this.layer.cbfcState(this.node, port);
    return { hit: true, value: leaf === undefined ? st : st[leaf] };
  }

  edit(path: string, value: unknown, op: 'merge' | 'replace' | 'delete'): boolean {
    const m = PORT_PATH.exec(path);
    if (m === null || !this.spec.ports.includes(m[1])) return false;
    const [, name, feature, section, leaf] = m;
    if (section !== 'config') throw new Error(`device '${this.spec.id}': ${path} is not a config path`);
    const port = this.port(name);
    const id = this.spec.id;
    const del = op === 'delete';
    if (feature === 'llr' && leaf === 'enabled') this.layer.setLlr(this.node, port, del ? false : boolOf(path, value, id));
    else if (feature === 'cbfc' && leaf === 'enabled') this.layer.setCbfc(this.node, port, del ? false : boolOf(path, value, id));
    else if (feature === 'cbfc' && leaf === 'rx-credits') {
      if (!del && (typeof value !== 'number' || !Number.isInteger(value) || value < 0)) {
        throw new Error(`device '${id}': ${path} takes a whole number of credits >= 0, got ${JSON.stringify(value)}`);
      }
      this.layer.setRxCredits(this.node, port, del ? null : (value as number));
    } else throw new Error(`device '${id}': config path '${path}' is not supported`);
    return true;
  }
}

export class UecNicModel extends TrafficModel {
  private readonly pds: NicPds;
  private readonly uecPorts: UecPorts;
  /** Options every flow set up next gets (the object TrafficModel spreads into each flow). */
  private readonly flowOptions: Record<string, unknown>;

  constructor(rt: TwinRuntime, node: number, spec: TwinDeviceSpec, defects: readonly string[]) {
    const flowOptions: Record<string, unknown> = { headerBytes: UEC_NIC_HEADER_BYTES, deliveryMode: 'rud' };
    super(rt, node, spec, defects, { flowTransportOptions: flowOptions });
    this.flowOptions = flowOptions;
    const host = rt.network.nodes[node];
    if (!(host instanceof Host)) throw new Error(`device '${spec.id}': a uec-nic must be an endpoint`);
    this.pds = nicPdsOf(host);
    this.pds.enable(rt.network.rng.fork(`uet-start-psn:${spec.id}`));
    this.pds.defects = nicDefectsOf(defects);
    const p = spec.params ?? {};
    if (typeof p.mpr === 'number') this.setMpr(p.mpr);
    if (typeof p.deliveryMode === 'string') this.setMode(p.deliveryMode);
    this.uecPorts = new UecPorts(rt, node, spec, defects);
  }

  private setMode(v: unknown): void {
    if (typeof v !== 'string' || !(DELIVERY_MODES as readonly string[]).includes(v)) {
      throw new Error(`device '${this.id}': delivery-mode must be one of ${DELIVERY_MODES.join(', ')}, got ${JSON.stringify(v)}`);
    }
    this.pds.config.deliveryMode = v as DeliveryMode;
    this.flowOptions.deliveryMode = v;
  }

  private setMpr(v: unknown): void {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 255) {
      throw new Error(`device '${this.id}': mpr is a whole number of 128-PSN units from 1 to 255, got ${JSON.stringify(v)}`);
    }
    this.pds.config.mpr = v;
  }

  private ownFlows(): UetFlow[] {
    const host = this.rt.network.nodes[this.node];
    return this.rt.flows.all().filter((f): f is UetFlow => f instanceof UetFlow && this.rt.network.endpointOf(f.spec.src).host === host);
  }

  protected override stateGet(path: string): unknown {
    const port = this.uecPorts.get(path, false);
    if (port.hit) return port.value;
    switch (path) {
      case '/uet/state/pdcs':
        return this.pds.live().map((p) => ({ ...p }));
      case '/uet/state/pdc-log':
        return this.pds.log.map((e) => ({ ...e }));
      case '/uet/state/counters':
        return JSON.parse(JSON.stringify(this.pds.counters)) as unknown;
      case '/uet/config/delivery-mode':
        return this.pds.config.deliveryMode;
      case '/uet/config/mpr':
        return this.pds.config.mpr;
    }
    const m = FLOW_PATH.exec(path);
    if (m !== null) {
      const f = this.ownFlows().find((x) => x.spec.name === m[1]);
      if (f === undefined) return undefined;
      const w = f.window;
      const pdc = f.pdc;
      return {
        'cwnd-bytes': w.cwnd,
        'max-cwnd-bytes': w.maxwnd,
        'inflight-bytes': w.inflight,
        'base-rtt-ps': w.baseRttPs,
        'initiator-pdc': pdc.initiatorId,
        'target-pdc': pdc.targetId,
        'start-psn': pdc.startPsn,
        'pdc-closed': pdc.closed,
        done: f.done,
      };
    }
    return super.stateGet(path);
  }

  protected override configGet(path?: string): unknown {
    if (path !== undefined) {
      const port = this.uecPorts.get(path, true);
      if (port.hit) return port.value;
      if (path === '/uet/config/delivery-mode') return this.pds.config.deliveryMode;
      if (path === '/uet/config/mpr') return this.pds.config.mpr;
      if (path === '/uet/config') return { 'delivery-mode': this.pds.config.deliveryMode, mpr: this.pds.config.mpr };
    }
    return super.configGet(path);
  }

  protected override configEdit(path: string, value: unknown, op: 'merge' | 'replace' | 'delete'): void {
    if (this.uecPorts.edit(path, value, op)) return;
    if (path === '/uet/config/delivery-mode') return this.setMode(op === 'delete' ? 'rud' : value);
    if (path === '/uet/config/mpr') return this.setMpr(op === 'delete' ? 8 : value);
    super.configEdit(path, value, op);
  }
}

export class UecSwitchModel extends SwitchModel {
  private readonly uecPorts: UecPorts;

  constructor(rt: TwinRuntime, node: number, spec: TwinDeviceSpec, defects: readonly string[]) {
    super(rt, node, spec, defects);
    const sw = rt.network.nodes[node];
    if (!(sw instanceof Switch)) throw new Error(`device '${spec.id}': a uec-switch must be a switch`);
    const p = spec.params ?? {};
    const trim = p.trimming !== false && !defects.includes(UEC_DEFECT.switchNoTrim);
    for (const l of sw.egress) {
      if (l === null) continue;
      const q = l.queue;
      q.trimming = trim;
      if (typeof p.ecnMinBytes !== 'number' && Number.isFinite(q.maxBytes)) q.ecnMinBytes = 0.2 * q.maxBytes;
      if (typeof p.ecnMaxBytes !== 'number' && Number.isFinite(q.maxBytes)) q.ecnMaxBytes = 0.8 * q.maxBytes;
    }
    if (defects.includes(UEC_DEFECT.switchIgnoresEntropy) || defects.includes(UEC_DEFECT.legacyEcmp)) sw.setSelector('ecmp');
    this.uecPorts = new UecPorts(rt, node, spec, defects);
  }

  protected override stateGet(path: string): unknown {
    const port = this.uecPorts.get(path, false);
    if (port.hit) return port.value;
    const m = QUEUE_PATH.exec(path);
    if (m !== null && this.ports.includes(m[1])) {
      const l = this.rt.network.egressLink(this.node, this.port(m[1]));
      if (l === null) return undefined;
      const q = l.queue;
      return {
        'max-bytes': q.maxBytes,
        'ecn-min-bytes': q.ecnMinBytes,
        'ecn-max-bytes': q.ecnMaxBytes,
        trimming: q.trimming,
        'peak-bytes': q.peakBytes,
        drops: q.drops,
      };
    }
    return super.stateGet(path);
  }

  protected override configGet(path?: string): unknown {
    if (path !== undefined) {
      const port = this.uecPorts.get(path, true);
      if (port.hit) return port.value;
    }
    return super.configGet(path);
  }

  protected override configEdit(path: string, value: unknown, op: 'merge' | 'replace' | 'delete'): void {
    if (this.uecPorts.edit(path, value, op)) return;
    super.configEdit(path, value, op);
  }
}
