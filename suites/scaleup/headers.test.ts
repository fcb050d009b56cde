// Scale-up headers: sizes and field semantics of each protocol, read from captures and decoded with the protocol codecs.
//
// Test plan (requirement IDs):
// - UALink (UAL-4, UAL-5, UAL-6, UALINK200-DL-flit, UALINK200-UPLI-fields): writes of 64..256 bytes
//   and reads from the lowest-id accelerator to the highest-id one (id 1023 on the default
//   testbed). Sent and received, every frame is a 640-byte DL flit with a good CRC and a sequence
//   number 1..511; TL flits are 64 bytes; the UPLI requests that reach the target carry the
//   sender's and the target's 10-bit ids, sizes 64/128/192/256, addresses below 2^57, tags in order.
// - SUE (SUE-2, SUE-3, SUE-4, SUE-RH-layout): data frames are AFH Gen2 (6 bytes) | RH (8 bytes) |
//   PDU (<= 4096) | R-CRC: AFH and RH name sender and target, the RH the flow's VC, PSNs
//   consecutive; the acknowledgements the sender gets name the target and a PSN it sent.
// - ESUN (ESUN-2, SUE-6): Ethernet (14 bytes, ESUN EtherType) | EH (4 bytes: version 0, EH-QoS =
//   the VC's traffic class, EH-ECN ECT(0) on data, a flow label) | SUE-T RH | PDU | R-CRC: no IP header.
// - EthLink (ETHL-1, ETHL-3): OEFH of 6 bytes with the two 10-bit ids, then an 8-byte transaction header.
// - ETH+ (ETHP-2, ETHP-3): the 1-byte preamble 1010xx11 with the data type, the UID base header with
//   both UIDs and the length, the FCS (configured on): no MAC addresses; frames of an in-switch
//   collective carry the collective type.
// - ETH-X (ETHX-2): PRI of 12 bytes (2-byte device id of the target, 10-byte user address), then
//   the EtherType.
// Devices: the supernode of each protocol (a switch and its accelerators, emulated or real) with
// state, config, traffic and capture.
import { test, expect, req, describe } from '../../harness/suite.ts';
import { ETHPLUS_COLLECTIVE_FLAG, ETHPLUS_FRAME_TYPE, ETHPLUS_PREAMBLE_MASK, ETHPLUS_PREAMBLE_PATTERN, ETHPLUS_SEMANTIC, ETHPLUS_UID_HEADER_LEN, ethplusParseCollective } from '../../protocols/ethplus/index.ts';
import { ETHX_ETHERTYPE_DEFAULT, ETHX_PRI_LEN, ETHX_TXN_HEADER_LEN } from '../../protocols/ethx/index.ts';
import { ETHLINK_OEFH_LEN, ETHLINK_TXN_HEADER_LEN } from '../../protocols/ethlink/index.ts';
import { ESUN_EH_LEN, ESUN_ETHERTYPE_DEFAULT } from '../../protocols/esun/index.ts';
import { IP_ECN } from '../../protocols/ip.ts';
import { SUE_AFH_SHORT_LEN, SUE_PDU_MAX_BYTES, SUE_RCRC_LEN, SUE_RH_LEN, SUE_RH_OPCODE_DEFAULT, SUE_TXN_HEADER_LEN } from '../../protocols/sue/index.ts';
import { UALINK_ADDRESS_MAX, UALINK_DL_FLIT_LEN, UALINK_DL_SEQ_MAX, UALINK_OPCODE, UALINK_REQUEST_SIZES, UALINK_TL_FLIT_LEN, ualinkIsRequest } from '../../protocols/ualink/index.ts';
import { consecutive, capturing, decode, flow, highest, pcapngOf, runFlows, rx, supernode, tx, ualinkFlit, ualinkMessages, wire } from './helpers.ts';

describe('scale-up headers', () => {
  test(
    'UALink: 640-byte DL flits of 64-byte TL flits carry UPLI requests with 10-bit ids, 57-bit addresses and 64-256 byte sizes',
    req('UAL-4', 'UAL-5', 'UAL-6', 'UALINK200-DL-flit', 'UALINK200-UPLI-fields'),
    async ({ lab }) => {
      const sn = await supernode(lab, 'ualink');
      const [src] = sn.accs;
      const dst = highest(sn);
      const caps = await capturing([{ dev: src.dev, port: src.port }, { dev: dst.dev, port: dst.port }], async () => {
        const r = await runFlows(lab, [{ from: src, flows: [flow('w64', src, dst, 4096, 64), flow('w300', src, dst, 4800, 300), flow('r256', src, dst, 4096, 256, { opcode: 'read' })] }]);
        for (const m of r.values()) expect(m.done, `${m.name} done`).toBe(true);
      });
      lab.attach('ualink-headers.pcapng', pcapngOf(caps), 'application/vnd.tcpdump.pcap');
      const all = [...caps.values()].flat();
      expect(all.length).toBeGreaterThan(0);
      for (const f of all) {
        expect(f.bytes.length, 'DL flit size').toBe(UALINK_DL_FLIT_LEN);
        const h = ualinkFlit(f.bytes);
        if (h.seq !== 0) expect(h.seq).toBeLessThanOrEqual(UALINK_DL_SEQ_MAX);
        for (const t of h.tl) expect(t.bytes.length, 'TL flit size').toBe(UALINK_TL_FLIT_LEN);
      }
      const atTarget = ualinkMessages(rx(caps.get(`${dst.dev.id}:${dst.port}`)!));
      const requests = atTarget.messages.filter((m) => ualinkIsRequest(m.header.opcode));
      // 64 x 64 B + 16 x (256 + 64) + 16 x 256 B reads
      expect(requests.length, 'requests at the target').toBe(64 + 32 + 16);
      for (const { header: h } of requests) {
        expect([h.srcId, h.dstId], 'source and destination ids').toEqual([src.id, dst.id]);
        expect(UALINK_REQUEST_SIZES as readonly number[]).toContain(h.sizeBytes);
        expect(h.address <= UALINK_ADDRESS_MAX, 'address within 57 bits').toBe(true);
      }
      expect(dst.id, 'the target exercises the upper id bits').toBeGreaterThan(255);
      expect(consecutive(requests.map((m) => m.header.tag), 4096), 'tags of the pair in order').toBe(true);
      expect(requests.filter((m) => m.header.opcode === UALINK_OPCODE.WRITE).every((m) => m.data.length === m.header.sizeBytes)).toBe(true);
    },
  );

  test(
    'SUE: AFH Gen2 (6 bytes), reliability header (8 bytes) with ids, VC and consecutive PSNs, PDU up to 4096 bytes, R-CRC',
    req('SUE-2', 'SUE-3', 'SUE-4', 'SUE-RH-layout'),
    async ({ lab }) => {
      const sn = await supernode(lab, 'sue');
      const [src] = sn.accs;
      const dst = highest(sn);
      const caps = await capturing([{ dev: src.dev, port: src.port }], async () => {
        const r = await runFlows(lab, [{ from: src, flows: [flow('vc1', src, dst, 32768, 512, { vc: 1 })] }]);
        expect(r.get(`${src.dev.id}/vc1`)!.done).toBe(true);
      });
      lab.attach('sue-headers.pcapng', pcapngOf(caps), 'application/vnd.tcpdump.pcap');
      const frames = caps.get(`${src.dev.id}:${src.port}`)!;
      const data = tx(frames).map((f) => ({ f, d: decode('sue', f.bytes) }));
      expect(data.length).toBeGreaterThan(0);
      const psns: number[] = [];
      for (const { f, d } of data) {
        const p = d.sue!;
        expect(p.afh.long, 'AFH Gen2 short form').toBe(false);
        expect([p.afh.srcXpu, p.afh.dstXpu, p.rh.xpuId, p.rh.vc, p.rh.opcode]).toEqual([src.id, dst.id, src.id, 1, SUE_RH_OPCODE_DEFAULT.DATA]);
        expect(p.rcrcOk, 'R-CRC').toBe(true);
        expect(p.pduBytes).toBeLessThanOrEqual(SUE_PDU_MAX_BYTES);
        expect(f.bytes.length, 'AFH + RH + PDU + R-CRC').toBe(SUE_AFH_SHORT_LEN + SUE_RH_LEN + p.pduBytes + SUE_RCRC_LEN);
        expect(p.pduBytes).toBe(p.txns.reduce((n, t) => n + SUE_TXN_HEADER_LEN + (t.data?.length ?? 0), 0));
        psns.push(p.rh.psn);
      }
      expect(consecutive([...new Set(psns)], 65536), 'PSNs of the connection consecutive').toBe(true);
      const acks = rx(frames).map((f) => decode('sue', f.bytes).sue!).filter((p) => p.rh.opcode !== SUE_RH_OPCODE_DEFAULT.DATA);
      expect(acks.length, 'acknowledgements received').toBeGreaterThan(0);
      for (const a of acks) {
        expect([a.afh.dstXpu, a.rh.xpuId, a.rh.vc]).toEqual([src.id, dst.id, 1]);
        expect(psns).toContain(a.rh.ackPsn);
      }
    },
  );

  test(
    'ESUN: Ethernet, a 4-byte EH header (QoS of the VC, EH-ECN ECT(0), flow label) and SUE-T where IP/UDP would be',
    req('ESUN-2', 'SUE-6'),
    async ({ lab }) => {
      const sn = await supernode(lab, 'esun');
      const [src] = sn.accs;
      const dst = highest(sn);
      const tcs = (await src.dev.state.get('/scaleup/vc-tc-map')) as number[];
      const caps = await capturing([{ dev: src.dev, port: src.port }], async () => {
        const r = await runFlows(lab, [{ from: src, flows: [flow('vc2', src, dst, 16384, 1024, { vc: 2 })] }]);
        expect(r.get(`${src.dev.id}/vc2`)!.done).toBe(true);
      });
      lab.attach('esun-headers.pcapng', pcapngOf(caps), 'application/vnd.tcpdump.pcap');
      const data = tx(caps.get(`${src.dev.id}:${src.port}`)!);
      expect(data.length).toBeGreaterThan(0);
      const labels = new Set<number>();
      for (const f of data) {
        const p = decode('esun', f.bytes).esun!;
        expect(p.eth.ethertype, 'ESUN EtherType').toBe(ESUN_ETHERTYPE_DEFAULT);
        expect([p.eh.qos, p.eh.ecn, p.rh.vc, p.rh.xpuId], 'EH-QoS = TC of the VC, ECT(0) on data').toEqual([tcs[2], IP_ECN.ECT0, 2, src.id]);
        expect(f.bytes.length, 'Ethernet 14 + EH 4 + RH 8 + PDU + R-CRC 4: no IP header').toBe(14 + ESUN_EH_LEN + SUE_RH_LEN + p.pduBytes + SUE_RCRC_LEN);
        expect(p.rcrcOk).toBe(true);
        labels.add(p.eh.flowLabel);
      }
      expect(labels.size, 'one flow label per flow').toBe(1);
    },
  );

  test('EthLink: a 6-byte OEFH with 10-bit destination and source ids, then the transaction', req('ETHL-1', 'ETHL-3'), async ({ lab }) => {
    const sn = await supernode(lab, 'ethlink');
    const [src] = sn.accs;
    const dst = highest(sn);
    const caps = await capturing([{ dev: dst.dev, port: dst.port }], async () => {
      const r = await runFlows(lab, [{ from: src, flows: [flow('tma', src, dst, 8192, 512)] }]);
      expect(r.get(`${src.dev.id}/tma`)!.done).toBe(true);
    });
    const frames = rx(caps.get(`${dst.dev.id}:${dst.port}`)!);
    expect(frames.length).toBe(16);
    for (const f of frames) {
      const d = decode('ethlink', f.bytes);
      expect([d.src, d.dst]).toEqual([src.id, dst.id]);
      expect(d.headerBytes, 'OEFH + transaction header').toBe(ETHLINK_OEFH_LEN + ETHLINK_TXN_HEADER_LEN);
      expect(d.units[0].sig).not.toBeNull();
    }
    expect(dst.id).toBeGreaterThan(255);
  });

  test(
    'ETH+: a 1-byte preamble 1010xx11 with the frame type, a UID base header instead of MAC addresses, the FCS; collective frames typed as such',
    req('ETHP-2', 'ETHP-3'),
    async ({ lab }) => {
      const sn = await supernode(lab, 'ethplus');
      const [a, b] = sn.accs;
      const dst = highest(sn);
      const caps = await capturing([{ dev: dst.dev, port: dst.port }, { dev: b.dev, port: b.port }], async () => {
        const r = await runFlows(lab, [{ from: a, flows: [flow('send', a, dst, 8192, 1024)] }]);
        expect(r.get(`${a.dev.id}/send`)!.done).toBe(true);
        const members = [a.id, b.id];
        for (const [m, input] of [[a, [1, 2]], [b, [10, 20]]] as const) {
          await m.dev.config.edit('/scaleup/collectives/collective[name=hdr]', { op: 'all-reduce', group: 60001, members, input }, 'merge');
        }
        await lab.until(async () => ((await b.dev.state.get('/scaleup/collectives/collective[name=hdr]')) as { done: boolean }).done, { timeoutMs: 1, what: 'collective done' });
      });
      const frames = rx(caps.get(`${dst.dev.id}:${dst.port}`)!);
      expect(frames.length).toBe(8);
      for (const f of frames) {
        expect(f.bytes[0] & ETHPLUS_PREAMBLE_MASK, 'preamble pattern').toBe(ETHPLUS_PREAMBLE_PATTERN);
        const d = decode('ethplus', f.bytes);
        const p = d.ethplus!;
        expect([p.frameType, p.uid.srcUid, p.uid.dstUid, p.uid.semantic]).toEqual([ETHPLUS_FRAME_TYPE.DATA, a.id, dst.id, ETHPLUS_SEMANTIC.SEND]);
        expect(p.fcsOk, 'FCS').toBe(true);
        expect(f.bytes.length, 'preamble 1 + UID 8 + payload + FCS 4').toBe(1 + ETHPLUS_UID_HEADER_LEN + p.uid.length + 4);
      }
      const results = rx(caps.get(`${b.dev.id}:${b.port}`)!).map((f) => decode('ethplus', f.bytes).ethplus!);
      expect(results.length, 'collective results at a member').toBeGreaterThan(0);
      for (const p of results) {
        expect([p.frameType, p.uid.semantic], 'collective frame type').toEqual([ETHPLUS_FRAME_TYPE.COLLECTIVE, ETHPLUS_SEMANTIC.COLLECTIVE]);
        expect(wire('ETH+ collective header', () => ethplusParseCollective(p.payload)).header.flags & ETHPLUS_COLLECTIVE_FLAG.RESULT).toBeTruthy();
      }
    },
  );

  test('ETH-X: a 12-byte PRI header (2-byte device id of the target, 10-byte user address) replaces the MAC addresses', req('ETHX-2'), async ({ lab }) => {
    const sn = await supernode(lab, 'ethx');
    const [src] = sn.accs;
    const dst = highest(sn);
    const caps = await capturing([{ dev: dst.dev, port: dst.port }], async () => {
      const r = await runFlows(lab, [{ from: src, flows: [flow('w', src, dst, 8192, 2048)] }]);
      expect(r.get(`${src.dev.id}/w`)!.done).toBe(true);
    });
    const frames = rx(caps.get(`${dst.dev.id}:${dst.port}`)!);
    expect(frames.length).toBe(4);
    for (const f of frames) {
      const d = decode('ethx', f.bytes);
      const p = d.ethx!;
      expect([p.pri.deviceId, p.srcDevice, p.ethertype]).toEqual([dst.id, src.id, ETHX_ETHERTYPE_DEFAULT]);
      expect(p.pri.userAddress.length).toBe(10);
      expect(d.headerBytes, 'PRI 12 + EtherType 2 + transaction 8').toBe(ETHX_PRI_LEN + 2 + ETHX_TXN_HEADER_LEN);
    }
  });
});
