// The GSE control plane: an EBGP-like exchange of GSPID, DPORT and IP reachability between GSE devices.
//
// Model (GSE-ROLE-4: EBGP between GSP, GSF-T2, GSF-T1 and BORDER; BGP extended attributes carry
// DPORT and GSPID information). Every device is its own AS and has one session per neighbouring
// GSE device (parallel links share the session). Three route families, each an update about one
// originating device (a bundle, versioned: a newer version replaces an older one):
//   gse    the GSE id (GSPID) of a GSP or BORDER, over fabric links;
//   dport  the DPORT table of an origin: endpoint addresses and the DPORT each sits behind (a
//          GSP's server ports; a BORDER's remote prefixes, all behind its IP uplinks), over fabric links;
//   ip     endpoint addresses an origin reaches, over the IP links between BORDERs (or gsp-direct
//          GSPs) and COREs.
// Policy: GSPs and BORDERs originate and never re-advertise GSE routes (no transit through an edge);
// GSFs re-advertise gse and dport to every fabric neighbour; COREs re-advertise ip; a BORDER (and a
// gsp-direct GSP) originates ip for the addresses of its PoD's GSPs, and a BORDER originates dport
// for the remote addresses it learns over ip. Best path = shortest AS path; equal lengths from
// several neighbours are all kept (multipath). An update takes `hopDelayPs` to reach a neighbour,
// the same for every hop, so one FIFO orders all of them. Withdrawals are not modelled: sessions
// stay up for the run (a link that goes down drops traffic; it does not reroute).

import type { EventList, EventSource } from '../sim/eventlist.ts';

export type Family = 'gse' | 'dport' | 'ip';

/** What an origin advertises: one immutable version of it. */
export interface Bundle {
  readonly family: Family;
  /** Node index of the originating device. */
  readonly origin: number;
  readonly version: number;
  /** gse: the GSE id. */
  readonly gseId: number;
  /** dport / ip: endpoint addresses, and (dport) the DPORT of each. */
  readonly addresses: Int32Array;
  readonly dports: Int32Array;
  /** dport: true when the origin is a GSP (its own servers), false for a BORDER's remote prefixes. */
  readonly fromGsp: boolean;
}

export interface RibEntry {
  bundle: Bundle;
  /** AS path as received (the neighbour's AS first); empty for an own route. */
  asPath: number[];
  /** Neighbour node indices with a best path (equal AS path length); empty for an own route. */
  nextHops: number[];
}

/** Per-device policy and identity, as the fabric sets it up. */
export interface SpeakerConfig {
  node: number;
  asn: number;
  /** Neighbour node -> family links it is reached on ('fabric' or 'ip'). */
  neighbours: Map<number, 'fabric' | 'ip'>;
  /** Families this speaker re-advertises when it learns them. */
  transit: ReadonlySet<Family>;
  /** Originates nothing and re-advertises nothing (defect gse-bgp-no-distribute). */
  silent: boolean;
}

export class BgpSpeaker {
  /** family:origin -> best route. */
  readonly rib = new Map<string, RibEntry>();
  updatesReceived = 0;
  updatesSent = 0;
  /** Bumped at each change of the RIB (forwarding tables rebuild on change). */
  ribVersion = 0;
  /** Called after each change of the RIB. */
  onChange: ((family: Family, bundle: Bundle) => void) | null = null;
  private readonly neighbourAsns = new Map<number, number>();
  readonly sentPerNeighbour = new Map<number, number>();
  readonly receivedPerNeighbour = new Map<number, number>();

  constructor(
    readonly cfg: SpeakerConfig,
    private readonly bus: BgpBus,
  ) {}

  get asn(): number {
    return this.cfg.asn;
  }

  neighbourAsn(node: number): number | undefined {
    return this.neighbourAsns.get(node);
  }

  learnNeighbourAsn(node: number, asn: number): void {
    this.neighbourAsns.set(node, asn);
  }

  /** Installs an own route and advertises it to the neighbours of its family. */
  originate(bundle: Bundle): void {
    const key = `${bundle.family}:${bundle.origin}`;
    const cur = this.rib.get(key);
    if (cur !== undefined && cur.bundle.version >= bundle.version) return;
    this.rib.set(key, { bundle, asPath: [], nextHops: [] });
    this.ribVersion++;
    this.onChange?.(bundle.family, bundle);
    if (!this.cfg.silent) this.advertise(bundle, [this.cfg.asn], -1);
  }

  private advertise(bundle: Bundle, asPath: number[], except: number): void {
    const linkFamily = bundle.family === 'ip' ? 'ip' : 'fabric';
    for (const [n, kind] of this.cfg.neighbours) {
      if (kind !== linkFamily || n === except) continue;
      const asn = this.neighbourAsns.get(n);
      if (asn !== undefined && asPath.includes(asn)) continue; // it would reject the loop
      this.updatesSent++;
      this.sentPerNeighbour.set(n, (this.sentPerNeighbour.get(n) ?? 0) + 1);
      this.bus.send(this.cfg.node, n, bundle, asPath);
    }
  }

  /** An update from neighbour `from`. */
  receive(from: number, bundle: Bundle, asPath: number[]): void {
    this.updatesReceived++;
    this.receivedPerNeighbour.set(from, (this.receivedPerNeighbour.get(from) ?? 0) + 1);
    if (asPath.includes(this.cfg.asn)) return; // EBGP loop prevention
    if (bundle.origin === this.cfg.node) return;
    const key = `${bundle.family}:${bundle.origin}`;
    const cur = this.rib.get(key);
    let better = false;
    if (cur === undefined || bundle.version > cur.bundle.version) better = true;
    else if (bundle.version === cur.bundle.version && cur.asPath.length > 0) {
      if (asPath.length < cur.asPath.length) better = true;
      else if (asPath.length === cur.asPath.length) {
        if (!cur.nextHops.includes(from)) {
          cur.nextHops.push(from);
          cur.nextHops.sort((a, b) => a - b);
          this.ribVersion++;
          this.onChange?.(bundle.family, bundle);
        }
        return;
      }
    }
    if (!better) return;
    this.rib.set(key, { bundle, asPath, nextHops: [from] });
    this.ribVersion++;
    this.onChange?.(bundle.family, bundle);
    if (!this.cfg.silent && this.cfg.transit.has(bundle.family)) this.advertise(bundle, [this.cfg.asn, ...asPath], from);
  }

  /** Best routes of a family, by origin node order. */
  routes(family: Family): RibEntry[] {
    const out: RibEntry[] = [];
    for (const e of this.rib.values()) if (e.bundle.family === family) out.push(e);
    return out.sort((a, b) => a.bundle.origin - b.bundle.origin);
  }
}

interface InFlight {
  atPs: number;
  from: number;
  to: number;
  bundle: Bundle;
  asPath: number[];
}

/** Carries updates between speakers, each `hopDelayPs` after it was sent (one FIFO: the delay is constant). */
export class BgpBus implements EventSource {
  simId?: number;
  private readonly queue: InFlight[] = [];
  private head = 0;
  private scheduled = false;
  readonly speakers = new Map<number, BgpSpeaker>();
  delivered = 0;
  /** Time of the last update delivered (convergence time once the bus is idle). */
  lastDeliveryPs = 0;

  constructor(
    private readonly events: EventList,
    readonly hopDelayPs: number,
  ) {}

  get idle(): boolean {
    return this.head >= this.queue.length;
  }

  send(from: number, to: number, bundle: Bundle, asPath: number[]): void {
    this.queue.push({ atPs: this.events.nowPs + this.hopDelayPs, from, to, bundle, asPath });
    if (!this.scheduled) {
      this.scheduled = true;
      this.events.schedule(this.queue[this.head].atPs, this);
    }
  }

  onEvent(): void {
    this.scheduled = false;
    const now = this.events.nowPs;
    while (this.head < this.queue.length && this.queue[this.head].atPs <= now) {
      const m = this.queue[this.head++];
      this.delivered++;
      this.lastDeliveryPs = now;
      this.speakers.get(m.to)?.receive(m.from, m.bundle, m.asPath);
    }
    if (this.head >= this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.head < this.queue.length && !this.scheduled) {
      this.scheduled = true;
      this.events.schedule(this.queue[this.head].atPs, this);
    }
  }
}
