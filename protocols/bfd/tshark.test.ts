// Interop: tshark (Wireshark 4.0) decodes our BFD control packets to the values we sent.
//
// Checks, for Ethernet/IPv4/UDP 3784 in each state, with no authentication and with each RFC 5880
// §4.2-4.4 type, plus IPv6/UDP 3784 and multihop UDP 4784: tshark exits 0 with nothing on stderr,
// no expert info of warning or error severity, no malformed layer; UDP checksum good; bfd.version,
// bfd.diag, bfd.sta, the six flags, bfd.detect_time_multiplier, bfd.message_length, both
// discriminators, the three intervals (tshark 4.0 field values are microseconds, shown as
// "10 ms (10000 us)"), bfd.auth.type / len / key, the password, sequence number and digest
// (bfd.checksum); and that our parser reads the same packets back from the capture.
// Without tshark the suite is skipped, except under CI=true, where that is a failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildFrame, parseFrame, type FrameSpec } from '../frame.ts';
import { readPcapngFile } from '../pcapng/reader.ts';
import { tsharkField, tsharkFields, tsharkJson, tsharkVersion, type TsharkPacket } from '../pcapng/tshark.ts';
import { PcapngWriter } from '../pcapng/writer.ts';
import {
  BFD_DIAG,
  BFD_STATE,
  BFD_UDP_PORT_MULTI_HOP,
  BFD_UDP_PORT_SINGLE_HOP,
  BfdControlHeader,
  BfdControlView,
  bfdAuthTypeOf,
  type BfdAuth,
  type BfdControlInit,
} from './control.ts';

const MISSING = 'tshark not found on PATH: install the Debian package tshark (apt-get install -y --no-install-recommends tshark)';
const version = await tsharkVersion();
if (!version) {
  if (process.env.CI === 'true') {
    test('tshark is installed (required when CI=true)', () => {
      throw new Error(`${MISSING}; CI needs it for the BFD interop test`);
    });
  } else {
    console.warn(`${MISSING}; skipping the BFD interop test`);
  }
}

const MAC_A = '02:1a:c5:00:00:01';
const MAC_B = '02:1a:c5:00:00:02';
const SLOW = { desiredMinTxUs: 1_000_000, requiredMinRxUs: 1_000_000 }; // RFC 5880 §6.8.3: >= 1 s while not Up
const FAST = { desiredMinTxUs: 10_000, requiredMinRxUs: 20_000 };
const digest = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (seed + i * 7) & 0xff);
const auth = {
  simple: { kind: 'simple-password', keyId: 3, password: new TextEncoder().encode('fabric-hil') },
  md5: { kind: 'keyed-md5', keyId: 1, sequence: 0x10, digest: digest(16, 1) },
  mmd5: { kind: 'meticulous-keyed-md5', keyId: 2, sequence: 0xfffffffe, digest: digest(16, 2) },
  sha1: { kind: 'keyed-sha1', keyId: 4, sequence: 0x01020304, digest: digest(20, 3) },
  msha1: { kind: 'meticulous-keyed-sha1', keyId: 255, sequence: 1, digest: digest(20, 4) },
} satisfies Record<string, BfdAuth>;

interface Sent {
  init: BfdControlInit;
  ip?: 4 | 6;
  port?: number;
}

/** Discriminators and a detect multiplier of 3. */
const ids = (my: number, your = 0) => ({ detectMult: 3, myDiscriminator: my, yourDiscriminator: your });
const { ADMIN_DOWN, DOWN, INIT, UP } = BFD_STATE;

const SENT: Sent[] = [
  { init: { state: ADMIN_DOWN, diag: BFD_DIAG.ADMINISTRATIVELY_DOWN, ...ids(0x101), ...SLOW } },
  { init: { state: DOWN, diag: BFD_DIAG.CONTROL_DETECTION_TIME_EXPIRED, ...ids(0x102), ...SLOW } },
  { init: { state: INIT, final: true, controlPlaneIndependent: true, ...ids(0x103, 0x203), detectMult: 4, ...SLOW } },
  { init: { state: UP, poll: true, demand: true, ...ids(0xdeadbeef, 0xcafef00d), requiredMinEchoRxUs: 50_000, ...FAST } },
  { init: { state: DOWN, ...ids(0x105), detectMult: 5, ...SLOW, auth: auth.simple } },
  { init: { state: INIT, ...ids(0x106, 0x206), ...SLOW, auth: auth.md5 } },
  { init: { state: UP, ...ids(0x107, 0x207), ...FAST, auth: auth.mmd5 } },
  { init: { state: UP, final: true, ...ids(0x108, 0x208), ...FAST, auth: auth.sha1 } },
  { init: { state: ADMIN_DOWN, diag: BFD_DIAG.PATH_DOWN, ...ids(0x109), detectMult: 2, ...SLOW, auth: auth.msha1 } },
  { ip: 6, init: { state: UP, ...ids(0x10a, 0x20a), ...FAST } },
  { port: BFD_UDP_PORT_MULTI_HOP, init: { state: UP, diag: BFD_DIAG.NEIGHBOR_SIGNALED_SESSION_DOWN, ...ids(0x10b, 0x20b), ...FAST } },
];

const headers = SENT.map((s) => new BfdControlHeader(s.init));

function frameSpec(s: Sent, h: BfdControlHeader, i: number): FrameSpec {
  const payload = new Uint8Array(h.bufferLen());
  h.emit(BfdControlView.unchecked(payload));
  return {
    eth: { dst: MAC_B, src: MAC_A },
    // RFC 5881 §5: single-hop packets are sent with TTL / hop limit 255.
    ip:
      s.ip === 6
        ? { version: 6, src: '2001:db8:bfd::1', dst: '2001:db8:bfd::2', hopLimit: 255 }
        : { version: 4, src: '10.255.0.1', dst: '10.255.0.2', ttl: 255 },
    // RFC 5881 §4: source port in 49152..65535.
    udp: { srcPort: 49152 + i, dstPort: s.port ?? BFD_UDP_PORT_SINGLE_HOP },
    payload,
  };
}

const bit = (on: boolean) => (on ? '1' : '0');
const colonHex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');

describe.skipIf(!version)(`tshark ${version ?? ''} decodes our BFD control packets`, () => {
  const frames = SENT.map((s, i) => buildFrame(frameSpec(s, headers[i], i)));
  let dir: string;
  let file: string;
  let packets: TsharkPacket[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bfd-tshark-'));
    file = join(dir, 'bfd.pcapng');
    const w = PcapngWriter.toFile(file);
    const port = w.addInterface({ name: 'port1' });
    frames.forEach((f, i) => w.writePacket(port, (i + 1) * 1_000_000_000, f));
    w.close();
    packets = await tsharkJson(file); // throws on any stderr diagnostic
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('every frame is BFD; no expert warnings or errors; nothing malformed; UDP checksum good', () => {
    expect(packets.length).toBe(SENT.length);
    packets.forEach((p, i) => {
      const L = p._source.layers;
      expect(tsharkField(L, 'frame.protocols')).toBe(`eth:ethertype:${SENT[i].ip === 6 ? 'ipv6' : 'ip'}:udp:bfd`);
      const severities = tsharkFields(L, '_ws.expert.severity').map(Number);
      expect(severities.filter((s) => s >= 0x00600000)).toEqual([]); // PI_WARN and above
      expect(Object.keys(L)).not.toContain('_ws.malformed');
      expect(tsharkField(L.udp, 'udp.dstport')).toBe(String(SENT[i].port ?? BFD_UDP_PORT_SINGLE_HOP));
      expect(tsharkField(L.udp, 'udp.checksum.status')).toBe('1');
    });
  });

  test('mandatory section: version, diag, state, flags, multiplier, length, discriminators, intervals in µs', () => {
    packets.forEach((p, i) => {
      const B = p._source.layers.bfd;
      const h = headers[i];
      expect(tsharkField(B, 'bfd.version')).toBe('1');
      expect(Number(tsharkField(B, 'bfd.diag'))).toBe(h.diag);
      expect(Number(tsharkField(B, 'bfd.sta'))).toBe(h.state);
      expect(tsharkField(B, 'bfd.flags.p')).toBe(bit(h.poll));
      expect(tsharkField(B, 'bfd.flags.f')).toBe(bit(h.final));
      expect(tsharkField(B, 'bfd.flags.c')).toBe(bit(h.controlPlaneIndependent));
      expect(tsharkField(B, 'bfd.flags.a')).toBe(bit(h.auth !== undefined));
      expect(tsharkField(B, 'bfd.flags.d')).toBe(bit(h.demand));
      expect(tsharkField(B, 'bfd.flags.m')).toBe('0');
      expect(tsharkField(B, 'bfd.detect_time_multiplier')).toBe(String(h.detectMult));
      expect(tsharkField(B, 'bfd.message_length')).toBe(String(h.bufferLen()));
      expect(Number(tsharkField(B, 'bfd.my_discriminator'))).toBe(h.myDiscriminator);
      expect(Number(tsharkField(B, 'bfd.your_discriminator'))).toBe(h.yourDiscriminator);
      expect(tsharkField(B, 'bfd.desired_min_tx_interval')).toBe(String(h.desiredMinTxUs));
      expect(tsharkField(B, 'bfd.required_min_rx_interval')).toBe(String(h.requiredMinRxUs));
      expect(tsharkField(B, 'bfd.required_min_echo_interval')).toBe(String(h.requiredMinEchoRxUs));
    });
  });

  test('authentication sections: type, length, key id, password / sequence and digest', () => {
    const withAuth = headers.map((h, i) => [h.auth, packets[i]._source.layers.bfd] as const);
    expect(withAuth.filter(([a]) => a).length).toBe(5);
    for (const [a, B] of withAuth) {
      if (!a) {
        expect(tsharkField(B, 'bfd.auth.type')).toBeUndefined();
        continue;
      }
      if (a.kind === 'unknown') throw new Error('not sent');
      expect(tsharkField(B, 'bfd.auth.type')).toBe(String(bfdAuthTypeOf(a)));
      expect(tsharkField(B, 'bfd.auth.key')).toBe(String(a.keyId));
      if (a.kind === 'simple-password') {
        expect(tsharkField(B, 'bfd.auth.len')).toBe(String(3 + a.password.length));
        expect(tsharkField(B, 'bfd.auth.password')).toBe(new TextDecoder().decode(a.password));
      } else {
        expect(tsharkField(B, 'bfd.auth.len')).toBe(String(8 + a.digest.length));
        expect(Number(tsharkField(B, 'bfd.auth.seq_num'))).toBe(a.sequence);
        expect(tsharkField(B, 'bfd.checksum')).toBe(colonHex(a.digest));
      }
    }
  });

  test('our parser reads the capture back to the headers sent', () => {
    const cap = readPcapngFile(file);
    cap.packets.forEach((p, i) => {
      const f = parseFrame(p.data);
      expect(f.udp?.dstPort).toBe(SENT[i].port ?? BFD_UDP_PORT_SINGLE_HOP);
      expect(BfdControlHeader.parse(BfdControlView.checked(f.payload))).toEqual(headers[i]);
    });
  });
});
