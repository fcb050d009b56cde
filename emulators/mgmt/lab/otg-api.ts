// The OTG-like HTTP/JSON API of lab-in-a-box traffic ports: the subset of the Open Traffic Generator API we serve, its JSON shapes and their mapping to flows.
//
// Modelled on the Open Traffic Generator API (otg.yaml, https://github.com/open-traffic-generator/models)
// where practical; the subset, over HTTP/1.1 with JSON bodies (`Content-Type: application/json`):
//
//   GET  /config          -> OtgConfig              the ports and flows set last
//   POST /config          OtgConfig -> OtgWarnings  replaces the flows (ports are informative)
//   POST /control/state   OtgControlState -> OtgWarnings
//        { choice: 'traffic', traffic: { choice: 'flow_transmit',
//            flow_transmit: { flow_names: [], state: 'start' | 'stop' } } }
//              starts or stops every flow (flow_names empty or naming every flow: the emulated
//              generator starts and stops its flows together);
//        { choice: 'port', port: { choice: 'capture',
//            capture: { port_names: [...], state: 'start' | 'stop' } } }
//              starts capturing on the ports, or stops and keeps what was seen for POST /capture
//   POST /monitor/metrics OtgMetricsRequest -> OtgMetricsResponse
//        { choice: 'flow', flow: { flow_names: [] } }  -> { choice: 'flow_metrics', flow_metrics: [...] }
//        { choice: 'port', port: { port_names: [] } }  -> { choice: 'port_metrics', port_metrics: [...] }
//   POST /capture         { port_name } -> the frames of the port's last stopped capture:
//        `Accept: application/json` gives OtgCaptureJson (exact picosecond times and direction);
//        otherwise a pcapng file (application/vnd.tcpdump.pcapng; nanosecond times), as OTG does.
//
// Errors are OTG's Error object `{ code, kind: 'validation' | 'internal', errors: [text] }` with
// the HTTP status in `code` (400 bad request, 404 unknown path or port, 405 method, 413 body too
// large, 500 the twin failed). Counts are JSON numbers (a reader accepts decimal strings too, as
// protojson writes uint64). What OTG cannot say travels in an `x_fabric_hil` member: a flow's
// total bytes, start offset, transport (raw, uet, roce), entropies, multicast group and protocol
// attributes; a flow metric's completion, completion time and retransmission figures.
import type { TwinFlow, TwinFlowMetrics } from '../../twin.ts';

export const OTG_PATHS = {
  CONFIG: '/config',
  CONTROL_STATE: '/control/state',
  METRICS: '/monitor/metrics',
  CAPTURE: '/capture',
} as const;

export const OTG_PCAPNG_TYPE = 'application/vnd.tcpdump.pcapng';

/** Integers as JSON numbers or (protojson's uint64) decimal strings. */
export type OtgCount = number | string;

export interface OtgPort {
  name: string;
  /** Where the port is: `device:port` on lab-in-a-box. */
  location?: string;
}

export interface OtgFlow {
  name: string;
  tx_rx: { choice: 'port'; port: { tx_name: string; rx_names: string[] } };
  size?: { choice: 'fixed'; fixed: number };
  rate?: { choice: 'bps'; bps: OtgCount };
  duration?: { choice: 'fixed_packets'; fixed_packets: { packets: OtgCount } } | { choice: 'continuous' };
  x_fabric_hil?: {
    bytes?: OtgCount;
    start_ps?: number;
    transport?: 'raw' | 'uet' | 'roce';
    entropies?: number;
    multicast_group?: string;
    attributes?: Record<string, string | number | boolean>;
  };
}

export interface OtgConfig {
  ports?: OtgPort[];
  flows?: OtgFlow[];
}

export interface OtgWarnings {
  warnings: string[];
}

export interface OtgError {
  code: number;
  kind: 'validation' | 'internal';
  errors: string[];
}

export type OtgControlState =
  | { choice: 'traffic'; traffic: { choice: 'flow_transmit'; flow_transmit: { flow_names?: string[]; state: 'start' | 'stop' } } }
  | { choice: 'port'; port: { choice: 'capture'; capture: { port_names: string[]; state: 'start' | 'stop' } } };

export type OtgMetricsRequest = { choice: 'flow'; flow?: { flow_names?: string[] } } | { choice: 'port'; port?: { port_names?: string[] } };

export interface OtgFlowMetric {
  name: string;
  transmit: 'started' | 'stopped';
  frames_tx: OtgCount;
  frames_rx: OtgCount;
  bytes_tx: OtgCount;
  bytes_rx: OtgCount;
  /** Frames sent and not received, percent of frames sent. */
  loss?: number;
  x_fabric_hil?: { done: boolean; fct_ps?: number; retransmissions: number; out_of_order: number; lost_frames: number };
}

export interface OtgPortMetric {
  name: string;
  location?: string;
  frames_tx: OtgCount;
  frames_rx: OtgCount;
  bytes_tx: OtgCount;
  bytes_rx: OtgCount;
}

export type OtgMetricsResponse = { choice: 'flow_metrics'; flow_metrics: OtgFlowMetric[] } | { choice: 'port_metrics'; port_metrics: OtgPortMetric[] };

export interface OtgCaptureRequest {
  port_name: string;
}

export interface OtgCaptureJson {
  port_name: string;
  /** `original_length`: the frame's length on the wire when `bytes` holds only its headers (a trimmed packet). */
  frames: Array<{ time_ps: number; direction: 'rx' | 'tx'; /** hex */ bytes: string; original_length?: number }>;
}

/** The flow of the twin (structurally the device model's FlowSpec too). */
export type OtgFlowSpec = TwinFlow;

/** The flow metric of the twin (structurally the device model's FlowMetrics too). */
export type OtgFlowMetricsSpec = TwinFlowMetrics;

export class OtgApiError extends Error {
  override readonly name = 'OtgApiError';
}

/** An OtgCount as a safe integer; throws OtgApiError naming the field. */
export function otgCount(v: unknown, field: string): number {
  const n = typeof v === 'string' && /^[0-9]{1,16}$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new OtgApiError(`${field}: expected a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
}

/** A finite non-negative number (times in picoseconds need not be integers). */
export function otgNumber(v: unknown, field: string): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw new OtgApiError(`${field}: expected a finite number >= 0, got ${JSON.stringify(v)}`);
  return n;
}

export function flowToOtg(f: OtgFlowSpec): OtgFlow {
  const x: NonNullable<OtgFlow['x_fabric_hil']> = { bytes: f.bytes };
  if (f.startPs !== undefined) x.start_ps = f.startPs;
  if (f.transport !== undefined) x.transport = f.transport;
  if (f.entropies !== undefined) x.entropies = f.entropies;
  if (f.multicastGroup !== undefined) x.multicast_group = f.multicastGroup;
  if (f.attributes !== undefined) x.attributes = { ...f.attributes };
  const out: OtgFlow = { name: f.name, tx_rx: { choice: 'port', port: { tx_name: f.txPort, rx_names: [f.rxPort] } }, x_fabric_hil: x };
  if (f.frameBytes !== undefined) {
    out.size = { choice: 'fixed', fixed: f.frameBytes };
    out.duration = { choice: 'fixed_packets', fixed_packets: { packets: Math.ceil(f.bytes / f.frameBytes) } };
  }
  if (f.rateBps !== undefined) out.rate = { choice: 'bps', bps: f.rateBps };
  return out;
}

/** A flow from its OTG form; throws OtgApiError naming the first bad field. */
export function flowFromOtg(f: OtgFlow, i: number): OtgFlowSpec {
  const at = `flows[${i}]`;
  if (typeof f !== 'object' || f === null) throw new OtgApiError(`${at}: expected an object`);
  if (typeof f.name !== 'string' || f.name === '') throw new OtgApiError(`${at}.name: expected a non-empty string`);
  const port = f.tx_rx?.choice === 'port' ? f.tx_rx.port : undefined;
  if (!port || typeof port.tx_name !== 'string' || !Array.isArray(port.rx_names) || port.rx_names.length !== 1 || typeof port.rx_names[0] !== 'string') {
    throw new OtgApiError(`${at}.tx_rx: expected { choice: 'port', port: { tx_name, rx_names: [one port] } }`);
  }
  const spec: OtgFlowSpec = { name: f.name, txPort: port.tx_name, rxPort: port.rx_names[0], bytes: 0 };
  if (f.size !== undefined) {
    if (f.size.choice !== 'fixed') throw new OtgApiError(`${at}.size: only { choice: 'fixed' } is supported`);
    spec.frameBytes = otgCount(f.size.fixed, `${at}.size.fixed`);
  }
  if (f.rate !== undefined) {
    if (f.rate.choice !== 'bps') throw new OtgApiError(`${at}.rate: only { choice: 'bps' } is supported`);
    spec.rateBps = otgCount(f.rate.bps, `${at}.rate.bps`);
  }
  const x = f.x_fabric_hil ?? {};
  if (x.bytes !== undefined) spec.bytes = otgCount(x.bytes, `${at}.x_fabric_hil.bytes`);
  else if (f.duration?.choice === 'fixed_packets' && spec.frameBytes !== undefined) {
    spec.bytes = otgCount(f.duration.fixed_packets.packets, `${at}.duration.fixed_packets.packets`) * spec.frameBytes;
  } else throw new OtgApiError(`${at}: give x_fabric_hil.bytes, or size.fixed with duration.fixed_packets (the emulated generator sends finite flows)`);
  if (x.start_ps !== undefined) spec.startPs = otgNumber(x.start_ps, `${at}.x_fabric_hil.start_ps`);
  if (x.transport !== undefined) {
    if (!['raw', 'uet', 'roce'].includes(x.transport)) throw new OtgApiError(`${at}.x_fabric_hil.transport: expected raw, uet or roce`);
    spec.transport = x.transport;
  }
  if (x.entropies !== undefined) spec.entropies = otgCount(x.entropies, `${at}.x_fabric_hil.entropies`);
  if (x.multicast_group !== undefined) spec.multicastGroup = String(x.multicast_group);
  if (x.attributes !== undefined) spec.attributes = { ...x.attributes };
  return spec;
}

export function metricToOtg(m: OtgFlowMetricsSpec, running: boolean): OtgFlowMetric {
  const x: NonNullable<OtgFlowMetric['x_fabric_hil']> = { done: m.done, retransmissions: m.retransmissions, out_of_order: m.outOfOrder, lost_frames: m.lostFrames };
  if (m.fctPs !== undefined) x.fct_ps = m.fctPs;
  return {
    name: m.name,
    transmit: running && !m.done ? 'started' : 'stopped',
    frames_tx: m.txFrames,
    frames_rx: m.rxFrames,
    bytes_tx: m.txBytes,
    bytes_rx: m.rxBytes,
    loss: m.txFrames > 0 ? (100 * Math.max(0, m.txFrames - m.rxFrames)) / m.txFrames : 0,
    x_fabric_hil: x,
  };
}

export function metricFromOtg(m: OtgFlowMetric, i: number): OtgFlowMetricsSpec {
  const at = `flow_metrics[${i}]`;
  if (typeof m?.name !== 'string') throw new OtgApiError(`${at}.name: expected a string`);
  const x = m.x_fabric_hil;
  const txFrames = otgCount(m.frames_tx, `${at}.frames_tx`);
  const rxFrames = otgCount(m.frames_rx, `${at}.frames_rx`);
  const out: OtgFlowMetricsSpec = {
    name: m.name,
    txFrames,
    rxFrames,
    txBytes: otgCount(m.bytes_tx, `${at}.bytes_tx`),
    rxBytes: otgCount(m.bytes_rx, `${at}.bytes_rx`),
    // Without the extension, a stopped flow that lost nothing is complete.
    done: x ? x.done === true : m.transmit === 'stopped' && rxFrames === txFrames,
    retransmissions: x ? otgCount(x.retransmissions, `${at}.x_fabric_hil.retransmissions`) : 0,
    outOfOrder: x ? otgCount(x.out_of_order, `${at}.x_fabric_hil.out_of_order`) : 0,
    lostFrames: x ? otgCount(x.lost_frames, `${at}.x_fabric_hil.lost_frames`) : 0,
  };
  if (x?.fct_ps !== undefined) out.fctPs = otgNumber(x.fct_ps, `${at}.x_fabric_hil.fct_ps`);
  return out;
}
