// Interop: the twin's port captures, written as pcapng, read back by tshark (Wireshark 4.0) and by our codecs.
//
// Plan:
// 1. A switch between two traffic-generator ports carries raw frames (UDP 9) and a RoCE flow
//    (UDP 4791); both switch ports are captured.
// 2. Four UET flows incast into one host of a k=4 fat tree whose switches mark ECN, trim and send
//    PFC; captured: the receiver's ToR port (the congested egress) and a sender's ToR port.
// For each capture file:
// - tshark exits 0 with nothing on stderr, no expert info of warning severity or above, nothing
//   malformed; it sees as many frames per interface as the port counters counted;
// - timestamps are the frames' virtual times (truncated to ns), in order; the frames a port sends
//   are at least one serialisation time apart;
// - eth src/dst, IPv4 src/dst/DSCP/ECN/length/checksum, UDP ports/length/checksum and the PFC
//   MAC-control fields read by tshark are those our codecs read from the same bytes, and those the
//   model sent: endpoint addresses, data frames of the flow's size, one pause frame per PFC pause
//   counted, CE only after marking, header-only frames (with their wire length kept) only for
//   trimmed packets;
// - RoCE: tshark's InfiniBand dissector reads the BTH and AETH we wrote (SEND first/middle/last,
//   PSNs in order, ack request on the last, ACKs with the acknowledged PSN); the ICRC verifies;
// - UET (tshark 4.0 has no UET dissector, so protocols/uet decodes it): RUD requests with the
//   flow's PSNs, SYN on the first packet and only until the PDC is established, RETX exactly on
//   PSNs sent before, NACK code 0x01 (trimmed) for PSNs whose frames were trimmed, ACK_CC (NSCC)
//   with a cumulative PSN that never goes back.
// Without tshark the file is skipped, except under CI=true, where that is a failure.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ETHERTYPE } from '../../protocols/ethernet/ethertype.ts';
import { parseFrame, type ParsedFrame } from '../../protocols/frame.ts';
import { IP_ECN } from '../../protocols/ip.ts';
import { readPcapng, type PcapngPacket } from '../../protocols/pcapng/reader.ts';
import { tsharkField, tsharkFields, tsharkJson, tsharkVersion, type TsharkLayers } from '../../protocols/pcapng/tshark.ts';
import { ROCE_AETH_CREDITS_INVALID, ROCE_AETH_TYPE, roceAethSyndrome } from '../../protocols/roce/aeth.ts';
import { ROCE_OPCODE, ROCE_UDP_PORT } from '../../protocols/roce/bth.ts';
import { roceIcrcVerify } from '../../protocols/roce/icrc.ts';
import { UET_CC_TYPE, UetAckHeader } from '../../protocols/uet/ack.ts';
import { UET_DSCP_ACK_DEFAULT, UET_UDP_PORT_DEFAULT } from '../../protocols/uet/encap.ts';
import { UET_NACK_CODE, UetNackHeader } from '../../protocols/uet/nack.ts';
import { parseUetPacket } from '../../protocols/uet/packet.ts';
import { UET_PDS_TYPE } from '../../protocols/uet/prologue.ts';
import { UetRequestHeader } from '../../protocols/uet/request.ts';
import { buildTwin } from '../build.ts';
import { HEADER_BYTES } from '../sim/packet.ts';
import type { Twin, TwinPortCounters, TwinTopology } from '../twin.ts';
import { ipv4Of, UDP_PORT_DISCARD, type CaptureFrame } from './capture.ts';
import { capturesToPcapng, type PortCapture } from './pcapng.ts';
import { fatTree } from './topology.ts';

const MISSING = 'tshark not found on PATH: install the Debian package tshark (apt-get install -y --no-install-recommends tshark)';
const version = await tsharkVersion();
if (!version) {
  if (process.env.CI === 'true') {
    test('tshark is installed (required when CI=true)', () => {
      throw new Error(`${MISSING}; CI needs it for the capture interop test`);
    });
  } else {
    console.warn(`${MISSING}; skipping the capture interop test`);
  }
}

const US = 1_000_000;
const RATE_BPS = 100e9;

/** One frame as tshark, our reader and the twin each saw it. */
interface Seen {
  L: TsharkLayers;
  pkt: PcapngPacket;
  frame: CaptureFrame;
  port: string;
  parsed: ParsedFrame;
}

interface Captured {
  dir: string;
  seen: Seen[];
  counters: Map<string, { before: TwinPortCounters; after: TwinPortCounters }>;
}

/** Starts captures on `ports` (device:port), runs `drive`, writes the file, reads it back three ways. */
async function capture(twin: Twin, ports: string[], drive: () => void): Promise<Captured> {
  const split = (p: string) => p.split(':') as [string, string];
  const counters = new Map<string, { before: TwinPortCounters; after: TwinPortCounters }>();
  for (const p of ports) {
    const [d, port] = split(p);
    twin.node(d)!.capture!.start(port);
    counters.set(p, { before: twin.node(d)!.counters!.port(port), after: twin.node(d)!.counters!.port(port) });
  }
  drive();
  const caps: PortCapture[] = ports.map((p) => {
    const [d, port] = split(p);
    counters.get(p)!.after = twin.node(d)!.counters!.port(port);
    return { name: p, frames: twin.node(d)!.capture!.stop(port) };
  });
  const bytes = capturesToPcapng(caps);
  const dir = mkdtempSync(join(tmpdir(), 'capture-tshark-'));
  const file = join(dir, 'capture.pcapng');
  writeFileSync(file, bytes);
  const packets = await tsharkJson(file); // throws on any stderr diagnostic or non-zero exit
  const read = readPcapng(bytes).packets;
  expect(packets.length).toBe(read.length);
  const next = new Map<number, number>();
  const seen = read.map((pkt, i): Seen => {
    const c = caps[pkt.interfaceId >> 1];
    const dirn = pkt.interfaceId & 1 ? 'tx' : 'rx';
    const k = next.get(pkt.interfaceId) ?? 0;
    next.set(pkt.interfaceId, k + 1);
    const frame = c.frames.filter((f) => f.direction === dirn)[k];
    // Our frame parser needs whole frames: a header-only one is read with what was cut as zeros
    // (the twin's payloads are zeros) and without checksums (they cover what was not kept).
    const cut = pkt.data.length < pkt.originalLen;
    const whole = cut ? new Uint8Array(pkt.originalLen) : pkt.data;
    if (cut) whole.set(pkt.data);
    const parsed = parseFrame(whole, { checksums: cut ? 'ignore' : 'verify' });
    return { L: packets[i]._source.layers, pkt, frame, port: c.name, parsed };
  });
  return { dir, seen, counters };
}

const num = (L: unknown, field: string) => Number(tsharkField(L, field));

/** Checks every capture must pass: tshark's health, frame counts, times, and eth/ip/udp/pfc fields. */
function commonChecks(cap: Captured): void {
  for (const s of cap.seen) {
    const L = s.L;
    expect(tsharkFields(L, '_ws.expert.severity').map(Number).filter((v) => v >= 0x00600000)).toEqual([]);
    expect(Object.keys(L)).not.toContain('_ws.malformed');
    // interface, lengths, time
    expect(tsharkField(L, 'frame.interface_name')).toBe(`${s.port}/${s.frame.direction}`);
    expect(num(L, 'frame.cap_len')).toBe(s.frame.bytes.length);
    expect(num(L, 'frame.len')).toBe(s.frame.originalLength ?? s.frame.bytes.length);
    const ns = BigInt(Math.floor(s.frame.timePs / 1000));
    expect(s.pkt.timeNs).toBe(ns);
    expect(tsharkField(L, 'frame.time_epoch')).toBe(`${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`);
    // Ethernet
    const f = s.parsed;
    expect(tsharkField(L.eth, 'eth.dst')).toBe(f.eth.dst);
    expect(tsharkField(L.eth, 'eth.src')).toBe(f.eth.src);
    expect(Number(tsharkField(L.eth, 'eth.type'))).toBe(f.eth.ethertype);
    if (f.pfc) {
      expect(tsharkField(L, 'frame.protocols')).toBe('eth:ethertype:macc');
      expect(tsharkField(L.eth, 'eth.dst')).toBe('01:80:c2:00:00:01');
      expect(tsharkField(L.macc, 'macc.opcode')).toBe('0x0101');
      expect(Number(tsharkField(L.macc, 'macc.cbfc.enbv'))).toBe(f.pfc.classEnable);
      for (let c = 0; c < 8; c++) expect(num(L.macc, `macc.cbfc.pause_time.c${c}`)).toBe(f.pfc.pauseQuanta[c]);
      continue;
    }
    // IPv4 and UDP
    expect(f.ip?.version).toBe(4);
    if (f.ip?.version !== 4 || !f.udp) throw new Error('not IPv4/UDP');
    expect(tsharkField(L, 'frame.protocols')).toMatch(/^eth:ethertype:ip:udp/);
    expect(tsharkField(L.ip, 'ip.src')).toBe(f.ip.src);
    expect(tsharkField(L.ip, 'ip.dst')).toBe(f.ip.dst);
    expect(num(L.ip, 'ip.dsfield.dscp')).toBe(f.ip.dscp);
    expect(num(L.ip, 'ip.dsfield.ecn')).toBe(f.ip.ecn);
    // the IP packet fills the frame, except for the padding of a minimum-size frame
    const frameLen = num(L, 'frame.len');
    if (frameLen > 60) expect(num(L.ip, 'ip.len')).toBe(frameLen - 14);
    else expect(num(L.ip, 'ip.len')).toBeLessThanOrEqual(46);
    expect(tsharkField(L.ip, 'ip.checksum.status')).toBe('1');
    expect(num(L.udp, 'udp.srcport')).toBe(f.udp.srcPort);
    expect(num(L.udp, 'udp.srcport')).toBeGreaterThanOrEqual(0xc000); // entropy in the ephemeral range
    expect(num(L.udp, 'udp.dstport')).toBe(f.udp.dstPort);
    expect(num(L.udp, 'udp.length')).toBe(num(L.ip, 'ip.len') - 20);
    const roce = f.udp.dstPort === ROCE_UDP_PORT;
    const headerOnly = s.frame.originalLength !== undefined;
    // RoCEv2 sends a zero UDP checksum (the ICRC covers the packet); a header-only frame cannot be verified.
    expect(tsharkField(L.udp, 'udp.checksum.status')).toBe(roce ? '3' : headerOnly ? '2' : '1');
  }
  // frame counts: as many frames per port and direction as the port counted (PFC frames are MAC control, not counted)
  for (const [port, c] of cap.counters) {
    const of = (d: 'rx' | 'tx') => cap.seen.filter((s) => s.port === port && s.frame.direction === d && !s.parsed.pfc).length;
    expect(of('rx')).toBe(c.after.inPkts - c.before.inPkts);
    expect(of('tx')).toBe(c.after.outPkts - c.before.outPkts);
    const pauses = (d: 'rx' | 'tx') => cap.seen.filter((s) => s.port === port && s.frame.direction === d && s.parsed.pfc?.pauseQuanta[0] === 0xffff).length;
    expect(pauses('tx')).toBe((c.after.pfcPauseTx ?? 0) - (c.before.pfcPauseTx ?? 0));
    expect(pauses('rx')).toBe((c.after.pfcPauseRx ?? 0) - (c.before.pfcPauseRx ?? 0));
    // A port sends one frame at a time: the later frame's serialisation apart at least (PFC
    // bypasses the queue). The model accounts control packets (DSCP 46) and trimmed headers as
    // HEADER_BYTES, data frames at their length.
    const tx = cap.seen.filter((s) => s.port === port && s.frame.direction === 'tx' && !s.parsed.pfc);
    for (let i = 1; i < tx.length; i++) {
      const t = tx[i];
      const modelBytes = t.parsed.ip?.dscp === UET_DSCP_ACK_DEFAULT || t.frame.originalLength !== undefined ? HEADER_BYTES : t.frame.bytes.length;
      expect(t.frame.timePs - tx[i - 1].frame.timePs).toBeGreaterThanOrEqual(Math.ceil((modelBytes * 8e12) / RATE_BPS));
    }
  }
  const times = cap.seen.map((s) => s.frame.timePs);
  expect(times).toEqual([...times].sort((a, b) => a - b));
}

describe.skipIf(!version)(`tshark ${version ?? ''} reads the twin's captures`, () => {
  describe('a switch between traffic-generator ports: raw frames and a RoCE flow', () => {
    let cap: Captured;
    const RAW_FRAMES = 8;
    const ROCE_BYTES = 20_000;
    const ROCE_MTU = 1100;
    beforeAll(async () => {
      const topo: TwinTopology = {
        devices: [
          { id: 'tg', kind: 'traffic-generator', ports: ['p1', 'p2'] },
          { id: 'sw', kind: 'switch', ports: ['e1', 'e2'] },
        ],
        links: [
          { a: { device: 'tg', port: 'p1' }, b: { device: 'sw', port: 'e1' }, rateBps: RATE_BPS },
          { a: { device: 'sw', port: 'e2' }, b: { device: 'tg', port: 'p2' }, rateBps: RATE_BPS },
        ],
      };
      const twin = buildTwin(topo, { seed: 1 });
      const tg = twin.node('tg')!;
      cap = await capture(twin, ['sw:e1', 'sw:e2'], () => {
        tg.traffic!.setFlows([
          { name: 'raw', txPort: 'p1', rxPort: 'tg:p2', bytes: RAW_FRAMES * 1500, frameBytes: 1500 },
          { name: 'roce', txPort: 'p1', rxPort: 'tg:p2', bytes: ROCE_BYTES, frameBytes: ROCE_MTU, transport: 'roce' },
        ]);
        tg.traffic!.start();
        twin.runFor(100 * US);
        expect(tg.traffic!.metrics().every((m) => m.done)).toBe(true);
      });
    });
    afterAll(() => cap && rmSync(cap.dir, { recursive: true, force: true }));

    test('tshark decodes every frame; fields, counts and times agree with the model', () => {
      expect(cap.seen.length).toBeGreaterThan(2 * RAW_FRAMES);
      commonChecks(cap);
    });

    test('raw frames: UDP discard between the generator ports, at the flow frame size', () => {
      const raw = cap.seen.filter((s) => s.parsed.udp?.dstPort === UDP_PORT_DISCARD);
      expect(raw.length).toBe(2 * RAW_FRAMES); // received on e1, sent on e2
      for (const s of raw) {
        expect(tsharkField(s.L, 'frame.protocols')).toBe('eth:ethertype:ip:udp:data');
        expect(tsharkField(s.L.ip, 'ip.src')).toBe(ipv4Of(0));
        expect(tsharkField(s.L.ip, 'ip.dst')).toBe(ipv4Of(1));
        expect(num(s.L, 'frame.len')).toBe(1500);
      }
    });

    test('RoCE: tshark reads the BTH and AETH we wrote; PSNs in order; the ICRC verifies', () => {
      const roce = cap.seen.filter((s) => s.parsed.udp?.dstPort === ROCE_UDP_PORT);
      for (const s of roce) {
        expect(tsharkField(s.L, 'frame.protocols')).toMatch(/^eth:ethertype:ip:udp:infiniband/);
        expect(roceIcrcVerify(s.pkt.data.subarray(14, 14 + num(s.L, 'ip.len')))).toBe(true);
      }
      const npkts = Math.ceil(ROCE_BYTES / (ROCE_MTU - 64));
      const data = roce.filter((s) => s.port === 'sw:e2' && s.frame.direction === 'tx');
      expect(data.length).toBe(npkts);
      const B = (s: Seen) => s.L.infiniband;
      expect(data.map((s) => num(B(s), 'infiniband.bth.psn'))).toEqual([...Array(npkts).keys()]);
      expect(data.map((s) => num(B(s), 'infiniband.bth.opcode'))).toEqual([
        ROCE_OPCODE.RC_SEND_FIRST,
        ...Array(npkts - 2).fill(ROCE_OPCODE.RC_SEND_MIDDLE),
        ROCE_OPCODE.RC_SEND_LAST,
      ]);
      expect(data.map((s) => tsharkField(B(s), 'infiniband.bth.a'))).toEqual([...Array(npkts - 1).fill('0'), '1']);
      const qp = num(B(data[0]), 'infiniband.bth.destqp');
      for (const s of data) {
        expect(num(B(s), 'infiniband.bth.destqp')).toBe(qp);
        expect(num(B(s), 'infiniband.bth.p_key')).toBe(0xffff);
        expect(num(B(s), 'infiniband.bth.padcnt')).toBe((4 - ((num(s.L, 'frame.len') - 58) % 4)) % 4);
      }
      const acks = roce.filter((s) => s.port === 'sw:e2' && s.frame.direction === 'rx');
      expect(acks.length).toBeGreaterThan(0);
      for (const s of acks) {
        expect(num(B(s), 'infiniband.bth.opcode')).toBe(ROCE_OPCODE.RC_ACKNOWLEDGE);
        expect(num(B(s), 'infiniband.bth.destqp')).toBe(qp - 1); // the sender's QP
        expect(num(B(s), 'infiniband.aeth.syndrome')).toBe(roceAethSyndrome(ROCE_AETH_TYPE.ACK, ROCE_AETH_CREDITS_INVALID));
      }
      expect(num(B(acks.at(-1)!), 'infiniband.bth.psn')).toBe(npkts - 1);
    });
  });

  describe('UET incast on a k=4 fat tree with ECN, trimming and PFC', () => {
    let cap: Captured;
    const SENDERS = ['h1', 'h4', 'h8', 'h12'];
    const RX = 'tor0:p0'; // toward h0: the congested egress
    const TX = 'tor0:p1'; // toward h1: its data arrives here, PFC pauses leave here
    const MTU = 4150;
    const FLOW_BYTES = 200_000;
    beforeAll(async () => {
      const spec = fatTree(4);
      const params = { queueBytes: 40_000, ecnMinBytes: 8_000, ecnMaxBytes: 30_000, trimming: true, pfcXoffBytes: 30_000, pfcXonBytes: 15_000 };
      const topo: TwinTopology = {
        devices: spec.nodes.map((n) => ({
          id: n.name,
          kind: n.role === 'switch' ? 'switch' : 'host',
          ports: n.ports,
          ...(n.role === 'switch' ? { params } : {}),
        })),
        links: spec.links.map((l) => ({
          a: { device: spec.nodes[l.a.node].name, port: spec.nodes[l.a.node].ports[l.a.port] },
          b: { device: spec.nodes[l.b.node].name, port: spec.nodes[l.b.node].ports[l.b.port] },
          rateBps: RATE_BPS,
          lengthKm: 0.2, // 1 us
        })),
      };
      const twin = buildTwin(topo, { seed: 1 });
      cap = await capture(twin, [RX, TX], () => {
        for (const h of SENDERS) {
          const n = twin.node(h)!;
          n.traffic!.setFlows([{ name: h, txPort: 'p0', rxPort: 'h0:p0', bytes: FLOW_BYTES, frameBytes: MTU, transport: 'uet' }]);
          n.traffic!.start();
        }
        twin.runFor(300 * US);
        for (const h of SENDERS) expect(twin.node(h)!.traffic!.metrics()[0].done).toBe(true);
      });
    });
    afterAll(() => cap && rmSync(cap.dir, { recursive: true, force: true }));

    const uet = (s: Seen) => parseUetPacket(s.parsed.payload);
    const isUet = (s: Seen) => s.parsed.udp?.dstPort === UET_UDP_PORT_DEFAULT;
    const at = (port: string, d: 'rx' | 'tx') => (s: Seen) => s.port === port && s.frame.direction === d;

    test('tshark decodes every frame; fields, counts and times agree with the model', () => {
      commonChecks(cap);
      for (const s of cap.seen.filter(isUet)) expect(tsharkField(s.L, 'frame.protocols')).toBe('eth:ethertype:ip:udp:data');
    });

    test('congestion shows: CE marks after marking, header-only frames for trims, PFC pauses', () => {
      const c = cap.counters.get(RX)!;
      const sent = cap.seen.filter(at(RX, 'tx'));
      const ce = sent.filter((s) => num(s.L.ip, 'ip.dsfield.ecn') === IP_ECN.CE);
      expect(ce.length).toBeGreaterThanOrEqual(c.after.ecnMarked! - c.before.ecnMarked!);
      expect(c.after.ecnMarked! - c.before.ecnMarked!).toBeGreaterThan(0);
      // data leaving the senders' NICs is never marked
      expect(cap.seen.filter(at(TX, 'rx')).every((s) => num(s.L.ip, 'ip.dsfield.ecn') === IP_ECN.ECT0)).toBe(true);
      const trimmed = sent.filter((s) => s.frame.originalLength !== undefined);
      expect(trimmed.length).toBeGreaterThanOrEqual(c.after.trims! - c.before.trims!);
      expect(c.after.trims! - c.before.trims!).toBeGreaterThan(0);
      for (const s of trimmed) {
        expect(num(s.L, 'frame.cap_len')).toBe(14 + 20 + 8 + 12); // through the PDS header
        expect(num(s.L, 'frame.len')).toBeGreaterThan(num(s.L, 'frame.cap_len'));
        expect(uet(s).pds.kind).toBe('request');
      }
      const pfc = cap.seen.filter((s) => s.parsed.pfc);
      expect(pfc.length).toBeGreaterThan(0);
      for (const s of pfc) {
        expect(s.parsed.eth.ethertype).toBe(ETHERTYPE.MAC_CONTROL);
        expect(s.port).toBe(TX);
        expect(s.frame.direction).toBe('tx');
      }
      // pause then resume, alternating
      expect(pfc.map((s) => s.parsed.pfc!.pauseQuanta[0])).toEqual(pfc.map((_, i) => (i % 2 === 0 ? 0xffff : 0)));
    });

    test('UET data: RUD requests with PSNs, SYN on the first packet until established, RETX on resends', () => {
      const data = cap.seen.filter(at(TX, 'rx')).filter(isUet);
      const npkts = Math.ceil(FLOW_BYTES / (MTU - 64));
      const reqs = data.map((s) => uet(s).pds as UetRequestHeader);
      for (const r of reqs) expect([r.type, r.nextHeader, r.kind]).toEqual([UET_PDS_TYPE.RUD_REQ, 0, 'request']);
      expect(new Set(reqs.map((r) => r.psn))).toEqual(new Set([...Array(npkts).keys()]));
      expect(data.every((s) => tsharkField(s.L.ip, 'ip.src') === ipv4Of(1) && tsharkField(s.L.ip, 'ip.dst') === ipv4Of(0))).toBe(true);
      expect(reqs[0].psn).toBe(0);
      expect(reqs[0].syn).toEqual({ pdcInfo: 0, psnOffset: 0 });
      const firstPlain = reqs.findIndex((r) => !r.syn);
      expect(firstPlain).toBeGreaterThan(0);
      expect(reqs.slice(firstPlain).every((r) => !r.syn)).toBe(true);
      for (const r of reqs.slice(0, firstPlain)) expect(r.startPsn).toBe(0);
      // SYN stops once an answer reached the sender: the first ACK or NACK sent toward h1 precedes it
      const firstAnswer = cap.seen.find((s) => at(TX, 'tx')(s) && isUet(s))!;
      expect(firstAnswer.frame.timePs).toBeLessThan(data[firstPlain].frame.timePs);
      const sentBefore = new Set<number>();
      let retx = 0;
      for (const r of reqs) {
        expect(r.retx).toBe(sentBefore.has(r.psn));
        if (r.retx) retx++;
        sentBefore.add(r.psn);
      }
      expect(retx).toBeGreaterThan(0);
      // the sender asks for an ACK on its last packet
      expect(reqs.find((r) => r.psn === npkts - 1)!.ackRequest).toBe(true);
    });

    test('UET NACKs name trimmed PSNs with code 0x01; ACK_CC carries a cumulative PSN that never goes back', () => {
      const trimmed = new Set(
        cap.seen.filter((s) => at(RX, 'tx')(s) && s.frame.originalLength !== undefined).map((s) => {
          const r = uet(s).pds as UetRequestHeader;
          return `${r.spdcid}/${r.psn}`;
        }),
      );
      const answers = cap.seen.filter(at(RX, 'rx')).filter(isUet);
      const nacks = answers.map((s) => uet(s).pds).filter((p): p is UetNackHeader => p.kind === 'nack');
      const acks = answers.map((s) => uet(s).pds).filter((p): p is UetAckHeader => p.kind === 'ack');
      expect(nacks.length).toBeGreaterThan(0);
      expect(nacks.length + acks.length).toBe(answers.length);
      for (const n of nacks) {
        expect(n.nackCode).toBe(UET_NACK_CODE.TRIMMED);
        expect(trimmed.has(`${n.spdcid}/${n.nackPsn}`)).toBe(true);
      }
      const cack = new Map<number, number>();
      for (const a of acks) {
        expect(a.type).toBe(UET_PDS_TYPE.ACK_CC);
        expect(a.cc?.ccType).toBe(UET_CC_TYPE.NSCC);
        const prev = cack.get(a.spdcid);
        const c = (a.cackPsn + 1) | 0; // next expected; -1 + 1 = 0 before anything arrived in order
        if (prev !== undefined) expect(c).toBeGreaterThanOrEqual(prev);
        cack.set(a.spdcid, c);
        if (a.cc!.sackBitmap !== 0n) expect(a.cc!.sackPsnOffset).toBeGreaterThan(0);
      }
      expect([...cack.values()].every((c) => c === Math.ceil(FLOW_BYTES / (MTU - 64)))).toBe(true);
      expect(acks.some((a) => a.ecnMarked)).toBe(true);
      expect(acks.some((a) => a.cc!.sackBitmap !== 0n)).toBe(true);
    });
  });
});
