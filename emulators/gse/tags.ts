// The GSE header of packets inside the fabric: fields kept beside the pooled packet records, by poolId.
//
// Guarantees: a packet carries a GSE header exactly while `PacketFlag.Encap` is set on it (the flag
// is cleared by the pool when the record is released, so a stale entry here is never read); the
// fields are those of protocols/gse/header.ts (type, flags, container id, sequence, packet count,
// source/destination GSE id, DPORT, requested/granted bytes, grant id), stored in typed arrays that
// grow with the pool. Encapsulation adds GSE_HEADER_LEN bytes to the packet's size on the wire.

import { GSE_FLAG, GSE_HEADER_LEN, GSE_TYPE } from '../../protocols/gse/header.ts';
import { PacketFlag, type Packet } from '../sim/packet.ts';

export { GSE_FLAG, GSE_HEADER_LEN, GSE_TYPE };

/** Container id of packets sent without request/grant (control packets of the NICs): never reordered. */
export const UNSCHEDULED_CONTAINER = 0;

export class GseTags {
  type = new Uint8Array(1024);
  flags = new Uint8Array(1024);
  containerId = new Float64Array(1024);
  seq = new Uint16Array(1024);
  count = new Uint16Array(1024);
  src = new Uint16Array(1024);
  dst = new Uint16Array(1024);
  dport = new Uint16Array(1024);
  /** Requested (request) or granted (grant) bytes. */
  bytes = new Float64Array(1024);
  grantId = new Float64Array(1024);

  private ensure(i: number): void {
    if (i < this.type.length) return;
    let n = this.type.length;
    while (n <= i) n *= 2;
    const grow = <T extends Uint8Array | Uint16Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.type = grow(this.type);
    this.flags = grow(this.flags);
    this.containerId = grow(this.containerId);
    this.seq = grow(this.seq);
    this.count = grow(this.count);
    this.src = grow(this.src);
    this.dst = grow(this.dst);
    this.dport = grow(this.dport);
    this.bytes = grow(this.bytes);
    this.grantId = grow(this.grantId);
  }

  /** Adds a data header to `p` (its size grows by the header). */
  encapData(p: Packet, src: number, dst: number, dport: number, containerId: number, seq: number, count: number, grantId: number): void {
    const i = p.poolId;
    this.ensure(i);
    this.type[i] = GSE_TYPE.DATA;
    this.flags[i] = (seq === 0 ? GSE_FLAG.FIRST : 0) | (seq === count - 1 ? GSE_FLAG.LAST : 0);
    this.containerId[i] = containerId;
    this.seq[i] = seq;
    this.count[i] = count;
    this.src[i] = src;
    this.dst[i] = dst;
    this.dport[i] = dport;
    this.bytes[i] = 0;
    this.grantId[i] = grantId;
    p.flags |= PacketFlag.Encap;
    p.size += GSE_HEADER_LEN;
  }

  /** Fills a control packet (request or grant) that is all header. */
  control(p: Packet, type: number, src: number, dst: number, dport: number, bytes: number, grantId: number): void {
    const i = p.poolId;
    this.ensure(i);
    this.type[i] = type;
    this.flags[i] = 0;
    this.containerId[i] = 0;
    this.seq[i] = 0;
    this.count[i] = 0;
    this.src[i] = src;
    this.dst[i] = dst;
    this.dport[i] = dport;
    this.bytes[i] = bytes;
    this.grantId[i] = grantId;
    p.flags |= PacketFlag.Encap;
  }

  /** Removes the header of a data packet (its size shrinks back). */
  decap(p: Packet): void {
    p.flags &= ~PacketFlag.Encap;
    p.size -= GSE_HEADER_LEN;
  }
}

export function isEncap(p: Packet): boolean {
  return (p.flags & PacketFlag.Encap) !== 0;
}
