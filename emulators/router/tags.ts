// What the router family carries beside a pooled packet: SRv6 encapsulation, BFD/PCN/proxy-CNP control, multicast copy.
//
// Guarantees: a packet has a state here exactly while `PacketFlag.Wan` is set on it (the pool
// clears flags when it releases the record, so a stale entry is never read); states are kept by
// `poolId` in one array per twin.

import type { BfdControlHeader } from '../../protocols/bfd/control.ts';
import { PacketFlag, type Packet } from '../sim/packet.ts';

/** An SRv6 encapsulation (RFC 8754 / RFC 8986) added by a headend. */
export interface Srv6State {
  kind: 'srv6';
  /** Segment List[0..n-1]: reverse path order, [0] is the last segment. */
  segments: readonly string[];
  segmentsLeft: number;
  /** The outer IPv6 destination: the active segment. */
  da: string;
  /** Outer IPv6 source (the headend's source address). */
  src: string;
  /** Whether an SRH is present (a single-segment encapsulation carries none). */
  srh: boolean;
  /** Size of the packet before encapsulation. */
  innerSize: number;
  /** The inner packet's address family (End.DT4 / End.DT6). */
  innerAf: 4 | 6;
  /** Outer hop limit, decremented per SRv6 hop. */
  hopLimit: number;
}

export interface BfdPacketState {
  kind: 'bfd';
  header: BfdControlHeader;
  /** Link-local addresses of the two ends. */
  src: string;
  dst: string;
  srcPort: number;
}

/** Proxy congestion notification from a congested node to the proxy gateway (draft-xiao-rtgwg-proxy-congestion-notification). */
export interface PcnState {
  kind: 'pcn';
  /** Router node the notification goes to (the proxy) and the one that sent it. */
  toNode: number;
  fromNode: number;
  src: string;
  dst: string;
  /** The congested flow: endpoint addresses, entropy and flow id. */
  flowSrc: number;
  flowDst: number;
  flowEntropy: number;
  flowId: number;
  queueBytes: number;
}

/** A CNP the proxy sends to the host on behalf of a congested node. */
export interface ProxyCnpState {
  kind: 'proxy-cnp';
  /** The proxy's IPv4 address (the CNP's source). */
  src: string;
}

export interface McastState {
  kind: 'mcast';
  group: string;
}

export type WanState = Srv6State | BfdPacketState | PcnState | ProxyCnpState | McastState;

export class WanTags {
  private states: (WanState | undefined)[] = [];

  set(p: Packet, s: WanState): void {
    this.states[p.poolId] = s;
    p.flags |= PacketFlag.Wan;
  }

  get(p: Packet): WanState | undefined {
    return (p.flags & PacketFlag.Wan) !== 0 ? this.states[p.poolId] : undefined;
  }

  clear(p: Packet): void {
    p.flags &= ~PacketFlag.Wan;
    this.states[p.poolId] = undefined;
  }
}
