// GSF forwarding on the GSE header, and the CORE's IP ingress (plain IP only; GSE frames are not IP).
//
// GSF (GSE-ROLE-2): a frame without a GSE header is dropped (counted); otherwise the destination GSE
// id selects the fabric ports on a best path to it, and one of them is chosen by a hash of (source
// GSE id, container id), so that every packet of a container takes the same path and containers
// spread over all paths (packets of container 0, unscheduled, and requests/grants hash on their own
// record). No PFC inside the GSE domain: the request/grant scheduling keeps its queues short.
// CORE (GSE-FWD-4): the engine's IP switch (per-flow ECMP, PFC, ECN from its params) on routes the
// control plane learns; a GSE frame reaching it is dropped as a non-IP frame.

import type { Link } from '../sim/link.ts';
import { PacketFlag, type Packet, type PacketPool, type PacketSink } from '../sim/packet.ts';
import { hash32 } from '../sim/rng.ts';
import type { PortStats } from '../sim/stats.ts';
import type { Switch } from '../fabric/switch.ts';
import type { GseDevice } from './device.ts';
import type { Fib } from './fib.ts';
import { UNSCHEDULED_CONTAINER, type GseTags } from './tags.ts';

export interface GsfEnv {
  readonly pool: PacketPool;
  readonly tags: GseTags;
  fib(dev: GseDevice): Fib;
  egress(node: number, port: number): Link | null;
  stats(node: number, port: number): PortStats;
}

export class GsfForwarder implements PacketSink {
  readonly links: (Link | null)[];
  forwarded = 0;
  nonGse = 0;
  noRoute = 0;
  private readonly salt: number;

  constructor(
    readonly dev: GseDevice,
    private readonly env: GsfEnv,
  ) {
    this.links = Array.from({ length: dev.portRole.length }, (_, p) => env.egress(dev.node, p));
    this.salt = hash32(dev.node, 0x65e5f);
  }

  receive(p: Packet, inPort: number): void {
    if ((p.flags & PacketFlag.Encap) === 0) {
      this.nonGse++;
      this.env.stats(this.dev.node, inPort).inDiscards++;
      this.env.pool.drop(p);
      return;
    }
    const tags = this.env.tags;
    const i = p.poolId;
    const set = this.env.fib(this.dev).gseSets[tags.dst[i]];
    if (set === undefined || set === null || set.length === 0) {
      this.noRoute++;
      this.env.stats(this.dev.node, inPort).inDiscards++;
      this.env.pool.drop(p);
      return;
    }
    let port: number;
    if (set.length === 1) port = set[0];
    else {
      const c = tags.containerId[i];
      const key = c === UNSCHEDULED_CONTAINER ? p.poolId : c % 4294967296;
      port = set[hash32(tags.src[i], key, this.salt) % set.length];
    }
    this.forwarded++;
    (this.links[port] as Link).send(p);
  }
}

/** The CORE's ingress: drops GSE frames, hands IP to the engine's switch. */
export class CoreIngress implements PacketSink {
  nonIp = 0;
  constructor(
    readonly dev: GseDevice,
    private readonly sw: Switch,
    private readonly pool: PacketPool,
  ) {}

  receive(p: Packet, inPort: number): void {
    if ((p.flags & PacketFlag.Encap) !== 0) {
      this.nonIp++;
      this.sw.stats[inPort].inDiscards++;
      this.pool.drop(p);
      return;
    }
    this.sw.receive(p, inPort);
  }
}
