// Helpers of the scale-up suite: finding a protocol's supernode, running flows, capturing, decoding captures with the protocol codecs.
//
// A supernode is found by its switch: the first `scaleup-switch` whose /scaleup/protocol is the
// protocol asked for (a test without one is blocked); its accelerators are those of
// /scaleup/domain, each with its id and its port. Everything here works on the capability
// interfaces (state, config, traffic, capture), so the tests run on gear that serves the same
// paths as on the emulator.
import { expect, type Lab } from '../../harness/suite.ts';
import { WireError } from '../../protocols/wire.ts';
import { PcapngWriter } from '../../protocols/pcapng/writer.ts';
import { SCALEUP_PROTOCOL_NAMES, SCALEUP_UNCAPTURED_BYTES, type ScaleupProtocol } from '../../protocols/scaleup/efficiency.ts';
import { scaleupReadSignature, type ScaleupSignature } from '../../protocols/scaleup/signature.ts';
import { UalinkDlHeader, UalinkDlView, UalinkTlUnpacker, ualinkDlAccept, type UalinkTlMessage } from '../../protocols/ualink/index.ts';
import { SUE_RH_OPCODE_DEFAULT } from '../../protocols/sue/rh.ts';
import { parseSueFrame, type ParsedSueFrame } from '../../protocols/sue/frame.ts';
import { parseEsunFrame, esunXpuOfMac, type ParsedEsunFrame } from '../../protocols/esun/frame.ts';
import { parseEthlinkFrame, type ParsedEthlinkFrame } from '../../protocols/ethlink/frame.ts';
import { parseEthplusFrame, type ParsedEthplusFrame } from '../../protocols/ethplus/frame.ts';
import { parseEthxFrame, type ParsedEthxFrame } from '../../protocols/ethx/frame.ts';

export const PS_PER_US = 1e6;

/**
 * Runs a decoder on bytes a device sent: a malformed frame is the device's fault, so a WireError
 * fails the test (an assertion), it does not break it.
 */
export function wire<T>(what: string, decodeFn: () => T): T {
  try {
    return decodeFn();
  } catch (e) {
    if (e instanceof WireError) expect.fail(`malformed ${what}: ${e.message}`);
    throw e;
  }
}

/** A UALink DL flit, parsed (CRC checked). */
export function ualinkFlit(bytes: Uint8Array): UalinkDlHeader {
  return wire('UALink DL flit', () => UalinkDlHeader.parse(UalinkDlView.checked(bytes)));
}

/** A figure for the report: results must hold finite numbers (a run that produced nothing gives 0). */
export function finite(v: number): number {
  return Number.isFinite(v) ? v : 0;
}

/** What the helpers need of a device: structural, so any driver's device fits. */
export interface StateDevice {
  readonly id: string;
  state: { get(path: string): Promise<unknown> };
}
export interface ConfigDevice extends StateDevice {
  config: { edit(path: string, value: unknown, op?: 'merge' | 'replace' | 'delete'): Promise<void> };
}
export interface Flow {
  name: string;
  txPort: string;
  rxPort: string;
  bytes: number;
  frameBytes?: number;
  rateBps?: number;
  attributes?: Record<string, string | number | boolean>;
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
export interface TrafficDevice extends ConfigDevice {
  traffic: { setFlows(f: Flow[]): Promise<void>; start(): Promise<void>; stop(): Promise<void>; metrics(): Promise<FlowResult[]> };
}
export interface Frame {
  timePs: number;
  direction: 'rx' | 'tx';
  bytes: Uint8Array;
}
export interface CaptureDevice extends StateDevice {
  capture: { start(port: string): Promise<void>; stop(port: string): Promise<Frame[]> };
}
export type Accelerator = TrafficDevice & CaptureDevice & { counters: { port(p: string): Promise<{ inErrors: bigint; inDiscards: bigint }> }; faults: { inject(f: { kind: 'bit-errors'; port: string; ber: number } | { kind: 'loss'; port: string; rate: number }): Promise<string>; clear(h: string): Promise<void> } };

export interface Member {
  dev: Accelerator;
  id: number;
  /** The accelerator's scale-up port. */
  port: string;
}

export interface Supernode {
  protocol: ScaleupProtocol;
  sw: ConfigDevice & CaptureDevice & { counters: { port(p: string): Promise<{ inErrors: bigint; inDiscards: bigint }> } };
  accs: Member[];
}

/** The supernode of a protocol, or the test is blocked. */
export async function supernode(lab: Lab, protocol: ScaleupProtocol): Promise<Supernode> {
  for (const d of lab.devices('scaleup-switch')) {
    if (d.state === undefined) continue;
    if ((await d.state.get('/scaleup/protocol')) !== protocol) continue;
    const sw = lab.requireDevice(d.id, ['state', 'config', 'capture', 'counters']);
    const domain = (await sw.state.get('/scaleup/domain')) as Array<{ device: string; id: number }>;
    const accs: Member[] = [];
    for (const a of domain) {
      const dev = lab.requireDevice(a.device, ['state', 'config', 'traffic', 'capture', 'faults', 'counters']) as unknown as Accelerator;
      const ports = (await dev.state.get('/scaleup/ports')) as string[];
      accs.push({ dev, id: a.id, port: ports[0] });
    }
    if (accs.length < 2) lab.block(`the ${SCALEUP_PROTOCOL_NAMES[protocol]} supernode ${d.id} has ${accs.length} accelerator(s); the test needs 2`);
    return { protocol, sw: sw as unknown as Supernode['sw'], accs };
  }
  return lab.block(`the testbed has no ${SCALEUP_PROTOCOL_NAMES[protocol]} scale-up switch (scaleup-switch with /scaleup/protocol ${protocol})`);
}

/** The accelerator with the highest id. */
export function highest(sn: Supernode): Member {
  return sn.accs.reduce((a, b) => (b.id > a.id ? b : a));
}

/** A flow from `src` to `dst`. */
export function flow(name: string, src: Member, dst: Member, bytes: number, frameBytes: number, attributes?: Flow['attributes'], rateBps?: number): Flow {
  return { name, txPort: src.port, rxPort: `${dst.dev.id}:${dst.port}`, bytes, frameBytes, ...(attributes ? { attributes } : {}), ...(rateBps ? { rateBps } : {}) };
}

/**
 * Sets flows on their senders, starts them, and waits (device time) until all are done, or
 * `timeoutMs` passes (then returns what there is: the caller asserts). Flows are keyed `sender/name`.
 */
export async function runFlows(lab: Lab, plan: Array<{ from: Member; flows: Flow[] }>, timeoutMs = 5): Promise<Map<string, FlowResult>> {
  for (const p of plan) await p.from.dev.traffic.setFlows(p.flows);
  for (const p of plan) await p.from.dev.traffic.start();
  const all = async () => {
    const out = new Map<string, FlowResult>();
    for (const p of plan) for (const m of await p.from.dev.traffic.metrics()) out.set(`${p.from.dev.id}/${m.name}`, m);
    return out;
  };
  try {
    await lab.until(async () => [...(await all()).values()].every((m) => m.done), { timeoutMs, pollMs: timeoutMs / 1000, what: 'every flow done' });
  } catch {
    // The caller's assertions say what did not happen.
  }
  return all();
}

/** Runs `body` while capturing on the given ports; returns the frames per `device:port`. */
export async function capturing(ports: Array<{ dev: CaptureDevice; port: string }>, body: () => Promise<void>): Promise<Map<string, Frame[]>> {
  for (const p of ports) await p.dev.capture.start(p.port);
  const out = new Map<string, Frame[]>();
  try {
    await body();
  } finally {
    for (const p of ports) out.set(`${p.dev.id}:${p.port}`, await p.dev.capture.stop(p.port));
  }
  return out;
}

/** Captured frames as a pcapng attachment (LINKTYPE_USER0: scale-up frames are not all Ethernet). */
export function pcapngOf(captures: Map<string, Frame[]>): Uint8Array {
  const w = PcapngWriter.inMemory({ application: 'fabric-hil scaleup suite' });
  const names = [...captures.keys()];
  names.forEach((n) => {
    w.addInterface({ name: `${n}/rx`, linkType: 147 });
    w.addInterface({ name: `${n}/tx`, linkType: 147 });
  });
  const all = names.flatMap((n, i) => (captures.get(n) as Frame[]).map((f) => ({ f, i })));
  all.sort((a, b) => a.f.timePs - b.f.timePs);
  for (const { f, i } of all) w.writePacket(2 * i + (f.direction === 'rx' ? 0 : 1), f.timePs, f.bytes);
  return w.bytes();
}

export function tx(frames: Frame[]): Frame[] {
  return frames.filter((f) => f.direction === 'tx');
}
export function rx(frames: Frame[]): Frame[] {
  return frames.filter((f) => f.direction === 'rx');
}

/** Bytes the frames took on the wire (capture plus what the protocol puts outside it). */
export function wireBytes(protocol: ScaleupProtocol, frames: Frame[]): number {
  return frames.reduce((n, f) => n + f.bytes.length + SCALEUP_UNCAPTURED_BYTES[protocol], 0);
}

/**
 * The frames of a capture that carry data: UALink DL flits with TL flits, SUE and ESUN frames
 * with the DATA opcode, every frame of the others. (Acknowledgements and DL command flits answer
 * the other direction's traffic: a comparison of framing leaves them out for every protocol.)
 */
export function dataFrames(protocol: ScaleupProtocol, frames: Frame[]): Frame[] {
  if (protocol === 'ualink') return frames.filter((f) => ualinkFlit(f.bytes).tl.length > 0);
  if (protocol === 'sue' || protocol === 'esun') return frames.filter((f) => decode(protocol, f.bytes)[protocol]!.rh.opcode === SUE_RH_OPCODE_DEFAULT.DATA);
  return frames;
}

/** UPLI messages of one direction of a UALink capture, as its DL receiver takes them. */
export function ualinkMessages(frames: Frame[]): { messages: UalinkTlMessage[]; payloadFlits: number; tlFlits: number; controlFlits: number; skipped: number } {
  return wire('UALink TL stream', () => ualinkMessagesOf(frames));
}

function ualinkMessagesOf(frames: Frame[]): { messages: UalinkTlMessage[]; payloadFlits: number; tlFlits: number; controlFlits: number; skipped: number } {
  const { accepted, skipped } = ualinkDlAccept(frames.map((f) => f.bytes));
  const u = new UalinkTlUnpacker();
  const messages: UalinkTlMessage[] = [];
  let tlFlits = 0;
  let controlFlits = 0;
  for (const h of accepted) {
    for (const f of h.tl) {
      tlFlits++;
      if (f.control) controlFlits++;
      messages.push(...u.push(f));
    }
  }
  return { messages, payloadFlits: accepted.length, tlFlits, controlFlits, skipped };
}

/** A decoded frame of a frame-based protocol: ids, and the signatures of the units it carries. */
export interface Decoded {
  src: number;
  dst: number;
  /** Bytes before the first unit's data, and after the last (trailers). */
  headerBytes: number;
  units: Array<{ sig: ScaleupSignature | null; bytes: number }>;
  sue?: ParsedSueFrame;
  esun?: ParsedEsunFrame;
  ethlink?: ParsedEthlinkFrame;
  ethplus?: ParsedEthplusFrame;
  ethx?: ParsedEthxFrame;
}

/** Decodes a captured frame of SUE, ESUN, EthLink, ETH+ (with or without FCS) or ETH-X. */
export function decode(protocol: Exclude<ScaleupProtocol, 'ualink'>, bytes: Uint8Array, opts: { fcs?: boolean } = {}): Decoded {
  return wire(`${SCALEUP_PROTOCOL_NAMES[protocol]} frame`, () => decodeFrame(protocol, bytes, opts));
}

function decodeFrame(protocol: Exclude<ScaleupProtocol, 'ualink'>, bytes: Uint8Array, opts: { fcs?: boolean }): Decoded {
  const units = (datas: Uint8Array[]) => datas.map((d) => ({ sig: scaleupReadSignature(d), bytes: d.length }));
  switch (protocol) {
    case 'sue': {
      const p = parseSueFrame(bytes, { maxPduBytes: Infinity });
      const data = p.txns.flatMap((t) => (t.data ? [t.data] : []));
      return { src: p.afh.srcXpu, dst: p.afh.dstXpu, headerBytes: bytes.length - data.reduce((n, d) => n + d.length, 0), units: units(data), sue: p };
    }
    case 'esun': {
      const p = parseEsunFrame(bytes, { maxPduBytes: Infinity });
      const data = p.txns.flatMap((t) => (t.data ? [t.data] : []));
      return { src: esunXpuOfMac(p.eth.src) ?? -1, dst: esunXpuOfMac(p.eth.dst) ?? -1, headerBytes: bytes.length - data.reduce((n, d) => n + d.length, 0), units: units(data), esun: p };
    }
    case 'ethlink': {
      const p = parseEthlinkFrame(bytes);
      return { src: p.oefh.srcId, dst: p.oefh.dstId, headerBytes: bytes.length - p.data.length, units: units([p.data]), ethlink: p };
    }
    case 'ethplus': {
      const p = parseEthplusFrame(bytes, { fcs: opts.fcs ?? true });
      return { src: p.uid.srcUid, dst: p.uid.dstUid, headerBytes: bytes.length - p.payload.length, units: units([p.payload]), ethplus: p };
    }
    case 'ethx': {
      const p = parseEthxFrame(bytes);
      return { src: p.srcDevice, dst: p.pri.deviceId, headerBytes: bytes.length - p.data.length, units: units([p.data]), ethx: p };
    }
  }
}

/** Is the list consecutive (each value one more than the one before, modulo `mod`)? */
export function consecutive(values: readonly number[], mod: number): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] !== (values[i - 1] + 1) % mod) return false;
  return true;
}
