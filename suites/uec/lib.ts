// Shared steps of the Ultra Ethernet suite: finding the UEC fabric in the testbed, running flows to completion, decoding UET captures.
//
// The fabric is found from the testbed alone (kinds and links), so the suite runs on any lab with
// the same shape: leaves are the switches cabled to uec-nic endpoints, spines the switches cabled
// to leaves that have no NIC of their own; UET traffic generators are traffic-generators cabled to
// a leaf. Captured frames are decoded with protocols/ (Ethernet, IPv4, UDP, UET).
import type { Lab } from '../../harness/suite.ts';
import { parseFrame, type ParsedFrame } from '../../protocols/frame.ts';
import { UET_UDP_PORT_DEFAULT } from '../../protocols/uet/encap.ts';
import { parseUetPacket, type UetPacket } from '../../protocols/uet/packet.ts';
import type { UetAckHeader } from '../../protocols/uet/ack.ts';
import type { UetCtrlHeader } from '../../protocols/uet/ctrl.ts';
import type { UetNackHeader } from '../../protocols/uet/nack.ts';
import type { UetRequestHeader } from '../../protocols/uet/request.ts';

type AnyDevice = ReturnType<Lab['devices']>[number];

export const LINE_BPS = 100e9;
/** Full-size frames of the suite's flows (4096 B of payload plus the UET headers, as the reference fabric). */
export const FRAME_BYTES = 4150;
/** The UDP port UET is expected on (protocol-facts: 4793 by default, a testbed parameter). */
export const UET_PORT = UET_UDP_PORT_DEFAULT;

export interface NicAttachment {
  nic: string;
  nicPort: string;
  leaf: string;
  leafPort: string;
}

export interface UecFabric {
  nics: NicAttachment[];
  /** UET traffic generators cabled to a leaf. */
  generators: NicAttachment[];
  leaves: string[];
  spines: string[];
  /** Leaf ports toward spines: [leaf port, spine, spine port]. */
  uplinks(leaf: string): Array<[string, string, string]>;
}

const SWITCH_KINDS = ['uec-switch', 'switch'];

/** The UEC fabric of the testbed; blocks the test when it lacks what `need` asks for. */
export function uecFabric(lab: Lab, need: { nicsPerLeaf?: number; leaves?: number; spines?: number; generators?: number } = {}): UecFabric {
  const nics = lab.devices('uec-nic');
  const switches = lab.devices().filter((d) => SWITCH_KINDS.includes(d.kind));
  const attachments: NicAttachment[] = [];
  for (const n of nics) {
    for (const s of switches) {
      const l = lab.links(n.id, s.id)[0];
      if (l !== undefined) {
        attachments.push({ nic: n.id, nicPort: l[0], leaf: s.id, leafPort: l[1] });
        break;
      }
    }
  }
  const leaves = [...new Set(attachments.map((a) => a.leaf))];
  const spines = switches.filter((s) => !leaves.includes(s.id) && leaves.some((l) => lab.links(l, s.id).length > 0)).map((s) => s.id);
  const generators: NicAttachment[] = [];
  for (const g of lab.devices('traffic-generator')) {
    for (const l of leaves) {
      const link = lab.links(g.id, l)[0];
      if (link !== undefined) generators.push({ nic: g.id, nicPort: link[0], leaf: l, leafPort: link[1] });
    }
  }
  const perLeaf = Math.min(...leaves.map((l) => attachments.filter((a) => a.leaf === l).length));
  const problems: string[] = [];
  if (leaves.length < (need.leaves ?? 1)) problems.push(`${leaves.length} leaf switch(es) with uec-nic endpoints, ${need.leaves ?? 1} needed`);
  if (leaves.length > 0 && perLeaf < (need.nicsPerLeaf ?? 1)) problems.push(`${perLeaf} uec-nic per leaf, ${need.nicsPerLeaf ?? 1} needed`);
  if (spines.length < (need.spines ?? 0)) problems.push(`${spines.length} spine switch(es), ${need.spines} needed`);
  if (generators.length < (need.generators ?? 0)) problems.push(`${generators.length} traffic generator(s) on a leaf, ${need.generators} needed`);
  if (problems.length > 0) lab.block(`testbed ${lab.testbedName} has no UEC fabric for this test: ${problems.join('; ')}`);
  return {
    nics: attachments,
    generators,
    leaves,
    spines,
    uplinks: (leaf) => spines.flatMap((s) => lab.links(leaf, s).map(([lp, sp]): [string, string, string] => [lp, s, sp])),
  };
}

/** The NICs of one leaf, in testbed order. */
export function nicsOn(f: UecFabric, leaf: string): NicAttachment[] {
  return f.nics.filter((n) => n.leaf === leaf);
}

export interface FlowResult {
  name: string;
  txFrames: number;
  rxFrames: number;
  txBytes: number;
  rxBytes: number;
  done: boolean;
  fctPs?: number;
  retransmissions: number;
  outOfOrder: number;
  lostFrames: number;
}

/** Goodput of a completed flow, b/s. */
export function goodputBps(m: FlowResult): number {
  return m.fctPs ? (m.rxBytes * 8) / (m.fctPs / 1e12) : 0;
}

/** Starts the flows set on `devices` and waits (device time) until every one is done. */
export async function runToCompletion(lab: Lab, devices: readonly AnyDevice[], timeoutMs: number, what: string): Promise<FlowResult[]> {
  for (const d of devices) await d.traffic!.start();
  return lab.until(
    async () => {
      const all: FlowResult[] = [];
      for (const d of devices) all.push(...(await d.traffic!.metrics()));
      return all.length > 0 && all.every((m) => m.done) ? all : null;
    },
    { timeoutMs, pollMs: Math.max(timeoutMs / 400, 0.005), what },
  );
}

/** A captured frame decoded down to UET, or null when it is not UET. */
export interface UetFrame {
  timePs: number;
  direction: 'rx' | 'tx';
  /** The frame's length on the wire (a trimmed frame's original length). */
  wireLen: number;
  trimmed: boolean;
  frame: ParsedFrame;
  uet: UetPacket;
  /** Bytes after UDP (PDS header onward) as captured. */
  udpPayload: Uint8Array;
}

export function decodeUet(f: { timePs: number; direction: 'rx' | 'tx'; bytes: Uint8Array; originalLength?: number }, port = UET_PORT): UetFrame | null {
  let bytes = f.bytes;
  const trimmed = f.originalLength !== undefined && f.originalLength > f.bytes.length;
  if (trimmed) {
    // A trimmed frame is captured as its headers: decode it at its original length.
    const whole = new Uint8Array(f.originalLength!);
    whole.set(f.bytes);
    bytes = whole;
  }
  const frame = parseFrame(bytes, { checksums: trimmed ? 'ignore' : 'verify' });
  if (frame.udp?.dstPort !== port) return null;
  return { timePs: f.timePs, direction: f.direction, wireLen: bytes.length, trimmed, frame, uet: parseUetPacket(frame.payload), udpPayload: frame.payload };
}

export function isRequest(u: UetFrame): u is UetFrame & { uet: { pds: UetRequestHeader } } {
  return u.uet.pds.kind === 'request';
}
export function isAck(u: UetFrame): u is UetFrame & { uet: { pds: UetAckHeader } } {
  return u.uet.pds.kind === 'ack';
}
export function isNack(u: UetFrame): u is UetFrame & { uet: { pds: UetNackHeader } } {
  return u.uet.pds.kind === 'nack';
}
export function isCtrl(u: UetFrame): u is UetFrame & { uet: { pds: UetCtrlHeader } } {
  return u.uet.pds.kind === 'ctrl';
}

/** Captures `port` of `dev` while `body` runs; returns the UET frames (others are skipped). */
export async function captureUet(dev: AnyDevice, port: string, body: () => Promise<void>): Promise<UetFrame[]> {
  await dev.capture!.start(port);
  let frames: Awaited<ReturnType<NonNullable<AnyDevice['capture']>['stop']>> = [];
  try {
    await body();
  } finally {
    frames = await dev.capture!.stop(port);
  }
  return frames.map((f) => decodeUet(f)).filter((u): u is UetFrame => u !== null);
}
