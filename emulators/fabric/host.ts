// A host (NIC) node: one or more ports, a packet handler for what arrives, and a round-robin
// scheduler that pulls packets from its senders whenever a port's data queue runs empty.
//
// Guarantees: a port keeps at most one data packet queued behind the one in service, so a sender's
// decision (window, rate) is taken as late as possible, as a NIC pulling from its send queues
// would; senders are served round-robin per port; control packets (ACKs, NACKs) skip the
// scheduler and go straight to the port's high-priority class.

import type { Link } from '../sim/link.ts';
import type { Packet, PacketPool, PacketSink } from '../sim/packet.ts';
import type { DrainListener, Queue } from '../sim/queue.ts';
import type { PortStats } from '../sim/stats.ts';
import type { NodeRoutes } from './topology.ts';
import { hash32 } from '../sim/rng.ts';

/** A sender the NIC pulls from. */
export interface NicClient {
  /** The next packet to send now, or null when it has nothing it may send (it re-activates itself). */
  nicPull(): Packet | null;
  /** Scheduler bookkeeping: true while on a port's active list. */
  nicActive?: boolean;
}

/** Receives what arrives at the host. */
export interface EndpointHandler {
  receive(p: Packet, port: number): void;
}

export class Host implements PacketSink, DrainListener {
  readonly egress: (Link | null)[];
  handler: EndpointHandler | null = null;
  /** Packets that arrived with no handler to take them. */
  unhandled = 0;
  private readonly active: NicClient[][];
  private readonly rr: Int32Array;
  private setOf: Int32Array;
  private sets: Int32Array[];

  constructor(
    readonly index: number,
    readonly name: string,
    readonly stats: PortStats[],
    /** Address of each port (-1 when the port is not cabled). */
    readonly addrOfPort: Int32Array,
    private readonly pool: PacketPool,
    routes: NodeRoutes,
  ) {
    this.egress = stats.map(() => null);
    this.active = stats.map(() => []);
    this.rr = new Int32Array(stats.length);
    this.setOf = routes.setOf;
    this.sets = routes.sets;
  }

  /** Wires a port's egress link (done by the network builder). */
  attach(port: number, link: Link): void {
    this.egress[port] = link;
    link.queue.drain = this;
    link.queue.ownerPort = port;
  }

  /** The port a flow to `dst` should leave by: a hash over the equal-cost ports, else port 0. */
  portToward(dst: number, flowId: number): number {
    const s = dst < this.setOf.length ? this.setOf[dst] : -1;
    if (s < 0) return 0;
    const set = this.sets[s];
    return set.length === 1 ? set[0] : set[hash32(flowId, dst) % set.length];
  }

  receive(p: Packet, port: number): void {
    const h = this.handler;
    if (h === null) {
      this.unhandled++;
      this.pool.release(p);
      return;
    }
    h.receive(p, port);
  }

  /** Sends a control packet at once (high priority, no scheduling). */
  sendNow(p: Packet, port: number): void {
    const link = this.egress[port];
    if (link === null) {
      this.pool.drop(p);
      return;
    }
    link.send(p);
  }

  /** Puts a sender on a port's active list and fills the port if it is idle. */
  activate(client: NicClient, port: number): void {
    if (client.nicActive === true) return;
    client.nicActive = true;
    this.active[port].push(client);
    this.pump(port);
  }

  onQueueDrain(queue: Queue): void {
    this.pump(queue.ownerPort);
  }

  /** Fills the port's data queue from the active senders, round-robin. */
  pump(port: number): void {
    const link = this.egress[port];
    if (link === null || !link.isUp) return;
    const q = link.queue;
    const list = this.active[port];
    while (q.lowBytes === 0 && !q.paused && list.length > 0) {
      let i = this.rr[port];
      if (i >= list.length) i = 0;
      const client = list[i];
      const p = client.nicPull();
      if (p === null) {
        client.nicActive = false;
        list.splice(i, 1);
        this.rr[port] = i;
        continue;
      }
      this.rr[port] = i + 1;
      link.send(p);
    }
  }
}
