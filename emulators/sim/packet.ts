// Pooled packet records: the one kind of object that moves through the fabric.
//
// Guarantees: `PacketPool.alloc()` returns a record with every field at its reset value;
// `release()` resets it and keeps it for reuse, so steady-state runs allocate no packets. A packet
// is owned by exactly one component at a time; whoever drops or consumes it releases it.
// Routing: a packet names its destination node (`dst`, the routing index of an endpoint) and
// carries an `entropy` the switches hash; switches look the route up, packets carry no route.

export const enum PacketType {
  Data = 0,
  Ack = 1,
  Nack = 2,
  Pfc = 3,
  /** Unreliable frames of the traffic generator ('raw' flows). */
  Raw = 4,
  /** Congestion notification packet (RoCE DCQCN). */
  Cnp = 5,
  Control = 6,
  /** A scale-up frame (UALink DL flit, SUE, ESUN, EthLink, ETH+, ETH-X): its bytes are kept by the scale-up family by `poolId`. */
  ScaleUp = 7,
}

export const enum PacketFlag {
  /** IP ECN Congestion Experienced. */
  EcnCe = 1,
  /** Payload cut by a full queue; only the header travels on. */
  Trimmed = 2,
  /** A retransmission. */
  Retx = 4,
  /** ACK: the acknowledged packet carried ECN CE. */
  EcnEcho = 8,
  /** PFC frame: resume (pause otherwise). */
  PfcResume = 16,
  /** The sender asks for an immediate ACK. */
  AckRequest = 32,
  /** The last packet of a flow (message). */
  Last = 64,
  /** Dropped by a bit error; still travels so the receiver counts a CRC error. */
  Corrupt = 128,
  /** Sent before the sender's connection (UET PDC) was established. */
  Syn = 256,
  /**
   * Carried inside a fabric encapsulation (e.g. a GSE header added by a GSP); the family that set
   * it keeps the header fields in its own tables (by `poolId`) and clears the flag when it removes
   * the header.
   */
  Encap = 512,
  /**
   * Carries state of the router/WAN family (an SRv6 encapsulation, a BFD or congestion
   * notification packet, a multicast copy), kept in that family's tables by `poolId`; cleared with
   * the record like every flag.
   */
  Wan = 1024,
}

/** Priority classes of the queues: 0 is served first. */
export const PRIO_HIGH = 0;
export const PRIO_LOW = 1;

/** Bytes of a trimmed packet (header only) and of control packets by default. */
export const HEADER_BYTES = 64;

export class Packet {
  // Hot fields first: the ones every hop reads share the object's first cache lines.
  type: number = PacketType.Data;
  /** Bytes on the wire (what queues and links account). */
  size = 0;
  priority = PRIO_LOW;
  flags = 0;
  /** Routing index of the destination endpoint. */
  dst = 0;
  flowId = 0;
  entropy = 0;
  /** Port the packet entered the current switch on (PFC ingress accounting), -1 otherwise. */
  inPort = -1;
  /** Packet sequence number (data) or the PSN a NACK names. */
  seq = 0;
  /** Routing index of the source endpoint. */
  src = 0;
  /** Payload bytes the packet carries for its flow (0 for control). */
  payload = 0;
  /** When the sender handed the packet to its NIC; echoed in ACKs for RTT samples. */
  sentPs = 0;
  /** ACK/NACK: the `sentPs` of the data packet being answered. */
  echoPs = 0;
  /** ACK: cumulative acknowledgement (next PSN expected). */
  ackSeq = 0;
  /** ACK: base PSN of the SACK bitmap and its 2 x 32 bits. */
  sackBase = 0;
  sackLo = 0;
  sackHi = 0;
  /** Free for the transport (e.g. the data packet's entropy an ACK echoes). */
  aux = 0;
  /** Next record on the pool's free list. */
  nextFree: Packet | null = null;
  /** Index in the pool (stable identity for debugging). */
  readonly poolId: number;

  constructor(poolId: number) {
    this.poolId = poolId;
  }

  reset(): void {
    this.type = PacketType.Data;
    this.size = 0;
    this.priority = PRIO_LOW;
    this.flags = 0;
    this.dst = 0;
    this.flowId = 0;
    this.entropy = 0;
    this.inPort = -1;
    this.seq = 0;
    this.src = 0;
    this.payload = 0;
    this.sentPs = 0;
    this.echoPs = 0;
    this.ackSeq = 0;
    this.sackBase = 0;
    this.sackLo = 0;
    this.sackHi = 0;
    this.aux = 0;
  }
}

/** Told about every packet lost inside the fabric (drops, not consumption). */
export interface DropListener {
  onDrop(p: Packet): void;
}

export class PacketPool {
  private free: Packet | null = null;
  /** Optional observer of losses (per-flow loss accounting of unreliable flows). */
  dropListener: DropListener | null = null;
  /** Packets lost inside the fabric so far. */
  dropped = 0;
  private created = 0;
  private live = 0;
  private peak = 0;

  alloc(): Packet {
    let p = this.free;
    if (p !== null) {
      this.free = p.nextFree;
      p.nextFree = null;
    } else {
      p = new Packet(this.created++);
    }
    if (++this.live > this.peak) this.peak = this.live;
    return p;
  }

  /** Releases a packet the fabric lost (queue overflow, link down, fibre loss, CRC error). */
  drop(p: Packet): void {
    this.dropped++;
    if (this.dropListener !== null) this.dropListener.onDrop(p);
    this.release(p);
  }

  release(p: Packet): void {
    p.reset();
    p.nextFree = this.free;
    this.free = p;
    this.live--;
  }

  /** Records ever created (the pool's high-water mark). */
  get allocated(): number {
    return this.created;
  }
  /** Records currently handed out. */
  get inUse(): number {
    return this.live;
  }
  get peakInUse(): number {
    return this.peak;
  }
}

/** Anything that accepts packets: queues, pipes, switches, hosts (htsim's PacketSink). */
export interface PacketSink {
  /** Takes ownership of `p`; `port` is the receiving port index where that means something. */
  receive(p: Packet, port: number): void;
}

/** Sees frames as a port sends or receives them (captures); must not keep or change the packet. */
export interface FrameTap {
  onFrame(p: Packet, direction: 'rx' | 'tx'): void;
}
