// The router as a twin node: the port model plus the router's configuration and state paths.
//
// Configuration (edit with merge / replace / delete; leaves in kebab case; intervals in us):
//   /routing/config                                          load-balancing: ecmp | ucmp | adaptive,
//                                                            elephant-rate-bps, elephant-lifetime-us
//   /routing/interfaces/interface[name=P]/config             metric (IGP cost), weight (UCMP)
//   /network-instances/network-instance[name=V]/config       address-family: ipv4 | ipv6, interfaces: [P...]
//   /network-instances/network-instance[name=V]/segment-routing/policies/policy[name=N]/config
//                                                            endpoint (remote PE source address), segment-list
//                                                            (SIDs, path order), ingress-interfaces (optional)
//   /bfd/interfaces/interface[id=P]/config                   enabled, desired-minimum-tx-interval,
//                                                            required-minimum-receive, detection-multiplier
//   /multicast/igmp/interfaces/interface[name=P]/config      static-groups: [group...]
//   /qos/pfc/config                                          enabled, xoff-bytes, xon-bytes, headroom-bytes (auto | n)
//   /qos/ecn/config                                          min-bytes, max-bytes (all egress queues)
//   /hpwan/quota/config                                      bandwidth-bps
//   /hpwan/tasks/task[name=T]/config                         ingress-interface, mode (optimal | minimum | maximum),
//                                                            rate-bps, min-rate-bps, max-rate-bps, duration-ms
//   /hpwan/proxy/config                                      enabled, interfaces: [P...]
//   /hpwan/congestion-notification/config                   enabled
//   /network-slices/slice[name=S]/config                     network-instance, bandwidth-bps
// plus the port model's /interfaces/interface[name=P]/enabled.
// State (each container also answers for one of its leaves):
//   /interfaces/interface[name=P]/state/transport            fibre, length-km, one-way-delay-us
//   /interfaces/interface[name=P]/state/ethernet             the `ethernet` param (802.3df facts), port-speed-bps
//   /routing/state                                           load-balancing, counters, elephant-flows
//   /routing/interfaces/interface[name=P]/state              metric, weight, usable, peer-router
//   /bfd/interfaces/interface[id=P]/state                    session-state, remote-session-state, local-/remote-
//        discriminator, local-/remote-diagnostic-code, desired-minimum-tx-interval, required-minimum-receive,
//        detection-multiplier, remote-desired-transmit-interval, remote-minimum-receive-interval,
//        remote-multiplier, negotiated-transmit-interval, detection-time, poll-in-progress, up-transitions,
//        down-transitions, last-down-time-ps, tx-packets, rx-packets
//   /srv6/state                                              locator, source-address, sids [{sid, behavior, ...}]
//   /network-instances/network-instance[name=V]/state        address-family, interfaces, service-sid
//   /qos/interfaces/interface[name=P]/pfc/state              enabled, xoff-bytes, xon-bytes, headroom-bytes,
//        cable-length-km, peak-headroom-used-bytes, headroom-drops, ingress-bytes
//   /hpwan/quota/state, /hpwan/tasks/task[name=T]/state, /hpwan/proxy/state
//   /multicast/state                                         copies, groups {group: [P...]}
//   /sla/state                                               training-efficiency-loss-bound-pct (testbed param)
//   /system/state                                            router-id, ipv4-loopback, source-address
// Session states and diagnostics use the openconfig-bfd names (UP, DOWN, INIT, ADMIN_DOWN;
// NO_DIAGNOSTIC, DETECTION_TIMEOUT, ...).

import { BFD_STATE } from '../../protocols/bfd/control.ts';
import { ipv6FormatAddress, ipv6ParseAddress } from '../../protocols/ipv6/address.ts';
import { PortDeviceModel } from '../fabric/twin-models.ts';
import type { TwinRuntime } from '../fabric/twin-runtime.ts';
import type { TwinDeviceSpec } from '../twin.ts';
import { HpwanRequestError, checkHpwanRequest, type HpwanMode, type HpwanRequest } from '../wan/hpwan.ts';
import { PS_PER_US } from './bfd.ts';
import { RouterConfigError, matchPath, numberLeaf, objectValue, pickLeaf, stringListLeaf } from './paths.ts';
import { DEFAULT_ELEPHANT_POLICY, DEFAULT_VRF, Router } from './router.ts';

export const BFD_STATE_NAMES = ['ADMIN_DOWN', 'DOWN', 'INIT', 'UP'] as const;
export const BFD_DIAG_NAMES = [
  'NO_DIAGNOSTIC',
  'DETECTION_TIMEOUT',
  'ECHO_FAILED',
  'NEIGHBOR_SIGNALED_DOWN',
  'FORWARDING_RESET',
  'PATH_DOWN',
  'CONCATENATED_PATH_DOWN',
  'ADMIN_DOWN',
  'REVERSE_CONCATENATED_PATH_DOWN',
] as const;

type Op = 'merge' | 'replace' | 'delete';

export class RouterModel extends PortDeviceModel {
  /** Configured containers by path (what config.get returns). */
  private readonly stored = new Map<string, Record<string, unknown>>();
  private readonly initialQuotaBps: number;

  constructor(
    rt: TwinRuntime,
    node: number,
    spec: TwinDeviceSpec,
    defects: readonly string[],
    readonly router: Router,
    private readonly slaBoundPct: number | undefined,
    private readonly ethernet: Record<string, unknown> = {},
  ) {
    super(rt, node, spec, defects);
    this.initialQuotaBps = router.quota.bandwidthBps;
  }

  private portOf(path: string, name: string): number {
    const p = this.ports.indexOf(name);
    if (p < 0) throw new RouterConfigError(this.id, `${path}: no port '${name}' (ports: ${this.ports.join(', ')})`);
    return p;
  }

  private merged(key: string, value: unknown, op: Op, path: string): Record<string, unknown> {
    const v = objectValue(this.id, path, value);
    const next = op === 'merge' ? { ...(this.stored.get(key) ?? {}), ...v } : { ...v };
    return next;
  }

  protected override configGet(path?: string): unknown {
    if (path === undefined || path === '/') {
      return { ...(super.configGet(path) as object), ...Object.fromEntries(this.stored) };
    }
    const hit = this.stored.get(path.replace(/\/config\/[a-z-]+$/, '/config'));
    if (hit !== undefined) {
      const leaf = /\/config\/([a-z-]+)$/.exec(path)?.[1];
      return leaf === undefined ? { ...hit } : hit[leaf];
    }
    return super.configGet(path);
  }

  /** `device:port` of an endpoint address of the twin (the number itself if there is none). */
  private addressName(a: number): string {
    const x = this.rt.network.spec.addresses[a];
    if (x === undefined) return String(a);
    const d = this.rt.devices[x.node]!;
    return `${d.id}:${d.ports[x.port]}`;
  }

  protected override configEdit(path: string, value: unknown, op: Op): void {
    // a leaf edit becomes a merge of the container
    const leaf = /^(.*\/config)\/([a-z-]+)$/.exec(path);
    if (leaf !== null && !path.startsWith('/interfaces/')) {
      if (op === 'delete') throw new RouterConfigError(this.id, `${path}: delete the container ${leaf[1]}, not a leaf`);
      this.configEdit(leaf[1], { [leaf[2]]: value }, 'merge');
      return;
    }
    const r = this.router;
    let m;
    if ((m = matchPath(path, '/routing/config'))) {
      if (op === 'delete') {
        r.loadBalancing = 'ecmp';
        r.elephantPolicy = { ...DEFAULT_ELEPHANT_POLICY };
        r.resetFlows();
        this.stored.delete('/routing/config');
        return;
      }
      const c = this.merged('/routing/config', value, op, path);
      const lb = c['load-balancing'] ?? 'ecmp';
      if (lb !== 'ecmp' && lb !== 'ucmp' && lb !== 'adaptive') {
        throw new RouterConfigError(this.id, `${path}: load-balancing must be ecmp, ucmp or adaptive, got ${JSON.stringify(lb)}`);
      }
      const policy = {
        minRateBps: c['elephant-rate-bps'] === undefined ? DEFAULT_ELEPHANT_POLICY.minRateBps : numberLeaf(this.id, path, 'elephant-rate-bps', c['elephant-rate-bps'], 1),
        minLifetimePs:
          c['elephant-lifetime-us'] === undefined ? DEFAULT_ELEPHANT_POLICY.minLifetimePs : numberLeaf(this.id, path, 'elephant-lifetime-us', c['elephant-lifetime-us'], 0) * 1e6,
      };
      if (lb !== r.loadBalancing || policy.minRateBps !== r.elephantPolicy.minRateBps || policy.minLifetimePs !== r.elephantPolicy.minLifetimePs) r.resetFlows();
      r.loadBalancing = lb;
      r.elephantPolicy = policy;
      this.stored.set('/routing/config', c);
      return;
    }
    if ((m = matchPath(path, '/routing/interfaces/interface[name=*]/config'))) {
      const port = this.portOf(path, m.keys.name);
      const key = `/routing/interfaces/interface[name=${m.keys.name}]/config`;
      const c = op === 'delete' ? {} : this.merged(key, value, op, path);
      r.setMetric(port, c.metric === undefined ? 10 : numberLeaf(this.id, path, 'metric', c.metric, 0));
      r.setWeight(port, c.weight === undefined ? NaN : numberLeaf(this.id, path, 'weight', c.weight, 0));
      if (op === 'delete') this.stored.delete(key);
      else this.stored.set(key, c);
      return;
    }
    if ((m = matchPath(path, '/network-instances/network-instance[name=*]/segment-routing/policies/policy[name=*]/config'))) {
      const vrf = m.keys.name;
      const pname = m.keys['name#2'];
      const key = `/network-instances/network-instance[name=${vrf}]/segment-routing/policies/policy[name=${pname}]/config`;
      if (op === 'delete') {
        r.deletePolicy(vrf, pname);
        this.stored.delete(key);
        return;
      }
      if (!r.vrfs.has(vrf)) throw new RouterConfigError(this.id, `${path}: no network instance '${vrf}'`);
      const c = this.merged(key, value, op, path);
      if (typeof c.endpoint !== 'string') throw new RouterConfigError(this.id, `${path}: 'endpoint' must be the remote PE's address`);
      const endpointNode = Router.ownerOf(r.domain, c.endpoint);
      if (endpointNode < 0) throw new RouterConfigError(this.id, `${path}: endpoint ${c.endpoint} is no router of the domain`);
      const segs = stringListLeaf(this.id, path, 'segment-list', c['segment-list'] ?? []).map((s) => canonical(this.id, path, s));
      for (const s of segs) {
        if (r.domain.sid(s) === undefined) throw new RouterConfigError(this.id, `${path}: segment ${s} is no SID of the domain`);
      }
      const ingress = stringListLeaf(this.id, path, 'ingress-interfaces', c['ingress-interfaces'] ?? []).map((p) => this.portOf(path, p));
      r.setPolicy({ name: pname, vrf, endpointNode, endpoint: c.endpoint, segmentList: segs, ingress: new Set(ingress) });
      this.stored.set(key, c);
      return;
    }
    if ((m = matchPath(path, '/network-instances/network-instance[name=*]/config'))) {
      const vrf = m.keys.name;
      const key = `/network-instances/network-instance[name=${vrf}]/config`;
      if (op === 'delete') {
        r.deleteVrf(vrf);
        this.stored.delete(key);
        for (const k of [...this.stored.keys()]) if (k.startsWith(`/network-instances/network-instance[name=${vrf}]/`)) this.stored.delete(k);
        return;
      }
      if (vrf === DEFAULT_VRF) throw new RouterConfigError(this.id, `${path}: the default instance holds every unbound port; bind ports to another one`);
      const c = this.merged(key, value, op, path);
      const af = c['address-family'] ?? 'ipv4';
      if (af !== 'ipv4' && af !== 'ipv6') throw new RouterConfigError(this.id, `${path}: address-family must be ipv4 or ipv6`);
      const ifs = stringListLeaf(this.id, path, 'interfaces', c.interfaces ?? []).map((p) => this.portOf(path, p));
      for (const p of ifs) {
        if (r.peerRouter[p] >= 0) throw new RouterConfigError(this.id, `${path}: ${this.ports[p]} faces a router (core port), not an attachment circuit`);
      }
      r.setVrf(vrf, af === 'ipv6' ? 6 : 4, ifs);
      this.stored.set(key, c);
      return;
    }
    if ((m = matchPath(path, '/bfd/interfaces/interface[id=*]/config'))) {
      const port = this.portOf(path, m.keys.id);
      const key = `/bfd/interfaces/interface[id=${m.keys.id}]/config`;
      if (op === 'delete') {
        r.setBfd(port, null);
        this.stored.delete(key);
        return;
      }
      const c = this.merged(key, value, op, path);
      const enabled = c.enabled ?? true;
      if (typeof enabled !== 'boolean') throw new RouterConfigError(this.id, `${path}: 'enabled' must be a boolean`);
      const timers = {
        desiredMinTxUs: numberLeaf(this.id, path, 'desired-minimum-tx-interval', c['desired-minimum-tx-interval'] ?? 100_000, 1),
        requiredMinRxUs: numberLeaf(this.id, path, 'required-minimum-receive', c['required-minimum-receive'] ?? 100_000, 0),
        detectMult: numberLeaf(this.id, path, 'detection-multiplier', c['detection-multiplier'] ?? 3, 1),
      };
      try {
        r.setBfd(port, enabled ? timers : null);
      } catch (e) {
        throw new RouterConfigError(this.id, `${path}: ${(e as Error).message}`);
      }
      this.stored.set(key, c);
      return;
    }
    if ((m = matchPath(path, '/multicast/igmp/interfaces/interface[name=*]/config'))) {
      const port = this.portOf(path, m.keys.name);
      const key = `/multicast/igmp/interfaces/interface[name=${m.keys.name}]/config`;
      if (op === 'delete') {
        r.setJoins(port, []);
        this.stored.delete(key);
        return;
      }
      const c = this.merged(key, value, op, path);
      const groups = stringListLeaf(this.id, path, 'static-groups', c['static-groups'] ?? []);
      for (const g of groups) {
        const first = Number(g.split('.')[0]);
        if (!/^\d+\.\d+\.\d+\.\d+$/.test(g) || first < 224 || first > 239) throw new RouterConfigError(this.id, `${path}: ${g} is not an IPv4 multicast group`);
      }
      r.setJoins(port, groups);
      this.stored.set(key, c);
      return;
    }
    if ((m = matchPath(path, '/qos/pfc/config'))) {
      if (op === 'delete') {
        r.setPfc(null);
        this.stored.delete('/qos/pfc/config');
        return;
      }
      const c = this.merged('/qos/pfc/config', value, op, path);
      if ((c.enabled ?? true) === false) {
        r.setPfc(null);
      } else {
        const xoff = numberLeaf(this.id, path, 'xoff-bytes', c['xoff-bytes'] ?? 1 << 20, 0);
        const xon = numberLeaf(this.id, path, 'xon-bytes', c['xon-bytes'] ?? xoff / 2, 0);
        if (xon > xoff) throw new RouterConfigError(this.id, `${path}: xon-bytes ${xon} exceeds xoff-bytes ${xoff}`);
        const h = c['headroom-bytes'] ?? 'auto';
        const headroom = h === 'auto' ? 'auto' : numberLeaf(this.id, path, 'headroom-bytes', h, 0);
        r.setPfc({ xoffBytes: xoff, xonBytes: xon, headroom });
      }
      r.resetPfcStats();
      this.stored.set('/qos/pfc/config', c);
      return;
    }
    if ((m = matchPath(path, '/qos/ecn/config'))) {
      const c = op === 'delete' ? {} : this.merged('/qos/ecn/config', value, op, path);
      const lo = c['min-bytes'] === undefined ? Infinity : numberLeaf(this.id, path, 'min-bytes', c['min-bytes'], 0);
      const hi = c['max-bytes'] === undefined ? lo : numberLeaf(this.id, path, 'max-bytes', c['max-bytes'], 0);
      if (hi < lo) throw new RouterConfigError(this.id, `${path}: max-bytes below min-bytes`);
      r.setEcn(lo, hi);
      if (op === 'delete') this.stored.delete('/qos/ecn/config');
      else this.stored.set('/qos/ecn/config', c);
      return;
    }
    if ((m = matchPath(path, '/hpwan/quota/config'))) {
      const c = op === 'delete' ? {} : this.merged('/hpwan/quota/config', value, op, path);
      // deleting the container brings back the testbed's quota
      r.setQuota(c['bandwidth-bps'] === undefined ? this.initialQuotaBps : numberLeaf(this.id, path, 'bandwidth-bps', c['bandwidth-bps'], 0));
      if (op === 'delete') this.stored.delete('/hpwan/quota/config');
      else this.stored.set('/hpwan/quota/config', c);
      return;
    }
    if ((m = matchPath(path, '/hpwan/tasks/task[name=*]/config'))) {
      const name = m.keys.name;
      const key = `/hpwan/tasks/task[name=${name}]/config`;
      if (op === 'delete') {
        r.deleteTask(name);
        this.stored.delete(key);
        return;
      }
      const c = this.merged(key, value, op, path);
      if (typeof c['ingress-interface'] !== 'string') throw new RouterConfigError(this.id, `${path}: 'ingress-interface' names the port the task's traffic enters by`);
      const port = this.portOf(path, c['ingress-interface']);
      const opt = (k: string) => (c[k] === undefined ? undefined : numberLeaf(this.id, path, k, c[k], 0));
      const req: HpwanRequest = {
        mode: c.mode as HpwanMode,
        ...(opt('rate-bps') !== undefined ? { rateBps: opt('rate-bps') } : {}),
        ...(opt('min-rate-bps') !== undefined ? { minRateBps: opt('min-rate-bps') } : {}),
        ...(opt('max-rate-bps') !== undefined ? { maxRateBps: opt('max-rate-bps') } : {}),
      };
      try {
        checkHpwanRequest(req);
      } catch (e) {
        if (e instanceof HpwanRequestError) throw new RouterConfigError(this.id, `${path}: ${e.message}`);
        throw e;
      }
      r.setTask(name, port, req, opt('duration-ms'));
      this.stored.set(key, c);
      return;
    }
    if ((m = matchPath(path, '/hpwan/proxy/config'))) {
      const c = op === 'delete' ? {} : this.merged('/hpwan/proxy/config', value, op, path);
      const ports = stringListLeaf(this.id, path, 'interfaces', c.interfaces ?? []).map((p) => this.portOf(path, p));
      r.setProxy(op !== 'delete' && (c.enabled ?? true) === true, ports);
      if (op === 'delete') this.stored.delete('/hpwan/proxy/config');
      else this.stored.set('/hpwan/proxy/config', c);
      return;
    }
    if ((m = matchPath(path, '/hpwan/congestion-notification/config'))) {
      const c = op === 'delete' ? {} : this.merged('/hpwan/congestion-notification/config', value, op, path);
      r.pcnEnabled = (c.enabled ?? true) === true;
      this.stored.set('/hpwan/congestion-notification/config', c);
      return;
    }
    if ((m = matchPath(path, '/network-slices/slice[name=*]/config'))) {
      const name = m.keys.name;
      const key = `/network-slices/slice[name=${name}]/config`;
      if (op === 'delete') {
        r.deleteSlice(name);
        this.stored.delete(key);
        return;
      }
      const c = this.merged(key, value, op, path);
      const vrf = c['network-instance'];
      if (typeof vrf !== 'string' || !r.vrfs.has(vrf)) throw new RouterConfigError(this.id, `${path}: 'network-instance' must name a configured instance`);
      r.setSlice(name, vrf, numberLeaf(this.id, path, 'bandwidth-bps', c['bandwidth-bps'], 1));
      this.stored.set(key, c);
      return;
    }
    super.configEdit(path, value, op);
  }

  protected override stateGet(path: string): unknown {
    const r = this.router;
    let m;
    if ((m = matchPath(path, '/interfaces/interface[name=*]/state/transport'))) {
      const p = this.ports.indexOf(m.keys.name);
      const link = p < 0 ? null : this.rt.network.egressLink(this.node, p);
      if (link === null) return undefined;
      const spec = this.rt.network.spec.links[this.rt.network.adj.linkOf[this.node][p]];
      return pickLeaf({ fibre: spec.fibre ?? 'smf', 'length-km': spec.lengthKm ?? link.delayPs / 5e6, 'one-way-delay-us': link.delayPs / PS_PER_US }, m.leaf);
    }
    if ((m = matchPath(path, '/interfaces/interface[name=*]/state/ethernet'))) {
      const p = this.ports.indexOf(m.keys.name);
      const link = p < 0 ? null : this.rt.network.egressLink(this.node, p);
      if (link === null) return undefined;
      return pickLeaf({ ...this.ethernet, 'port-speed-bps': link.rateBps }, m.leaf);
    }
    if ((m = matchPath(path, '/routing/state'))) {
      const elephants = r.elephants.map((e) => ({
        source: this.addressName(e.src),
        destination: this.addressName(e.dst),
        entropy: e.entropy,
        'egress-interface': this.ports[e.port],
        'rate-bps': Math.round(e.rateBps),
        'identified-at-ps': e.atPs,
      }));
      return pickLeaf({ 'load-balancing': r.loadBalancing, counters: { ...r.counters }, 'elephant-flows': elephants }, m.leaf);
    }
    if ((m = matchPath(path, '/routing/interfaces/interface[name=*]/state'))) {
      const p = this.ports.indexOf(m.keys.name);
      if (p < 0) return undefined;
      const peer = r.peerRouter[p];
      return pickLeaf(
        { metric: r.metricOf(p), weight: r.weightOf(p), usable: r.usable(p), 'peer-router': peer >= 0 ? this.rt.devices[peer].id : null },
        m.leaf,
      );
    }
    if ((m = matchPath(path, '/bfd/interfaces/interface[id=*]/state'))) {
      const p = this.ports.indexOf(m.keys.id);
      const s = p < 0 ? null : r.bfd[p];
      if (s === null) return undefined;
      return pickLeaf(
        {
          enabled: s.enabled,
          'session-state': BFD_STATE_NAMES[s.state],
          'remote-session-state': BFD_STATE_NAMES[s.remoteState],
          'local-discriminator': s.localDiscr,
          'remote-discriminator': s.remoteDiscr,
          'local-diagnostic-code': BFD_DIAG_NAMES[s.localDiag] ?? s.localDiag,
          'remote-diagnostic-code': BFD_DIAG_NAMES[s.remoteDiag] ?? s.remoteDiag,
          'desired-minimum-tx-interval': s.timers.desiredMinTxUs,
          'required-minimum-receive': s.timers.requiredMinRxUs,
          'detection-multiplier': s.timers.detectMult,
          'advertised-minimum-tx-interval': s.advertisedDesiredMinTxUs,
          'remote-desired-transmit-interval': s.remoteDesiredTxUs,
          'remote-minimum-receive-interval': s.remoteMinRxUs,
          'remote-multiplier': s.remoteDetectMult,
          'negotiated-transmit-interval': s.txIntervalUs(),
          'detection-time': s.detectionTimeUs(),
          'poll-in-progress': s.pollInProgress,
          'up-transitions': s.upTransitions,
          'down-transitions': s.downTransitions,
          'last-down-time-ps': s.lastDownPs,
          'last-up-time-ps': s.lastUpPs,
          'tx-packets': s.txPackets,
          'rx-packets': s.rxPackets,
          up: s.state === BFD_STATE.UP,
        },
        m.leaf,
      );
    }
    if ((m = matchPath(path, '/srv6/state'))) {
      return pickLeaf({ locator: r.locator, 'source-address': r.sourceAddress, sids: r.sidTable() }, m.leaf);
    }
    if ((m = matchPath(path, '/network-instances/network-instance[name=*]/state'))) {
      const v = r.vrfs.get(m.keys.name);
      if (v === undefined) return undefined;
      return pickLeaf(
        {
          name: v.name,
          'address-family': v.af === 6 ? 'ipv6' : 'ipv4',
          interfaces: [...v.interfaces].sort((a, b) => a - b).map((p) => this.ports[p]),
          'service-sid': r.dtSid(v),
          'service-behavior': v.af === 6 ? 'End.DT6' : 'End.DT4',
        },
        m.leaf,
      );
    }
    if ((m = matchPath(path, '/qos/interfaces/interface[name=*]/pfc/state'))) {
      const p = this.ports.indexOf(m.keys.name);
      if (p < 0) return undefined;
      const link = this.rt.network.egressLink(this.node, p);
      return pickLeaf(
        {
          enabled: r.pfc !== null,
          'xoff-bytes': r.pfc?.xoffBytes ?? 0,
          'xon-bytes': r.pfc?.xonBytes ?? 0,
          'headroom-bytes': r.headroomOf(p),
          'cable-length-km': link === null ? 0 : (this.rt.network.spec.links[this.rt.network.adj.linkOf[this.node][p]].lengthKm ?? link.delayPs / 5e6),
          'peak-headroom-used-bytes': r.peakAboveXoff[p],
          'headroom-drops': r.portHeadroomDrops[p],
          'ingress-bytes': r.ingressBacklog(p),
        },
        m.leaf,
      );
    }
    if ((m = matchPath(path, '/hpwan/quota/state'))) {
      return pickLeaf({ 'bandwidth-bps': r.quota.bandwidthBps, 'reserved-bps': r.quota.reservedBps, 'available-bps': r.quota.availableBps }, m.leaf);
    }
    if ((m = matchPath(path, '/hpwan/tasks/task[name=*]/state'))) {
      const t = r.tasks.get(m.keys.name);
      if (t === undefined) return undefined;
      return pickLeaf(
        {
          status: t.grant.status,
          mode: t.request.mode,
          'ingress-interface': this.ports[t.ingressPort],
          'guaranteed-rate-bps': t.grant.guaranteeBps,
          'cap-rate-bps': Number.isFinite(t.grant.capBps) ? t.grant.capBps : null,
          'negotiated-rate-bps': t.grant.negotiatedBps,
          ...(t.grant.reason !== undefined ? { reason: t.grant.reason } : {}),
          'shaper-drops': t.enforcer?.shaperDrops ?? 0,
          'priority-marked': t.enforcer?.marked ?? 0,
        },
        m.leaf,
      );
    }
    if ((m = matchPath(path, '/hpwan/proxy/state'))) {
      return pickLeaf(
        {
          enabled: r.proxyEnabled,
          interfaces: r.proxyPorts().map((p) => this.ports[p]),
          'notifications-sent': r.counters.pcnSent,
          'notifications-received': r.counters.pcnReceived,
          'cnp-sent': r.counters.proxyCnpSent,
        },
        m.leaf,
      );
    }
    if ((m = matchPath(path, '/network-slices/slice[name=*]/state'))) {
      const s = r.slices.get(m.keys.name);
      if (s === undefined) return undefined;
      return pickLeaf({ 'network-instance': s.vrf, 'bandwidth-bps': s.bandwidthBps, 'shaper-drops': s.enforcer.shaperDrops }, m.leaf);
    }
    if ((m = matchPath(path, '/multicast/state'))) {
      const groups: Record<string, string[]> = {};
      for (const name of this.ports) {
        for (const g of (this.stored.get(`/multicast/igmp/interfaces/interface[name=${name}]/config`)?.['static-groups'] as string[] | undefined) ?? []) {
          (groups[g] ??= []).push(name);
        }
      }
      return pickLeaf({ copies: r.counters.mcastCopies, groups }, m.leaf);
    }
    if ((m = matchPath(path, '/sla/state'))) {
      return pickLeaf(this.slaBoundPct === undefined ? {} : { 'training-efficiency-loss-bound-pct': this.slaBoundPct }, m.leaf);
    }
    if ((m = matchPath(path, '/system/state'))) {
      return pickLeaf({ 'router-id': this.id, 'ipv4-loopback': r.ipv4Loopback, 'source-address': r.sourceAddress }, m.leaf);
    }
    return super.stateGet(path);
  }
}

function canonical(deviceId: string, path: string, sid: string): string {
  try {
    return ipv6FormatAddress(ipv6ParseAddress(sid));
  } catch {
    throw new RouterConfigError(deviceId, `${path}: ${JSON.stringify(sid)} is not an IPv6 SID`);
  }
}
