// Twin models of the GSE device kinds (gse-gsp, gse-gsf, gse-border, gse-core): ports, counters, faults, captures and the GSE state.
//
// Each model is the engine's port model (interfaces, counters, captures, faults; twin-models.ts)
// plus the GSE paths below, served from the twin's GseFabric (fabric.ts). State (all values plain
// JSON; times in device picoseconds):
//   /gse/system                   { role, tier, gseId, pod, plane, index, domain, asn, forwardingMode }
//   /gse/system/<leaf>            one of those
//   /gse/ports                    [{ name, role: server|fabric|ip|unused, neighbor }]
//   /gse/bgp/neighbors            [{ device, asn, ports, state, updatesReceived, updatesSent }]
//   /gse/bgp/gspid                [{ gspId, origin, pathLength, asPath, nextHops, ports }]  (own: pathLength 0)
//   /gse/bgp/dport                [{ address, gspId, dport, origin, ports }]   every DPORT entry known
//   /gse/bgp/ip-routes            [{ address, origin, nextHops, ports }]
//   /gse/bgp/summary              { asn, updatesReceived, updatesSent, gspids, dports, ipRoutes }
//   /gse/pfc                      [{ port, priority, xoffBytes, xonBytes, bufferBytes, peakBytes,
//                                   bytesAtLastPause, pausesSent, resumesSent, paused }]  (server/IP ports)
//   /gse/pfc/port[name=P]         one entry
//   /gse/scheduler                [{ dport, port, rateBps, requests, requestedBytes, grants, grantedBytes,
//                                   firstGrantPs, lastGrantPs, backlogBytes, holds }]
//   /gse/ingress                  { localPackets, containersSent, packetsEncapsulated, unscheduledSent,
//                                   requestsSent, requestedBytes, grantsReceived, grantedBytes, voqBytes,
//                                   ipPacketsOut, headroomDrops, noRoute }
//   /gse/egress                   { dataReceived, containersReceived, packetsDecapsulated,
//                                   outOfOrderArrivals, reorderBytes, reorderPeakBytes, reorderTimeouts,
//                                   lateArrivals, misdelivered, nonGse }
//   /gse/gsf                      { forwarded, nonGse, noRoute }           (GSF)
//   /gse/core                     { nonIp }                                (CORE)
//   /gse/config                   { forwardingMode, containerBytes, pfcXoffBytes, pfcXonBytes,
//                                   pfcHeadroomBytes, grantRateFactor, grantHoldBytes, reorderTimeoutPs }
// Config: /gse/config/forwarding-mode ('gse-n2n' | 'ip-ecmp'; switch while the fabric is idle),
// /gse/config/container-bytes (a number of bytes). Unknown /gse paths read as undefined.

import { registerModel, type TwinModelContext } from '../build.ts';
import { PortDeviceModel } from '../fabric/twin-models.ts';
import type { TwinRuntime } from '../fabric/twin-runtime.ts';
import type { TwinDeviceSpec } from '../twin.ts';
import { DPORT_IP, FORWARDING_MODES, GSE_KINDS, GSE_PARAM_DEFAULTS, PORT_FABRIC, PORT_IP, PORT_SERVER, type ForwardingMode, type GseDevice } from './device.ts';
import { GseFabric } from './fabric.ts';

const PFC_PORT = /^\/gse\/pfc\/port\[name=([^\]]+)\]$/;

export class GseSwitchModel extends PortDeviceModel {
  constructor(
    rt: TwinRuntime,
    node: number,
    spec: TwinDeviceSpec,
    defects: readonly string[],
    readonly gse: GseFabric,
    readonly dev: GseDevice,
  ) {
    super(rt, node, spec, defects);
  }

  protected override stateGet(path: string): unknown {
    if (path === '/gse' || path.startsWith('/gse/')) return this.gseState(path);
    return super.stateGet(path);
  }

  protected override configGet(path?: string): unknown {
    if (path === '/gse/config' || path === '/gse') return this.gseConfig();
    if (path === '/gse/config/forwarding-mode') return this.dev.mode;
    if (path === '/gse/config/container-bytes') return this.dev.params.containerBytes;
    const base = super.configGet(path);
    if (path === undefined || path === '/') return { ...(base as Record<string, unknown>), gse: this.gseConfig() };
    return base;
  }

  protected override configEdit(path: string, value: unknown, op: 'merge' | 'replace' | 'delete'): void {
    if (path === '/gse/config/forwarding-mode') {
      const mode = op === 'delete' ? 'gse-n2n' : value;
      if (!FORWARDING_MODES.includes(mode as ForwardingMode)) {
        throw new Error(`device '${this.id}': ${path} takes one of ${FORWARDING_MODES.join(', ')}, got ${JSON.stringify(value)}`);
      }
      this.gse.setMode(this.dev, mode as ForwardingMode);
      return;
    }
    if (path === '/gse/config/container-bytes') {
      const v = op === 'delete' ? GSE_PARAM_DEFAULTS.containerBytes : value;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 64 || v > 16 * 1024 * 1024) {
        throw new Error(`device '${this.id}': ${path} takes a whole number of bytes from 64 to 16777216, got ${JSON.stringify(value)}`);
      }
      this.dev.params.containerBytes = v;
      return;
    }
    super.configEdit(path, value, op);
  }

  private gseConfig(): Record<string, unknown> {
    const p = this.dev.params;
    return {
      forwardingMode: this.dev.mode,
      containerBytes: p.containerBytes,
      pfcXoffBytes: p.pfcXoffBytes,
      pfcXonBytes: p.pfcXonBytes,
      pfcHeadroomBytes: p.pfcHeadroomBytes,
      grantRateFactor: p.grantRateFactor,
      grantHoldBytes: p.grantHoldBytes,
      reorderTimeoutPs: p.reorderTimeoutPs,
    };
  }

  private system(): Record<string, unknown> {
    const d = this.dev;
    return {
      role: d.role,
      tier: d.tier,
      gseId: d.gseId >= 0 ? d.gseId : null,
      pod: d.pod,
      plane: d.plane,
      index: d.index,
      domain: this.gse.domains[d.domain].name,
      asn: d.asn,
      forwardingMode: d.mode,
    };
  }

  private gseState(path: string): unknown {
    const g = this.gse;
    const d = this.dev;
    if (path === '/gse') return { system: this.system(), config: this.gseConfig() };
    if (path === '/gse/system') return this.system();
    if (path.startsWith('/gse/system/')) return this.system()[path.slice('/gse/system/'.length)];
    if (path === '/gse/config') return this.gseConfig();
    if (path === '/gse/config/forwarding-mode') return d.mode;
    if (path === '/gse/ports') {
      return this.ports.map((name, p) => ({
        name,
        role: g.portRoleName(d, p),
        neighbor: d.peer[p] >= 0 ? g.deviceName(d.peer[p]) : null,
      }));
    }
    const sp = g.speaker(d);
    if (path === '/gse/bgp/neighbors') {
      return [...sp.cfg.neighbours.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([n, family]) => ({
          device: g.deviceName(n),
          asn: sp.neighbourAsn(n) ?? null,
          ports: this.ports.filter((_, p) => d.peer[p] === n),
          family,
          state: 'established',
          updatesReceived: sp.receivedPerNeighbour.get(n) ?? 0,
          updatesSent: sp.sentPerNeighbour.get(n) ?? 0,
        }));
    }
    if (path === '/gse/bgp/gspid') {
      return sp.routes('gse').map((e) => ({
        gspId: e.bundle.gseId,
        origin: g.deviceName(e.bundle.origin),
        pathLength: e.asPath.length,
        asPath: [...e.asPath],
        nextHops: e.nextHops.map((n) => g.deviceName(n)),
        ports: g.routePorts(d, e, PORT_FABRIC),
      }));
    }
    if (path === '/gse/bgp/dport') {
      const out: Array<Record<string, unknown>> = [];
      for (const e of sp.routes('dport')) {
        const b = e.bundle;
        for (let k = 0; k < b.addresses.length; k++) {
          const dport = b.dports[k];
          out.push({
            address: g.addressIp(b.addresses[k]),
            gspId: b.gseId,
            dport: dport === DPORT_IP ? 'ip' : dport,
            dportName: dport === DPORT_IP ? 'ip' : (this.gse.runtime.devices[b.origin].ports[dport] ?? null),
            origin: g.deviceName(b.origin),
          });
        }
      }
      return out;
    }
    if (path === '/gse/bgp/ip-routes') {
      const out: Array<Record<string, unknown>> = [];
      for (const e of sp.routes('ip')) {
        const ports = g.routePorts(d, e, PORT_IP);
        for (const a of e.bundle.addresses) out.push({ address: g.addressIp(a), origin: g.deviceName(e.bundle.origin), nextHops: e.nextHops.map((n) => g.deviceName(n)), ports });
      }
      return out;
    }
    if (path === '/gse/bgp/summary') {
      let dports = 0;
      for (const e of sp.routes('dport')) dports += e.bundle.addresses.length;
      let ips = 0;
      for (const e of sp.routes('ip')) ips += e.bundle.addresses.length;
      return { asn: sp.asn, updatesReceived: sp.updatesReceived, updatesSent: sp.updatesSent, gspids: sp.routes('gse').length, dports, ipRoutes: ips };
    }
    const edge = g.edges.get(d.node);
    if (path === '/gse/pfc' || PFC_PORT.test(path)) {
      if (edge === undefined) return undefined;
      const entries = this.ports
        .map((name, p) => ({ name, p }))
        .filter(({ p }) => d.portRole[p] === PORT_SERVER || d.portRole[p] === PORT_IP)
        .map(({ name, p }) => ({
          port: name,
          priority: 0,
          xoffBytes: d.params.pfcXoffBytes,
          xonBytes: d.params.pfcXonBytes,
          bufferBytes: edge.inBytes[p],
          peakBytes: edge.peakBytes[p],
          bytesAtLastPause: edge.bytesAtLastPause[p] >= 0 ? edge.bytesAtLastPause[p] : null,
          pausesSent: edge.pausesSent[p],
          resumesSent: edge.resumesSent[p],
          paused: edge.pausedPort[p] === 1,
        }));
      if (path === '/gse/pfc') return entries;
      const name = (PFC_PORT.exec(path) as RegExpExecArray)[1];
      return entries.find((e) => e.port === name);
    }
    if (path === '/gse/scheduler') {
      if (edge === undefined) return undefined;
      return [...edge.schedulers.values()].map((s) => ({
        dport: s.dport === DPORT_IP ? 'ip' : s.dport,
        port: s.dport === DPORT_IP ? 'ip' : this.ports[s.dport],
        rateBps: s.rateBps,
        requests: s.requests,
        requestedBytes: s.requestedBytes,
        grants: s.grants,
        grantedBytes: s.grantedBytes,
        firstGrantPs: s.firstGrantPs >= 0 ? s.firstGrantPs : null,
        lastGrantPs: s.lastGrantPs >= 0 ? s.lastGrantPs : null,
        backlogBytes: s.backlogBytes,
        holds: s.holds,
      }));
    }
    if (path === '/gse/ingress') {
      if (edge === undefined) return undefined;
      return {
        localPackets: edge.localPackets,
        containersSent: edge.containersSent,
        packetsEncapsulated: edge.packetsEncapsulated,
        unscheduledSent: edge.unscheduledSent,
        requestsSent: edge.requestsSent,
        requestedBytes: edge.requestedBytes,
        grantsReceived: edge.grantsReceived,
        grantedBytes: edge.grantedBytesReceived,
        voqBytes: edge.voqBytes(),
        ipPacketsOut: edge.ipPacketsOut,
        headroomDrops: edge.headroomDrops,
        noRoute: edge.noRoute,
      };
    }
    if (path === '/gse/egress') {
      if (edge === undefined) return undefined;
      return {
        dataReceived: edge.dataReceived,
        containersReceived: edge.containersReceived,
        packetsDecapsulated: edge.packetsDecapsulated,
        outOfOrderArrivals: edge.outOfOrderArrivals,
        reorderBytes: edge.reorderBytes,
        reorderPeakBytes: edge.reorderPeakBytes,
        reorderTimeouts: edge.reorderTimeouts,
        lateArrivals: edge.lateArrivals,
        misdelivered: edge.misdelivered,
        nonGse: edge.nonGse,
      };
    }
    if (path === '/gse/gsf') {
      const f = g.gsfs.get(d.node);
      return f === undefined ? undefined : { forwarded: f.forwarded, nonGse: f.nonGse, noRoute: f.noRoute };
    }
    if (path === '/gse/core') {
      const c = g.cores.get(d.node);
      return c === undefined ? undefined : { nonIp: c.nonIp };
    }
    return undefined;
  }
}

function create(ctx: TwinModelContext): GseSwitchModel {
  const fabric = GseFabric.of(ctx.runtime);
  const dev = fabric.byNode.get(ctx.nodeIndex);
  if (dev === undefined) throw new Error(`GSE fabric lost device '${ctx.spec.id}'`);
  return new GseSwitchModel(ctx.runtime, ctx.nodeIndex, ctx.spec, ctx.defects, fabric, dev);
}

for (const kind of GSE_KINDS) registerModel(kind, { role: 'switch', create });
