// The OTG-like HTTP/JSON server of one twin node (traffic and capture), on loopback; the API subset is documented in otg-api.ts.
//
// Guarantees: requests are handled one at a time against the node (the twin is synchronous);
// a body is JSON of at most `maxBodyBytes` (default 16 MiB); every failure answers OTG's Error
// object with the HTTP status in `code`, and a twin error (a flow naming an unknown port, say)
// is a 400 validation error carrying the model's message; `stop()` closes every connection. The
// node is looked up at each request (`node()`); `reset()` forgets the flows and captures set on
// the node served before (lab-in-a-box calls it when it rebuilds the twin).
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { capturesToPcapng } from '../../fabric/pcapng.ts';
import type { TwinFrame, TwinNode } from '../../twin.ts';
import {
  OTG_PATHS,
  OTG_PCAPNG_TYPE,
  OtgApiError,
  flowFromOtg,
  flowToOtg,
  metricToOtg,
  type OtgCaptureJson,
  type OtgConfig,
  type OtgControlState,
  type OtgError,
  type OtgFlowSpec,
  type OtgMetricsRequest,
  type OtgMetricsResponse,
  type OtgPortMetric,
} from './otg-api.ts';

export interface OtgServerOptions {
  /** The node served now. */
  node: () => TwinNode;
  maxBodyBytes?: number;
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly kind: OtgError['kind'] = 'validation',
  ) {
    super(message);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class OtgServer {
  private readonly http: http.Server;
  private readonly sockets = new Set<Socket>();
  private flows: OtgFlowSpec[] = [];
  private running = false;
  private readonly capturing = new Set<string>();
  private readonly captured = new Map<string, TwinFrame[]>();
  private boundPort = 0;

  constructor(private readonly opts: OtgServerOptions) {
    this.http = http.createServer((req, res) => void this.handle(req, res));
    // Idle keep-alive connections stay open until the client closes them: a server that closes
    // one after an idle timeout races a client reusing it at that moment (the request then dies
    // with ECONNRESET), and lab clients keep a device's connection idle for seconds while a
    // binding opens the other devices.
    this.http.keepAliveTimeout = 0;
    this.http.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  /** Listens on 127.0.0.1 (a free port unless given) and returns the port. */
  start(opts: { host?: string; port?: number } = {}): Promise<number> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
        this.http.off('error', reject);
        this.boundPort = (this.http.address() as AddressInfo).port;
        resolve(this.boundPort);
      });
    });
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.boundPort}`;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => (this.http.listening ? this.http.close(() => resolve()) : resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private get node(): TwinNode {
    return this.opts.node();
  }

  /** Forgets flows, run state and captures (the node they were set on is gone). */
  reset(): void {
    this.flows = [];
    this.running = false;
    this.capturing.clear();
    this.captured.clear();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const path = (req.url ?? '/').split('?')[0];
      const known = Object.values(OTG_PATHS) as string[];
      if (!known.includes(path!)) throw new HttpFailure(404, `no such resource ${path} (this server offers ${known.join(', ')})`);
      if (path === OTG_PATHS.CONFIG && req.method === 'GET') return this.json(res, 200, this.config());
      if (req.method !== 'POST') throw new HttpFailure(405, `${req.method} ${path}: expected POST${path === OTG_PATHS.CONFIG ? ' or GET' : ''}`);
      const body = await this.body(req);
      switch (path) {
        case OTG_PATHS.CONFIG:
          this.setConfig(body as OtgConfig);
          return this.json(res, 200, { warnings: [] });
        case OTG_PATHS.CONTROL_STATE:
          this.control(body as OtgControlState);
          return this.json(res, 200, { warnings: [] });
        case OTG_PATHS.METRICS:
          return this.json(res, 200, this.metrics(body as OtgMetricsRequest));
        case OTG_PATHS.CAPTURE:
          return this.capture(req, res, body);
      }
    } catch (e) {
      const f =
        e instanceof HttpFailure
          ? e
          : e instanceof OtgApiError
            ? new HttpFailure(400, e.message)
            : new HttpFailure(400, `device "${this.node.id}": ${e instanceof Error ? e.message : String(e)}`);
      const err: OtgError = { code: f.status, kind: f.kind, errors: [f.message] };
      this.json(res, f.status, err);
    }
  }

  private body(req: http.IncomingMessage): Promise<unknown> {
    const limit = this.opts.maxBodyBytes ?? 16 * 1024 * 1024;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > limit) {
          reject(new HttpFailure(413, `request body larger than ${limit} bytes`));
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on('error', reject);
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (text.trim() === '') return resolve({});
        try {
          resolve(JSON.parse(text));
        } catch (e) {
          reject(new HttpFailure(400, `request body is not JSON: ${(e as Error).message}`));
        }
      });
    });
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private needTraffic(): NonNullable<TwinNode['traffic']> {
    return this.node.traffic ?? (() => { throw new HttpFailure(400, `device "${this.node.id}" (kind ${this.node.kind}) generates no traffic`); })();
  }

  private needCapture(): NonNullable<TwinNode['capture']> {
    return this.node.capture ?? (() => { throw new HttpFailure(400, `device "${this.node.id}" (kind ${this.node.kind}) cannot capture`); })();
  }

  private checkPort(port: unknown, field: string): string {
    if (typeof port !== 'string' || !this.node.ports.includes(port)) {
      throw new HttpFailure(404, `${field}: device "${this.node.id}" has no port ${JSON.stringify(port)} (ports: ${this.node.ports.join(', ')})`);
    }
    return port;
  }

  private config(): OtgConfig {
    return {
      ports: this.node.ports.map((p) => ({ name: p, location: `${this.node.id}:${p}` })),
      flows: this.flows.map(flowToOtg),
    };
  }

  private setConfig(body: OtgConfig): void {
    if (!isObject(body)) throw new HttpFailure(400, 'config: expected an object { ports, flows }');
    if (body.flows !== undefined && !Array.isArray(body.flows)) throw new HttpFailure(400, 'config.flows: expected a list');
    const flows = (body.flows ?? []).map(flowFromOtg);
    flows.forEach((f, i) => this.checkPort(f.txPort, `flows[${i}].tx_rx.port.tx_name`));
    this.needTraffic().setFlows(flows.map((f) => ({ ...f })));
    this.flows = flows;
    this.running = false;
  }

  private control(body: OtgControlState): void {
    if (!isObject(body)) throw new HttpFailure(400, 'control state: expected an object');
    if (body.choice === 'traffic' && body.traffic?.choice === 'flow_transmit') {
      const { flow_names: names = [], state } = body.traffic.flow_transmit ?? ({} as never);
      const all = this.flows.map((f) => f.name);
      if (names.length > 0 && (names.length !== all.length || !all.every((n) => names.includes(n)))) {
        throw new HttpFailure(400, `flow_transmit: the emulated generator starts and stops all its flows together (flow_names empty or ${all.join(', ')})`);
      }
      if (state === 'start') {
        this.needTraffic().start();
        this.running = true;
      } else if (state === 'stop') {
        this.needTraffic().stop();
        this.running = false;
      } else throw new HttpFailure(400, `flow_transmit.state: expected start or stop, got ${JSON.stringify(state)}`);
      return;
    }
    if (body.choice === 'port' && body.port?.choice === 'capture') {
      const { port_names: names, state } = body.port.capture ?? ({} as never);
      if (!Array.isArray(names) || names.length === 0) throw new HttpFailure(400, 'capture.port_names: expected a non-empty list');
      names.forEach((p, i) => this.checkPort(p, `capture.port_names[${i}]`));
      const capture = this.needCapture();
      if (state === 'start') {
        for (const p of names) {
          capture.start(p);
          this.capturing.add(p);
          this.captured.delete(p);
        }
      } else if (state === 'stop') {
        for (const p of names) {
          this.captured.set(p, capture.stop(p));
          this.capturing.delete(p);
        }
      } else throw new HttpFailure(400, `capture.state: expected start or stop, got ${JSON.stringify(state)}`);
      return;
    }
    throw new HttpFailure(400, "control state: expected choice 'traffic' (flow_transmit) or 'port' (capture)");
  }

  private metrics(body: OtgMetricsRequest): OtgMetricsResponse {
    if (!isObject(body)) throw new HttpFailure(400, 'metrics request: expected an object');
    if (body.choice === 'flow') {
      const names = body.flow?.flow_names ?? [];
      const all = this.needTraffic().metrics();
      const pick = names.length === 0 ? all : all.filter((m) => names.includes(m.name));
      return { choice: 'flow_metrics', flow_metrics: pick.map((m) => metricToOtg(m, this.running)) };
    }
    if (body.choice === 'port') {
      const names = body.port?.port_names ?? [];
      names.forEach((p, i) => this.checkPort(p, `port.port_names[${i}]`));
      const counters = this.node.counters ?? (() => { throw new HttpFailure(400, `device "${this.node.id}" has no port counters`); })();
      const ports = names.length === 0 ? [...this.node.ports] : names;
      const port_metrics: OtgPortMetric[] = ports.map((p) => {
        const c = counters.port(p);
        return { name: p, location: `${this.node.id}:${p}`, frames_tx: c.outPkts, frames_rx: c.inPkts, bytes_tx: c.outOctets, bytes_rx: c.inOctets };
      });
      return { choice: 'port_metrics', port_metrics };
    }
    throw new HttpFailure(400, "metrics request: expected choice 'flow' or 'port'");
  }

  private capture(req: http.IncomingMessage, res: http.ServerResponse, body: unknown): void {
    const port = this.checkPort(isObject(body) ? body.port_name : undefined, 'port_name');
    if (this.capturing.has(port)) throw new HttpFailure(400, `capture on ${port} is running: stop it first (control/state port.capture stop)`);
    const frames = this.captured.get(port);
    if (frames === undefined) throw new HttpFailure(404, `no stopped capture on ${port}`);
    if ((req.headers.accept ?? '').includes('application/json')) {
      const out: OtgCaptureJson = {
        port_name: port,
        frames: frames.map((f) => {
          const out: OtgCaptureJson['frames'][number] = { time_ps: f.timePs, direction: f.direction, bytes: Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength).toString('hex') };
          const original = (f as TwinFrame & { originalLength?: number }).originalLength;
          if (original !== undefined) out.original_length = original;
          return out;
        }),
      };
      return this.json(res, 200, out);
    }
    const file = capturesToPcapng([{ name: `${this.node.id}:${port}`, frames }], 'fabric-hil lab-in-a-box');
    res.writeHead(200, { 'content-type': OTG_PCAPNG_TYPE, 'content-length': file.byteLength });
    res.end(Buffer.from(file.buffer, file.byteOffset, file.byteLength));
  }
}
