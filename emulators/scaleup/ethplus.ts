// ETH+ on the engine: UID forwarding, the optional FCS, and collectives (Reduce, Broadcast, ReduceScatter, AllGather, AllToAll, AllReduce) in the switch or, for AllReduce, as a ring of members.
//
// Frames (protocols/ethplus): 1-byte preamble with the frame type, UID base header, payload,
// FCS when the port is configured with one (ETHP-4; config /scaleup/fcs, param `fcs`, default
// true; a switch re-encodes to its own setting). Switches forward on the destination UID; UID
// 0xffff is their collective engine (ETHP-1).
//
// Collectives: config /scaleup/collectives/collective[name=N] on every member starts one:
//   { op: reduce | broadcast | reduce-scatter | all-gather | all-to-all | all-reduce,
//     group: 0..65535 (one collective per group id in a twin), members: [UID, ...] in rank order,
//     root?: rank (reduce, broadcast; default 0), reduction?: sum | max | min | prod (default sum),
//     dtype?: float32 | int32, input: [numbers], length?: output length (broadcast non-roots),
//     offload?: true (default) | false }
// With offload, members send their input in chunks of `collectiveChunkElements` (default 1024) to
// the switch, which reduces chunk by chunk (all members' chunk at an offset) and sends results
// (to every member, the root, or each block's owner), or, for broadcast, all-gather and
// all-to-all, replicates or routes the chunks once every member has joined. Without offload, an
// all-reduce runs as a ring through the switch: N - 1 reduce-scatter steps then N - 1 all-gather
// steps, each member sending one block per step to the next rank (other ops need the offload).
// Offload needs every member on one switch: aggregation across switch tiers is not modelled.
// State /scaleup/collectives/collective[name=N]: { done, output, startPs, donePs, completionPs,
// framesTx, framesRx }.
//
// Defects: ethplus-fcs-required (the switch wants an FCS even when configured without: frames
// without one are dropped as errors), ethplus-collective-wrong-reduction (the engine reduces with
// max whatever the request), ethplus-preamble-type-cleared (the switch sends every frame with
// frame type 00, data).
import {
  ETHPLUS_COLLECTIVE_FLAG,
  ETHPLUS_COLLECTIVE_OP,
  ETHPLUS_DTYPE,
  ETHPLUS_FRAME_TYPE,
  ETHPLUS_REDUCTION,
  ETHPLUS_SEMANTIC,
  ETHPLUS_UID_SWITCH,
  EthplusCollectiveHeader,
  buildEthplusFrame,
  ethplusCollectivePayload,
  ethplusParseCollective,
  ethplusReduce,
  parseEthplusFrame,
  type EthplusUidHeader,
} from '../../protocols/ethplus/index.ts';
import { WireError } from '../../protocols/wire.ts';
import { registerScaleupProtocol, type ScaleupDevice, type ScaleupFabric, type ScaleupPort } from './fabric.ts';
import { ScaleupConfigError, SwitchCoreBase } from './common.ts';
import type { ScaleupFlow } from './flows.ts';
import { FrameAccelerator, type Decoded } from './simple.ts';

const OPS: Record<string, number> = {
  reduce: ETHPLUS_COLLECTIVE_OP.REDUCE,
  broadcast: ETHPLUS_COLLECTIVE_OP.BROADCAST,
  'reduce-scatter': ETHPLUS_COLLECTIVE_OP.REDUCE_SCATTER,
  'all-gather': ETHPLUS_COLLECTIVE_OP.ALL_GATHER,
  'all-to-all': ETHPLUS_COLLECTIVE_OP.ALL_TO_ALL,
  'all-reduce': ETHPLUS_COLLECTIVE_OP.ALL_REDUCE,
};
const REDUCTIONS: Record<string, number> = { sum: ETHPLUS_REDUCTION.SUM, max: ETHPLUS_REDUCTION.MAX, min: ETHPLUS_REDUCTION.MIN, prod: ETHPLUS_REDUCTION.PROD };
const SEMANTICS: Record<string, number> = { send: ETHPLUS_SEMANTIC.SEND, 'rdma-write': ETHPLUS_SEMANTIC.RDMA_WRITE, store: ETHPLUS_SEMANTIC.STORE };
const COLLECTIVE_PATH = /^\/collectives\/collective\[name=([^\]]+)\]$/;

function boolParam(device: ScaleupDevice, name: string, dflt: boolean): boolean {
  const v = device.spec.params?.[name];
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new ScaleupConfigError(device.name, `param '${name}' must be true or false`);
  return v;
}

/** One member's view of one collective. */
interface Member {
  name: string;
  op: number;
  group: number;
  members: number[];
  rank: number;
  root: number;
  reduction: number;
  dtype: number;
  input: Float64Array;
  output: Float64Array;
  block: number;
  expected: number;
  received: number;
  offload: boolean;
  startPs: number;
  donePs: number | undefined;
  framesTx: number;
  framesRx: number;
  ring: RingState | null;
}

interface RingState {
  phase: number;
  step: number;
  blockLen: number;
  /** Blocks received ahead of or at the current step, by `phase:step` (values from the block's start). */
  pending: Map<string, { got: number; vals: Float64Array }>;
}

class EthplusAccelerator extends FrameAccelerator {
  fcs: boolean;
  private readonly chunk: number;
  private readonly collectives = new Map<string, Member>();
  private readonly byGroup = new Map<number, Member>();
  /** Collective frames for groups not (yet) configured here. */
  private readonly early = new Map<number, Array<{ h: EthplusCollectiveHeader; elements: Float64Array }>>();
  readonly collectiveStats = { collectiveFramesRx: 0, strayCollectiveFrames: 0 };

  constructor(fabric: ScaleupFabric, device: ScaleupDevice) {
    super(fabric, device, (a, name) => {
      const out: Record<string, string | number | boolean> = { semantic: 'send' };
      for (const [k, v] of Object.entries(a ?? {})) {
        if (k !== 'semantic') throw new Error(`device '${device.name}': flow '${name}': ETH+ flows take attribute 'semantic' only, not '${k}'`);
        if (typeof v !== 'string' || !(v in SEMANTICS)) throw new Error(`device '${device.name}': flow '${name}': semantic must be send, rdma-write or store, got ${JSON.stringify(v)}`);
        out.semantic = v;
      }
      return out;
    });
    this.fcs = boolParam(device, 'fcs', true);
    this.chunk = Math.max(1, device.num('collectiveChunkElements', 1024));
  }

  protected buildUnit(flow: ScaleupFlow, _seq: number, data: Uint8Array): Uint8Array {
    return buildEthplusFrame({ frameType: ETHPLUS_FRAME_TYPE.DATA, uid: { dstUid: flow.dst.id, srcUid: this.device.id, semantic: SEMANTICS[flow.attributes.semantic as string] }, payload: data }, { fcs: this.fcs });
  }

  protected decode(_port: ScaleupPort, bytes: Uint8Array): Decoded {
    const p = parseEthplusFrame(bytes, { fcs: this.fcs });
    if (p.fcsOk === false) throw new WireError('malformed', 'ethplus', 'fcs', 'FCS mismatch');
    if (p.uid.dstUid !== this.device.id) throw new WireError('malformed', 'ethplus', 'dstUid', `frame for ${p.uid.dstUid} at ${this.device.id}`);
    if (p.frameType === ETHPLUS_FRAME_TYPE.COLLECTIVE && p.uid.semantic === ETHPLUS_SEMANTIC.COLLECTIVE) {
      const { header, elements } = ethplusParseCollective(p.payload);
      this.collectiveStats.collectiveFramesRx++;
      this.onCollective(header, elements);
      return { kind: 'handled' };
    }
    return { kind: 'unit', src: p.uid.srcUid, data: p.payload };
  }

  private sendCollective(dstUid: number, h: EthplusCollectiveHeader, elements: ArrayLike<number>, m: Member): void {
    m.framesTx++;
    this.sendOwn(
      buildEthplusFrame(
        { frameType: ETHPLUS_FRAME_TYPE.COLLECTIVE, uid: { dstUid, srcUid: this.device.id, semantic: ETHPLUS_SEMANTIC.COLLECTIVE }, payload: ethplusCollectivePayload(h, elements) },
        { fcs: this.fcs },
      ),
    );
  }

  /** Sends `vals[from, to)` in chunks; `offsetOf` maps an index of `vals` to the header offset. */
  private sendChunks(m: Member, dstUid: number, vals: Float64Array, from: number, to: number, flags: number, root: number, offsetOf: (i: number) => number): void {
    let i = from;
    do {
      const end = Math.min(to, i + this.chunk);
      const h = new EthplusCollectiveHeader({ group: m.group, op: m.op, reduction: m.reduction, dtype: m.dtype, flags, rank: m.rank, members: m.members.length, root, offset: offsetOf(i) });
      this.sendCollective(dstUid, h, vals.subarray(i, end), m);
      i = end;
    } while (i < to);
  }

  private start(name: string, v: unknown): void {
    const dev = this.device;
    const bad = (msg: string) => new ScaleupConfigError(dev.name, `collective '${name}': ${msg}`);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('expected { op, group, members, input, ... }');
    const c = v as Record<string, unknown>;
    const op = OPS[String(c.op)];
    if (op === undefined) throw bad(`op must be one of ${Object.keys(OPS).join(', ')}, got ${JSON.stringify(c.op)}`);
    const group = c.group;
    if (typeof group !== 'number' || !Number.isInteger(group) || group < 0 || group > 0xffff) throw bad('group must be an integer 0..65535');
    if (this.byGroup.has(group)) throw bad(`group ${group} is already in use here`);
    if (this.collectives.has(name)) throw bad('a collective of that name exists');
    const members = c.members;
    if (!Array.isArray(members) || members.length === 0 || !members.every((x) => Number.isInteger(x) && this.device.domain.byId.has(x as number))) throw bad('members must be UIDs of accelerators of the domain');
    if (new Set(members).size !== members.length) throw bad('members must be distinct');
    const rank = members.indexOf(dev.id);
    if (rank < 0) throw bad(`this accelerator (UID ${dev.id}) is not a member`);
    const n = members.length;
    const root = c.root ?? 0;
    if (typeof root !== 'number' || !Number.isInteger(root) || root < 0 || root >= n) throw bad(`root must be a rank 0..${n - 1}`);
    const reduction = REDUCTIONS[String(c.reduction ?? 'sum')];
    if (reduction === undefined) throw bad('reduction must be sum, max, min or prod');
    const dtype = c.dtype === undefined || c.dtype === 'float32' ? ETHPLUS_DTYPE.FLOAT32 : c.dtype === 'int32' ? ETHPLUS_DTYPE.INT32 : -1;
    if (dtype < 0) throw bad('dtype must be float32 or int32');
    if (!Array.isArray(c.input) || !c.input.every((x) => typeof x === 'number' && Number.isFinite(x))) throw bad('input must be a list of numbers');
    const input = Float64Array.from(c.input as number[]);
    const offload = c.offload ?? true;
    if (typeof offload !== 'boolean') throw bad('offload must be true or false');
    if (!offload && op !== ETHPLUS_COLLECTIVE_OP.ALL_REDUCE) throw bad('without offload only all-reduce runs (as a ring)');
    if (offload) {
      const mySwitch = this.port.peer.node;
      const far = (members as number[]).find((u) => this.device.domain.byId.get(u)?.mainPort.peer.node !== mySwitch);
      if (far !== undefined) throw bad(`in-switch offload needs every member on this accelerator's switch (UID ${far} is not; aggregation across switch tiers is not modelled)`);
    }
    const L = input.length;
    let block = 0;
    let outLen = L;
    let expected = L;
    switch (op) {
      case ETHPLUS_COLLECTIVE_OP.REDUCE:
        expected = rank === root ? L : 0;
        break;
      case ETHPLUS_COLLECTIVE_OP.BROADCAST: {
        const len = c.length ?? L;
        if (typeof len !== 'number' || !Number.isInteger(len) || len < 0) throw bad('length must be a whole number');
        outLen = rank === root ? L : len;
        expected = rank === root ? 0 : len;
        break;
      }
      case ETHPLUS_COLLECTIVE_OP.REDUCE_SCATTER:
      case ETHPLUS_COLLECTIVE_OP.ALL_TO_ALL:
        if (L % n !== 0) throw bad(`input length ${L} is not a multiple of the ${n} members`);
        block = L / n;
        outLen = op === ETHPLUS_COLLECTIVE_OP.REDUCE_SCATTER ? block : L;
        expected = op === ETHPLUS_COLLECTIVE_OP.REDUCE_SCATTER ? block : L - block;
        break;
      case ETHPLUS_COLLECTIVE_OP.ALL_GATHER:
        block = L;
        outLen = n * L;
        expected = (n - 1) * L;
        break;
    }
    if (block > 0xffff) throw bad('blocks of more than 65535 elements do not fit the header');
    const m: Member = {
      name,
      op,
      group,
      members: members as number[],
      rank,
      root,
      reduction,
      dtype,
      input,
      output: new Float64Array(outLen),
      block,
      expected,
      received: 0,
      offload,
      startPs: this.fabric.events.nowPs,
      donePs: undefined,
      framesTx: 0,
      framesRx: 0,
      ring: null,
    };
    this.collectives.set(name, m);
    this.byGroup.set(group, m);
    if (!offload) this.startRing(m);
    else this.startOffload(m);
    this.checkDone(m);
    for (const e of this.early.get(group) ?? []) this.onCollective(e.h, e.elements);
    this.early.delete(group);
  }

  private startOffload(m: Member): void {
    const r = m.rank;
    const sw = ETHPLUS_UID_SWITCH;
    switch (m.op) {
      case ETHPLUS_COLLECTIVE_OP.REDUCE:
      case ETHPLUS_COLLECTIVE_OP.ALL_REDUCE:
        this.sendChunks(m, sw, m.input, 0, m.input.length, 0, m.root, (i) => i);
        break;
      case ETHPLUS_COLLECTIVE_OP.REDUCE_SCATTER:
        this.sendChunks(m, sw, m.input, 0, m.input.length, 0, m.block, (i) => i);
        break;
      case ETHPLUS_COLLECTIVE_OP.BROADCAST:
        if (r === m.root) {
          m.output.set(m.input);
          this.sendChunks(m, sw, m.input, 0, m.input.length, 0, m.root, (i) => i);
        } else this.sendCollective(sw, new EthplusCollectiveHeader({ group: m.group, op: m.op, reduction: m.reduction, dtype: m.dtype, flags: ETHPLUS_COLLECTIVE_FLAG.JOIN, rank: r, members: m.members.length, root: m.root }), [], m);
        break;
      case ETHPLUS_COLLECTIVE_OP.ALL_GATHER:
        m.output.set(m.input, r * m.block);
        this.sendChunks(m, sw, m.input, 0, m.input.length, 0, m.block, (i) => r * m.block + i);
        break;
      case ETHPLUS_COLLECTIVE_OP.ALL_TO_ALL:
        m.output.set(m.input.subarray(r * m.block, (r + 1) * m.block), r * m.block);
        for (let j = 0; j < m.members.length; j++) {
          if (j === r) continue;
          this.sendChunks(m, sw, m.input, j * m.block, (j + 1) * m.block, 0, m.block, (i) => i);
        }
        break;
    }
  }

  // --- ring all-reduce (no offload) ----------------------------------------------------------

  private blockRange(m: Member, b: number): [number, number] {
    const bl = (m.ring as RingState).blockLen;
    return [Math.min(m.input.length, b * bl), Math.min(m.input.length, (b + 1) * bl)];
  }

  private startRing(m: Member): void {
    const n = m.members.length;
    m.output.set(m.input);
    m.expected = 0;
    if (n === 1) return;
    m.ring = { phase: 0, step: 0, blockLen: Math.ceil(m.input.length / n), pending: new Map() };
    m.expected = 1;
    this.ringSend(m);
  }

  private ringBlock(m: Member, sending: boolean): number {
    const n = m.members.length;
    const { phase, step } = m.ring as RingState;
    const b = phase === 0 ? m.rank - step - (sending ? 0 : 1) : m.rank + 1 - step - (sending ? 0 : 1);
    return ((b % n) + n) % n;
  }

  private ringSend(m: Member): void {
    const ring = m.ring as RingState;
    const [a, b] = this.blockRange(m, this.ringBlock(m, true));
    const next = m.members[(m.rank + 1) % m.members.length];
    const flags = ETHPLUS_COLLECTIVE_FLAG.RING | (ring.phase === 1 ? ETHPLUS_COLLECTIVE_FLAG.GATHER : 0);
    this.sendChunks(m, next, m.output, a, b, flags, ring.step, (i) => i);
  }

  private onRing(m: Member, h: EthplusCollectiveHeader, elements: Float64Array): void {
    const ring = m.ring;
    if (ring === null) return;
    const phase = (h.flags & ETHPLUS_COLLECTIVE_FLAG.GATHER) !== 0 ? 1 : 0;
    const k = `${phase}:${h.root}`;
    const base = Math.floor(h.offset / ring.blockLen) * ring.blockLen;
    let e = ring.pending.get(k);
    if (e === undefined) ring.pending.set(k, (e = { got: 0, vals: new Float64Array(ring.blockLen) }));
    if (h.offset - base + elements.length > ring.blockLen) return;
    e.vals.set(elements, h.offset - base);
    e.got += elements.length;
    for (;;) {
      const cur = ring.pending.get(`${ring.phase}:${ring.step}`);
      const [a, b] = this.blockRange(m, this.ringBlock(m, false));
      if (cur === undefined || cur.got < b - a) return;
      ring.pending.delete(`${ring.phase}:${ring.step}`);
      const vals = cur.vals;
      if (ring.phase === 0) for (let i = a; i < b; i++) m.output[i] = ethplusReduce(m.reduction, m.output[i], vals[i - a]);
      else m.output.set(vals.subarray(0, b - a), a);
      ring.step++;
      if (ring.step === m.members.length - 1) {
        if (ring.phase === 1) {
          m.ring = null;
          m.received = m.expected;
          this.checkDone(m);
          return;
        }
        ring.phase = 1;
        ring.step = 0;
      }
      this.ringSend(m);
    }
  }

  // --- results ------------------------------------------------------------------------------

  private onCollective(h: EthplusCollectiveHeader, elements: Float64Array): void {
    const m = this.byGroup.get(h.group);
    if (m === undefined) {
      let list = this.early.get(h.group);
      if (list === undefined) this.early.set(h.group, (list = []));
      list.push({ h, elements });
      return;
    }
    m.framesRx++;
    if ((h.flags & ETHPLUS_COLLECTIVE_FLAG.RING) !== 0) {
      this.onRing(m, h, elements);
      return;
    }
    if ((h.flags & ETHPLUS_COLLECTIVE_FLAG.RESULT) === 0 || h.rank !== m.rank) {
      this.collectiveStats.strayCollectiveFrames++;
      return;
    }
    if (h.offset + elements.length > m.output.length) {
      this.collectiveStats.strayCollectiveFrames++;
      return;
    }
    m.output.set(elements, h.offset);
    m.received += elements.length;
    this.checkDone(m);
  }

  private checkDone(m: Member): void {
    if (m.donePs === undefined && m.received >= m.expected && m.ring === null) m.donePs = this.fabric.events.nowPs;
  }

  private memberState(m: Member): Record<string, unknown> {
    return {
      done: m.donePs !== undefined,
      output: [...m.output],
      startPs: m.startPs,
      ...(m.donePs !== undefined ? { donePs: m.donePs, completionPs: m.donePs - m.startPs } : {}),
      framesTx: m.framesTx,
      framesRx: m.framesRx,
      offload: m.offload,
    };
  }

  override state(path: string): unknown {
    if (path === '/fcs') return this.fcs;
    if (path === '/collectives') return [...this.collectives.keys()];
    const c = COLLECTIVE_PATH.exec(path);
    if (c !== null) {
      const m = this.collectives.get(c[1]);
      return m === undefined ? undefined : this.memberState(m);
    }
    return super.state(path);
  }

  override configGet(path: string): unknown {
    if (path === '/fcs') return this.fcs;
    return super.configGet(path);
  }

  override config(path: string, value: unknown, op: 'merge' | 'replace' | 'delete'): boolean {
    if (path === '/fcs') {
      if (op === 'delete') this.fcs = boolParam(this.device, 'fcs', true);
      else if (typeof value !== 'boolean') throw new ScaleupConfigError(this.device.name, '/scaleup/fcs takes true or false');
      else this.fcs = value;
      return true;
    }
    const c = COLLECTIVE_PATH.exec(path);
    if (c !== null) {
      if (op === 'delete') {
        const m = this.collectives.get(c[1]);
        if (m !== undefined) {
          this.collectives.delete(c[1]);
          if (this.byGroup.get(m.group) === m) this.byGroup.delete(m.group);
        }
        return true;
      }
      this.start(c[1], value);
      return true;
    }
    return super.config(path, value, op);
  }

  protected override portCounters(): Record<string, number> {
    return { ...this.frameStats, ...this.collectiveStats };
  }
}

interface Group {
  op: number;
  reduction: number;
  dtype: number;
  members: number;
  root: number;
  uids: (number | undefined)[];
  known: number;
  chunks: Map<number, { acc: Float64Array; ranks: Set<number> }>;
  /** Chunks waiting for members to join (broadcast, all-gather) or for a destination's UID (all-to-all). */
  waiting: Array<{ rank: number; offset: number; elements: Float64Array }>;
}

class EthplusSwitch extends SwitchCoreBase {
  fcs: boolean;
  private readonly groups = new Map<number, Group>();
  readonly engine = { contributions: 0, results: 0, strays: 0 };

  constructor(fabric: ScaleupFabric, device: ScaleupDevice) {
    super(fabric, device);
    this.fcs = boolParam(device, 'fcs', true);
  }

  onFrame(port: ScaleupPort, bytes: Uint8Array): void {
    const fcsIn = this.fcs || this.device.has('ethplus-fcs-required');
    let p;
    try {
      p = parseEthplusFrame(bytes, { fcs: fcsIn });
      if (p.fcsOk === false) throw new WireError('malformed', 'ethplus', 'fcs', 'FCS mismatch');
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      this.counters.malformed++;
      this.fabric.network.stats(this.device.node, port.index).inErrors++;
      return;
    }
    if (p.uid.dstUid === ETHPLUS_UID_SWITCH) {
      if (p.frameType !== ETHPLUS_FRAME_TYPE.COLLECTIVE || p.uid.semantic !== ETHPLUS_SEMANTIC.COLLECTIVE) {
        this.engine.strays++;
        return;
      }
      try {
        const { header, elements } = ethplusParseCollective(p.payload);
        this.afterLatency(() => this.contribute(p.uid, header, elements));
      } catch (e) {
        if (!(e instanceof WireError)) throw e;
        this.counters.malformed++;
      }
      return;
    }
    const egress = this.route(port, p.uid.srcUid, p.uid.dstUid);
    if (egress === undefined) return;
    this.counters.forwarded++;
    const cleared = this.device.has('ethplus-preamble-type-cleared') && p.frameType !== ETHPLUS_FRAME_TYPE.DATA;
    const out = !cleared && fcsIn === this.fcs ? bytes : buildEthplusFrame({ frameType: cleared ? ETHPLUS_FRAME_TYPE.DATA : p.frameType, uid: p.uid, payload: p.payload.slice() }, { fcs: this.fcs });
    this.afterLatency(() => egress.send(out));
  }

  // --- collective engine ---------------------------------------------------------------------

  private contribute(uid: EthplusUidHeader, h: EthplusCollectiveHeader, elements: Float64Array): void {
    this.engine.contributions++;
    let g = this.groups.get(h.group);
    if (g === undefined) {
      g = { op: h.op, reduction: h.reduction, dtype: h.dtype, members: h.members, root: h.root, uids: new Array(h.members), known: 0, chunks: new Map(), waiting: [] };
      this.groups.set(h.group, g);
    }
    if (g.op !== h.op || g.members !== h.members) {
      this.engine.strays++;
      return;
    }
    if (g.uids[h.rank] === undefined) {
      g.uids[h.rank] = uid.srcUid;
      g.known++;
    }
    switch (g.op) {
      case ETHPLUS_COLLECTIVE_OP.REDUCE:
      case ETHPLUS_COLLECTIVE_OP.ALL_REDUCE:
      case ETHPLUS_COLLECTIVE_OP.REDUCE_SCATTER:
        this.reduce(h.group, g, h.rank, h.offset, elements);
        break;
      case ETHPLUS_COLLECTIVE_OP.BROADCAST:
      case ETHPLUS_COLLECTIVE_OP.ALL_GATHER:
        if ((h.flags & ETHPLUS_COLLECTIVE_FLAG.JOIN) === 0) g.waiting.push({ rank: h.rank, offset: h.offset, elements });
        if (g.known === g.members) this.replicate(h.group, g);
        break;
      case ETHPLUS_COLLECTIVE_OP.ALL_TO_ALL:
        g.waiting.push({ rank: h.rank, offset: h.offset, elements });
        this.route2all(h.group, g);
        break;
      default:
        this.engine.strays++;
    }
  }

  private reduce(group: number, g: Group, rank: number, offset: number, elements: Float64Array): void {
    let c = g.chunks.get(offset);
    if (c === undefined) g.chunks.set(offset, (c = { acc: Float64Array.from(elements), ranks: new Set([rank]) }));
    else {
      if (c.ranks.has(rank) || c.acc.length !== elements.length) {
        this.engine.strays++;
        return;
      }
      const red = this.device.has('ethplus-collective-wrong-reduction') ? ETHPLUS_REDUCTION.MAX : g.reduction;
      for (let i = 0; i < elements.length; i++) c.acc[i] = ethplusReduce(red, c.acc[i], elements[i]);
      c.ranks.add(rank);
    }
    if (c.ranks.size < g.members) return;
    g.chunks.delete(offset);
    if (g.op === ETHPLUS_COLLECTIVE_OP.ALL_REDUCE) for (let r = 0; r < g.members; r++) this.result(group, g, r, offset, c.acc);
    else if (g.op === ETHPLUS_COLLECTIVE_OP.REDUCE) this.result(group, g, g.root, offset, c.acc);
    else {
      const b = g.root;
      let i = 0;
      while (i < c.acc.length) {
        const owner = Math.floor((offset + i) / b);
        const end = Math.min(c.acc.length, (owner + 1) * b - offset);
        this.result(group, g, owner, offset + i - owner * b, c.acc.subarray(i, end));
        i = end;
      }
    }
  }

  private replicate(group: number, g: Group): void {
    for (const w of g.waiting.splice(0)) {
      for (let r = 0; r < g.members; r++) if (r !== w.rank) this.result(group, g, r, w.offset, w.elements);
    }
  }

  private route2all(group: number, g: Group): void {
    const b = g.root;
    g.waiting = g.waiting.filter((w) => {
      const j = Math.floor(w.offset / b);
      if (j >= g.members || g.uids[j] === undefined) return j < g.members;
      this.result(group, g, j, w.rank * b + (w.offset - j * b), w.elements);
      return false;
    });
  }

  private result(group: number, g: Group, rank: number, offset: number, elements: ArrayLike<number>): void {
    const uid = g.uids[rank];
    if (uid === undefined) return;
    const ports = this.table.lookup(uid);
    const egress = ports === undefined ? undefined : this.device.portByIndex.get(ports[0]);
    if (egress === undefined) {
      this.counters.noRoute++;
      return;
    }
    const h = new EthplusCollectiveHeader({ group, op: g.op, reduction: g.reduction, dtype: g.dtype, flags: ETHPLUS_COLLECTIVE_FLAG.RESULT, rank, members: g.members, root: g.root, offset });
    const frameType = this.device.has('ethplus-preamble-type-cleared') ? ETHPLUS_FRAME_TYPE.DATA : ETHPLUS_FRAME_TYPE.COLLECTIVE;
    const bytes = buildEthplusFrame({ frameType, uid: { dstUid: uid, srcUid: ETHPLUS_UID_SWITCH, semantic: ETHPLUS_SEMANTIC.COLLECTIVE }, payload: ethplusCollectivePayload(h, elements) }, { fcs: this.fcs });
    this.engine.results++;
    egress.send(bytes);
  }

  protected override extraCounters(): Record<string, number> {
    return { ...this.engine };
  }

  override state(path: string): unknown {
    if (path === '/fcs') return this.fcs;
    return super.state(path);
  }

  override configGet(path: string): unknown {
    if (path === '/fcs') return this.fcs;
    return super.configGet(path);
  }

  override config(path: string, value: unknown, op: 'merge' | 'replace' | 'delete'): boolean {
    if (path === '/fcs') {
      if (op === 'delete') this.fcs = boolParam(this.device, 'fcs', true);
      else if (typeof value !== 'boolean') throw new ScaleupConfigError(this.device.name, '/scaleup/fcs takes true or false');
      else this.fcs = value;
      return true;
    }
    return super.config(path, value, op);
  }
}

registerScaleupProtocol('ethplus', {
  switch: (f, d) => new EthplusSwitch(f, d),
  accelerator: (f, d) => new EthplusAccelerator(f, d),
});
