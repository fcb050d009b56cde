// ETH+ collective header (a modelled 16-byte layout) and float32 elements: what members and the switch's collective engine exchange.
//
// ETHP-1: collective semantics (Reduce, Broadcast, ReduceScatter, AllGather, AllToAll) are
// offloaded to switches or NICs. Layout (ETHPLUS_LAYOUT_ASSUMED), after a UID base header with
// semantic COLLECTIVE:
//
//   byte   field       bits  meaning
//   0-1    group       16    collective group id
//   2      op          8     0 REDUCE, 1 BROADCAST, 2 REDUCE_SCATTER, 3 ALL_GATHER, 4 ALL_TO_ALL, 5 ALL_REDUCE
//   3      reduction   8     0 SUM, 1 MAX, 2 MIN, 3 PROD
//   4      dtype       8     0 FLOAT32, 1 INT32 (both 4-byte elements, big-endian)
//   5      flags       8     0x80 RESULT (engine to member), 0x40 RING (member to member, host-based),
//                            0x20 JOIN (a member that contributes no data), 0x10 GATHER phase of a ring
//   6-7    rank        16    sender's rank (contributions), receiver's rank (results)
//   8-9    members     16    group size
//   10-11  root        16    root rank (REDUCE, BROADCAST); ring step (RING)
//   12-15  offset      32    index in the whole vector of the first element carried
//   16-    elements          (UID length - 16) / 4 of them
import { WireError, WireView, checkLen, checkUint, type Field } from '../wire.ts';

const F = {
  GROUP: [0, 2],
  OP: [2, 3],
  REDUCTION: [3, 4],
  DTYPE: [4, 5],
  FLAGS: [5, 6],
  RANK: [6, 8],
  MEMBERS: [8, 10],
  ROOT: [10, 12],
  OFFSET: [12, 16],
} as const satisfies Record<string, Field>;

const ETHPLUS = 'ethplus';

export const ETHPLUS_COLLECTIVE_HEADER_LEN = F.OFFSET[1];
export const ETHPLUS_COLLECTIVE_OP = { REDUCE: 0, BROADCAST: 1, REDUCE_SCATTER: 2, ALL_GATHER: 3, ALL_TO_ALL: 4, ALL_REDUCE: 5 } as const;
export const ETHPLUS_REDUCTION = { SUM: 0, MAX: 1, MIN: 2, PROD: 3 } as const;
export const ETHPLUS_DTYPE = { FLOAT32: 0, INT32: 1 } as const;
export const ETHPLUS_COLLECTIVE_FLAG = { RESULT: 0x80, RING: 0x40, JOIN: 0x20, GATHER: 0x10 } as const;

const OP_NAMES = ['reduce', 'broadcast', 'reduce-scatter', 'all-gather', 'all-to-all', 'all-reduce'];
export function ethplusCollectiveOpName(op: number): string {
  return OP_NAMES[op] ?? `op-${op}`;
}
const RED_NAMES = ['sum', 'max', 'min', 'prod'];
export function ethplusReductionName(r: number): string {
  return RED_NAMES[r] ?? `reduction-${r}`;
}

/** Applies a reduction to two values (unknown reductions throw). */
export function ethplusReduce(reduction: number, a: number, b: number): number {
  switch (reduction) {
    case ETHPLUS_REDUCTION.SUM:
      return a + b;
    case ETHPLUS_REDUCTION.MAX:
      return Math.max(a, b);
    case ETHPLUS_REDUCTION.MIN:
      return Math.min(a, b);
    case ETHPLUS_REDUCTION.PROD:
      return a * b;
    default:
      throw new WireError('unsupported', ETHPLUS, 'reduction', String(reduction));
  }
}

export class EthplusCollectiveView extends WireView {
  static unchecked(buf: Uint8Array): EthplusCollectiveView {
    return new EthplusCollectiveView(buf);
  }
  static checked(buf: Uint8Array): EthplusCollectiveView {
    const v = new EthplusCollectiveView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(ETHPLUS, 'collective', this.buffer.length, ETHPLUS_COLLECTIVE_HEADER_LEN);
  }
  get group(): number {
    return this.u16(F.GROUP);
  }
  get op(): number {
    return this.u8(F.OP);
  }
  get reduction(): number {
    return this.u8(F.REDUCTION);
  }
  get dtype(): number {
    return this.u8(F.DTYPE);
  }
  get flags(): number {
    return this.u8(F.FLAGS);
  }
  get rank(): number {
    return this.u16(F.RANK);
  }
  get members(): number {
    return this.u16(F.MEMBERS);
  }
  get root(): number {
    return this.u16(F.ROOT);
  }
  get offset(): number {
    return this.u32(F.OFFSET);
  }
  get count(): number {
    return Math.floor((this.buffer.length - ETHPLUS_COLLECTIVE_HEADER_LEN) / 4);
  }
  /** Element i as a number (float32 or int32 by dtype). */
  element(i: number): number {
    const at = ETHPLUS_COLLECTIVE_HEADER_LEN + 4 * i;
    return this.dtype === ETHPLUS_DTYPE.INT32 ? this.dv.getInt32(at) : this.dv.getFloat32(at);
  }
  summary(): string {
    const f = this.flags;
    const tags = [f & 0x80 && 'result', f & 0x40 && 'ring', f & 0x20 && 'join', f & 0x10 && 'gather'].filter(Boolean).join(',');
    return `collective ${ethplusCollectiveOpName(this.op)}/${ethplusReductionName(this.reduction)} group ${this.group} rank ${this.rank}/${this.members} root ${this.root} offset ${this.offset} x${this.count}${tags ? ` [${tags}]` : ''}`;
  }
}

export interface EthplusCollectiveInit {
  group: number;
  op: number;
  reduction?: number;
  dtype?: number;
  flags?: number;
  rank: number;
  members: number;
  root?: number;
  offset?: number;
}

export class EthplusCollectiveHeader {
  readonly group: number;
  readonly op: number;
  readonly reduction: number;
  readonly dtype: number;
  readonly flags: number;
  readonly rank: number;
  readonly members: number;
  readonly root: number;
  readonly offset: number;
  constructor(init: EthplusCollectiveInit) {
    this.group = init.group;
    this.op = init.op;
    this.reduction = init.reduction ?? ETHPLUS_REDUCTION.SUM;
    this.dtype = init.dtype ?? ETHPLUS_DTYPE.FLOAT32;
    this.flags = init.flags ?? 0;
    this.rank = init.rank;
    this.members = init.members;
    this.root = init.root ?? 0;
    this.offset = init.offset ?? 0;
  }
  /** `view` must be checked. Checks: elements whole (4 bytes each), a known dtype, rank within the group. */
  static parse(view: EthplusCollectiveView): EthplusCollectiveHeader {
    if ((view.buffer.length - ETHPLUS_COLLECTIVE_HEADER_LEN) % 4 !== 0) throw new WireError('malformed', ETHPLUS, 'collective.elements', 'not a whole number of 4-byte elements');
    if (view.dtype > ETHPLUS_DTYPE.INT32) throw new WireError('unsupported', ETHPLUS, 'dtype', String(view.dtype));
    if (view.members === 0 || view.rank >= view.members) throw new WireError('malformed', ETHPLUS, 'rank', `rank ${view.rank} of ${view.members} members`);
    return new EthplusCollectiveHeader({
      group: view.group,
      op: view.op,
      reduction: view.reduction,
      dtype: view.dtype,
      flags: view.flags,
      rank: view.rank,
      members: view.members,
      root: view.root,
      offset: view.offset,
    });
  }
  bufferLen(): number {
    return ETHPLUS_COLLECTIVE_HEADER_LEN;
  }
  emit(view: EthplusCollectiveView): void {
    checkUint(ETHPLUS, 'group', this.group, 0xffff);
    checkUint(ETHPLUS, 'op', this.op, 0xff);
    checkUint(ETHPLUS, 'reduction', this.reduction, 0xff);
    checkUint(ETHPLUS, 'dtype', this.dtype, 0xff);
    checkUint(ETHPLUS, 'flags', this.flags, 0xff);
    checkUint(ETHPLUS, 'members', this.members, 0xffff);
    checkUint(ETHPLUS, 'rank', this.rank, Math.max(0, this.members - 1));
    checkUint(ETHPLUS, 'root', this.root, 0xffff);
    checkUint(ETHPLUS, 'offset', this.offset, 0xffffffff);
    checkLen(ETHPLUS, 'collective', view.buffer.length, ETHPLUS_COLLECTIVE_HEADER_LEN);
    const dv = new DataView(view.buffer.buffer, view.buffer.byteOffset);
    dv.setUint16(F.GROUP[0], this.group);
    dv.setUint8(F.OP[0], this.op);
    dv.setUint8(F.REDUCTION[0], this.reduction);
    dv.setUint8(F.DTYPE[0], this.dtype);
    dv.setUint8(F.FLAGS[0], this.flags);
    dv.setUint16(F.RANK[0], this.rank);
    dv.setUint16(F.MEMBERS[0], this.members);
    dv.setUint16(F.ROOT[0], this.root);
    dv.setUint32(F.OFFSET[0], this.offset);
  }
}

/** Collective header + elements as the payload of a COLLECTIVE frame. */
export function ethplusCollectivePayload(h: EthplusCollectiveHeader, elements: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(ETHPLUS_COLLECTIVE_HEADER_LEN + 4 * elements.length);
  h.emit(EthplusCollectiveView.unchecked(out));
  const dv = new DataView(out.buffer, out.byteOffset);
  for (let i = 0; i < elements.length; i++) {
    const at = ETHPLUS_COLLECTIVE_HEADER_LEN + 4 * i;
    if (h.dtype === ETHPLUS_DTYPE.INT32) dv.setInt32(at, elements[i]);
    else dv.setFloat32(at, elements[i]);
  }
  return out;
}

/** Decodes a COLLECTIVE frame's payload. */
export function ethplusParseCollective(payload: Uint8Array): { header: EthplusCollectiveHeader; elements: Float64Array } {
  const v = EthplusCollectiveView.checked(payload);
  const header = EthplusCollectiveHeader.parse(v);
  const elements = new Float64Array(v.count);
  for (let i = 0; i < elements.length; i++) elements[i] = v.element(i);
  return { header, elements };
}
