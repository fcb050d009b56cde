// ETH+ codecs on hand-built bytes: preamble pattern, UID fields, collective header and elements, frames with and without FCS, fuzz.
import { describe, expect, test } from 'vitest';
import { catchWire, fuzz } from '../testing.ts';
import {
  ETHPLUS_COLLECTIVE_FLAG,
  ETHPLUS_COLLECTIVE_OP,
  ETHPLUS_DTYPE,
  ETHPLUS_FRAME_TYPE,
  ETHPLUS_LAYOUT_ASSUMED,
  ETHPLUS_REDUCTION,
  ETHPLUS_SEMANTIC,
  ETHPLUS_UID_SWITCH,
  EthplusCollectiveHeader,
  EthplusCollectiveView,
  EthplusUidHeader,
  EthplusUidView,
  buildEthplusFrame,
  ethplusCollectivePayload,
  ethplusFcs,
  ethplusFrameTypeName,
  ethplusFrameTypeOf,
  ethplusLayoutNote,
  ethplusParseCollective,
  ethplusPreamble,
  ethplusReduce,
  parseEthplusFrame,
} from './index.ts';

const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, '').match(/../g)!, (h) => parseInt(h, 16));

describe('preamble', () => {
  test('1010xx11 with the frame type in the x bits', () => {
    expect([0, 1, 2, 3].map(ethplusPreamble)).toEqual([0xa3, 0xa7, 0xab, 0xaf]);
    expect([0xa3, 0xa7, 0xab, 0xaf].map(ethplusFrameTypeOf)).toEqual([0, 1, 2, 3]);
    expect(ethplusFrameTypeName(2)).toBe('collective');
    expect(catchWire(() => ethplusFrameTypeOf(0x55)).field).toBe('preamble');
    expect(catchWire(() => ethplusFrameTypeOf(0xa2)).field).toBe('preamble');
    expect(catchWire(() => ethplusPreamble(4)).field).toBe('frameType');
  });
});

// dst 0x0102 | src 0xfffe | RDMA_WRITE | tc 5 + 0x03 | length 300
const UID = hex('0102 fffe 02 a3 012c');

describe('UID base header', () => {
  test('reads every field, writes over 0xa5, round-trips', () => {
    const v = EthplusUidView.checked(UID);
    expect([v.dstUid, v.srcUid, v.semantic, v.flags, v.tc, v.length]).toEqual([0x102, 0xfffe, 2, 0xa3, 5, 300]);
    expect(v.summary()).toBe('UID 65534 > 258 rdma-write tc 5 len 300');
    const h = EthplusUidHeader.parse(v);
    const out = new Uint8Array(8).fill(0xa5);
    h.emit(EthplusUidView.unchecked(out));
    expect(out).toEqual(UID);
    const fromSwitch = hex('0001 ffff 01 00 0000');
    expect(catchWire(() => EthplusUidHeader.parse(EthplusUidView.checked(fromSwitch))).field).toBe('srcUid');
    expect(catchWire(() => EthplusUidView.checked(UID.subarray(0, 7))).kind).toBe('truncated');
  });
});

describe('collective header', () => {
  test('fields, elements, reductions', () => {
    const h = new EthplusCollectiveHeader({ group: 7, op: ETHPLUS_COLLECTIVE_OP.ALL_REDUCE, reduction: ETHPLUS_REDUCTION.MAX, flags: ETHPLUS_COLLECTIVE_FLAG.RESULT, rank: 3, members: 64, root: 0, offset: 1024 });
    const p = ethplusCollectivePayload(h, [1.5, -2, 1e6]);
    expect([...p.subarray(0, 16)]).toEqual([0, 7, 5, 1, 0, 0x80, 0, 3, 0, 64, 0, 0, 0, 0, 4, 0]);
    expect([...p.subarray(16, 20)]).toEqual([0x3f, 0xc0, 0, 0]);
    const v = EthplusCollectiveView.checked(p);
    expect([v.count, v.element(0), v.element(1), v.element(2)]).toEqual([3, 1.5, -2, 1e6]);
    expect(v.summary()).toBe('collective all-reduce/max group 7 rank 3/64 root 0 offset 1024 x3 [result]');
    const back = ethplusParseCollective(p);
    expect(back.header).toEqual(h);
    expect([...back.elements]).toEqual([1.5, -2, 1e6]);
    const ints = ethplusParseCollective(ethplusCollectivePayload(new EthplusCollectiveHeader({ group: 1, op: 0, dtype: ETHPLUS_DTYPE.INT32, rank: 0, members: 2 }), [-5, 7]));
    expect([...ints.elements]).toEqual([-5, 7]);
    expect([ethplusReduce(0, 2, 3), ethplusReduce(1, 2, 3), ethplusReduce(2, 2, 3), ethplusReduce(3, 2, 3)]).toEqual([5, 3, 2, 6]);
    expect(catchWire(() => ethplusReduce(9, 1, 1)).kind).toBe('unsupported');
  });

  test('partial elements, unknown dtype, a rank outside the group are refused', () => {
    const p = ethplusCollectivePayload(new EthplusCollectiveHeader({ group: 1, op: 0, rank: 1, members: 2 }), [1]);
    expect(catchWire(() => ethplusParseCollective(p.subarray(0, 19))).field).toBe('collective.elements');
    const d = p.slice();
    d[4] = 9;
    expect(catchWire(() => ethplusParseCollective(d)).kind).toBe('unsupported');
    const r = p.slice();
    r[7] = 2;
    expect(catchWire(() => ethplusParseCollective(r)).field).toBe('rank');
    expect(catchWire(() => new EthplusCollectiveHeader({ group: 1, op: 0, rank: 2, members: 2 }).emit(EthplusCollectiveView.unchecked(new Uint8Array(16)))).field).toBe('rank');
  });
});

describe('frames', () => {
  test('the FCS is Ethernet CRC-32, least significant byte first', () => {
    expect(ethplusFcs(new TextEncoder().encode('123456789'))).toBe(0x2639f4cb);
  });

  test('with FCS: 1 + 8 + payload + 4; without: 1 + 8 + payload', () => {
    const spec = { frameType: ETHPLUS_FRAME_TYPE.DATA, uid: { dstUid: 1, srcUid: 2, semantic: ETHPLUS_SEMANTIC.SEND }, payload: new Uint8Array(64).fill(7) };
    const withFcs = buildEthplusFrame(spec);
    const without = buildEthplusFrame(spec, { fcs: false });
    expect([withFcs.length, without.length, withFcs[0], without[0]]).toEqual([77, 73, 0xa3, 0xa3]);
    expect(withFcs.subarray(0, 73)).toEqual(without);
    const p = parseEthplusFrame(withFcs);
    expect([p.frameType, p.uid.dstUid, p.uid.length, p.payload.length, p.fcsOk]).toEqual([0, 1, 64, 64, true]);
    expect(parseEthplusFrame(without, { fcs: false }).fcsOk).toBeNull();
    const bad = withFcs.slice();
    bad[20] ^= 0x10;
    expect(parseEthplusFrame(bad).fcsOk).toBe(false);
    expect(catchWire(() => parseEthplusFrame(withFcs, { fcs: false })).message).toMatch(/FCS on a port configured without/);
    expect(catchWire(() => parseEthplusFrame(without)).message).toMatch(/no FCS on a port configured with/);
    const coll = buildEthplusFrame({ frameType: ETHPLUS_FRAME_TYPE.COLLECTIVE, uid: { dstUid: ETHPLUS_UID_SWITCH, srcUid: 5, semantic: ETHPLUS_SEMANTIC.COLLECTIVE }, payload: ethplusCollectivePayload(new EthplusCollectiveHeader({ group: 1, op: 5, rank: 0, members: 4 }), [1, 2]) });
    expect([coll[0], parseEthplusFrame(coll).frameType]).toEqual([0xab, 2]);
  });

  test('fuzz: only WireError escapes, parses re-encode to the same bytes', () => {
    for (const fcs of [true, false]) {
      const stats = fuzz({
        seed: fcs ? 0xe7 : 0xe8,
        iterations: 5000,
        maxLen: 60,
        samples: [buildEthplusFrame({ frameType: 1, uid: { dstUid: 9, srcUid: 8, semantic: 4 }, payload: new Uint8Array(20) }, { fcs })],
        fixup: (b) => {
          if (b.length > 9) b.set([0, b.length - 9 - (fcs ? 4 : 0)], 7);
        },
        parse: (b) => parseEthplusFrame(b, { fcs }),
        roundTrip: (p, buf) => {
          const out = buildEthplusFrame({ frameType: p.frameType, uid: p.uid, payload: p.payload }, { fcs });
          expect(out.subarray(0, out.length - (fcs ? 4 : 0))).toEqual(buf.subarray(0, out.length - (fcs ? 4 : 0)));
        },
      });
      expect(stats.parsed).toBeGreaterThan(100);
    }
  });

  test('the layout is marked as assumed', () => {
    expect(ETHPLUS_LAYOUT_ASSUMED).toBe(true);
    expect(ethplusLayoutNote).toMatch(/assumed/);
  });
});
