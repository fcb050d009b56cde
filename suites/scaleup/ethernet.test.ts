// EthLink and ETH-X forwarding: EthLink carries both semantics end to end; ETH-X switches route on the PRI device id and leave the user address untouched.
//
// Test plan (requirement IDs):
// 1. ETHL-2, ETHL-3: an RDMA (TMA) flow and a load/store (LSU) flow to one accelerator: at the
//    receiver every frame of each flow carries its semantic in the OEFH, and the receiver counts
//    the LSU units it was sent.
// 2. ETHX-2: flows to two accelerators: every frame a receiver gets carries its device id, and
//    its PRI user address (and every other byte) is the one the sender wrote; the receiver finds
//    no user address that disagrees with its data.
// Devices: the EthLink and ETH-X supernodes with state, traffic, capture.
import { test, expect, req, describe } from '../../harness/suite.ts';
import { ETHLINK_SEMANTIC } from '../../protocols/ethlink/index.ts';
import { capturing, decode, flow, highest, runFlows, rx, supernode, tx } from './helpers.ts';

describe('EthLink and ETH-X forwarding', () => {
  test('EthLink: RDMA (TMA) and load/store (LSU) semantics both cross the switch', req('ETHL-2', 'ETHL-3'), async ({ lab }) => {
    const sn = await supernode(lab, 'ethlink');
    const [src] = sn.accs;
    const dst = highest(sn);
    const before = ((await dst.dev.state.get('/scaleup/receive')) as { bySemantic: { lsu: number } }).bySemantic.lsu;
    const caps = await capturing([{ dev: dst.dev, port: dst.port }], async () => {
      const r = await runFlows(lab, [{ from: src, flows: [flow('tma', src, dst, 16384, 4096, { semantic: 'tma' }), flow('lsu', src, dst, 4096, 64, { semantic: 'lsu' })] }]);
      for (const m of r.values()) expect([m.name, m.done]).toEqual([m.name, true]);
    });
    const want = [ETHLINK_SEMANTIC.TMA, ETHLINK_SEMANTIC.LSU];
    const frames = rx(caps.get(`${dst.dev.id}:${dst.port}`)!).map((f) => decode('ethlink', f.bytes));
    expect(frames.length).toBe(4 + 64);
    for (const d of frames) expect(d.ethlink!.oefh.semantic, `semantic of flow ${d.units[0].sig?.flow}`).toBe(want[d.units[0].sig!.flow]);
    const after = ((await dst.dev.state.get('/scaleup/receive')) as { bySemantic: { lsu: number } }).bySemantic.lsu;
    expect(after - before, 'LSU units at the receiver').toBe(64);
  });

  test('ETH-X: switches route on the 2-byte device id and leave the 10-byte user address untouched', req('ETHX-2'), async ({ lab }) => {
    const sn = await supernode(lab, 'ethx');
    const [src, mid] = sn.accs;
    const dst = highest(sn);
    const mismatchBefore = async (m: typeof dst) => ((await m.dev.state.get('/scaleup/receive')) as { userAddressMismatch: number }).userAddressMismatch;
    const before = [await mismatchBefore(mid), await mismatchBefore(dst)];
    const caps = await capturing(
      [
        { dev: src.dev, port: src.port },
        { dev: mid.dev, port: mid.port },
        { dev: dst.dev, port: dst.port },
      ],
      async () => {
        const r = await runFlows(lab, [{ from: src, flows: [flow('to-mid', src, mid, 8192, 1024), flow('to-dst', src, dst, 8192, 1024)] }]);
        for (const m of r.values()) expect([m.name, m.done]).toEqual([m.name, true]);
      },
    );
    const key = (b: Uint8Array) => {
      const s = decode('ethx', b).units[0].sig!;
      return `${s.flow}/${s.seq}`;
    };
    const sent = new Map(tx(caps.get(`${src.dev.id}:${src.port}`)!).map((f) => [key(f.bytes), f.bytes]));
    for (const m of [mid, dst]) {
      const got = rx(caps.get(`${m.dev.id}:${m.port}`)!);
      expect(got.length, `frames at ${m.dev.id}`).toBe(8);
      for (const f of got) {
        const p = decode('ethx', f.bytes).ethx!;
        expect(p.pri.deviceId, 'routed on the device id').toBe(m.id);
        const orig = sent.get(key(f.bytes))!;
        expect(Buffer.from(p.pri.userAddress).toString('hex'), 'user address').toBe(Buffer.from(decode('ethx', orig).ethx!.pri.userAddress).toString('hex'));
        expect(Buffer.compare(Buffer.from(f.bytes), Buffer.from(orig)), 'frame forwarded unchanged').toBe(0);
      }
    }
    expect([await mismatchBefore(mid), await mismatchBefore(dst)], 'receivers saw no foreign user address').toEqual(before);
  });
});
