// Client of the OTG-like HTTP/JSON API (the subset in emulators/mgmt/lab/otg-api.ts): config, control/state, monitor/metrics, capture.
//
// Guarantees: every request has a timeout (default 10 s) and fails with a typed error: OtgHttpError
// (the server's OTG Error object: status, kind, messages), OtgTimeoutError, OtgConnectError (no
// connection), OtgProtocolError (an answer that is not the JSON expected); a reply body is read
// up to `maxReplyBytes` (default 64 MiB). Connections are kept alive between requests.
import http from 'node:http';
import {
  OTG_PATHS,
  type OtgCaptureJson,
  type OtgConfig,
  type OtgControlState,
  type OtgError,
  type OtgMetricsRequest,
  type OtgMetricsResponse,
  type OtgWarnings,
} from '../../emulators/mgmt/lab/otg-api.ts';

export class OtgClientError extends Error {
  override name = 'OtgClientError';
}
/** The server answered with an error status. */
export class OtgHttpError extends OtgClientError {
  override name = 'OtgHttpError';
  constructor(
    readonly status: number,
    readonly kind: string,
    readonly errors: string[],
    what: string,
  ) {
    super(`OTG ${what}: HTTP ${status}${kind ? ` (${kind})` : ''}: ${errors.join('; ') || 'no message'}`);
  }
}
export class OtgTimeoutError extends OtgClientError {
  override name = 'OtgTimeoutError';
}
/** A kept-alive connection the server had closed: the request never reached it (retried once). */
class StaleConnectionError extends Error {}

export class OtgConnectError extends OtgClientError {
  override name = 'OtgConnectError';
}
export class OtgProtocolError extends OtgClientError {
  override name = 'OtgProtocolError';
}

export interface OtgClientOptions {
  /** Base URL, `http://host:port` (a path prefix is kept). */
  url: string;
  timeoutMs?: number;
  maxReplyBytes?: number;
}

export class OtgClient {
  private readonly base: URL;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  private readonly timeoutMs: number;

  constructor(private readonly opts: OtgClientOptions) {
    let u: URL;
    try {
      u = new URL(opts.url);
    } catch {
      throw new OtgClientError(`OTG url "${opts.url}" is not a URL (expected http://host:port)`);
    }
    if (u.protocol !== 'http:') throw new OtgClientError(`OTG url "${opts.url}": only http:// is supported`);
    this.base = u;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  get url(): string {
    return this.base.toString();
  }

  getConfig(): Promise<OtgConfig> {
    return this.json('GET', OTG_PATHS.CONFIG) as Promise<OtgConfig>;
  }

  setConfig(config: OtgConfig): Promise<OtgWarnings> {
    return this.json('POST', OTG_PATHS.CONFIG, config) as Promise<OtgWarnings>;
  }

  setControlState(state: OtgControlState): Promise<OtgWarnings> {
    return this.json('POST', OTG_PATHS.CONTROL_STATE, state) as Promise<OtgWarnings>;
  }

  async metrics(request: OtgMetricsRequest): Promise<OtgMetricsResponse> {
    const r = (await this.json('POST', OTG_PATHS.METRICS, request)) as OtgMetricsResponse;
    const list = r?.choice === 'flow_metrics' ? r.flow_metrics : r?.choice === 'port_metrics' ? r.port_metrics : undefined;
    if (!Array.isArray(list)) throw new OtgProtocolError(`OTG metrics: expected flow_metrics or port_metrics in the answer`);
    return r;
  }

  /** The frames of a port's last stopped capture, exact (JSON). */
  async captureJson(portName: string): Promise<OtgCaptureJson> {
    const r = (await this.json('POST', OTG_PATHS.CAPTURE, { port_name: portName })) as OtgCaptureJson;
    if (!Array.isArray(r?.frames)) throw new OtgProtocolError('OTG capture: expected { frames: [...] }');
    return r;
  }

  /** The same capture as a pcapng file. */
  async capturePcapng(portName: string): Promise<Uint8Array> {
    const { body } = await this.request('POST', OTG_PATHS.CAPTURE, { port_name: portName }, 'application/vnd.tcpdump.pcapng');
    return new Uint8Array(body);
  }

  close(): void {
    this.agent.destroy();
  }

  private async json(method: string, path: string, body?: unknown): Promise<unknown> {
    const { body: raw } = await this.request(method, path, body, 'application/json');
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch (e) {
      throw new OtgProtocolError(`OTG ${method} ${path}: the answer is not JSON (${(e as Error).message})`);
    }
  }

  /**
   * One HTTP exchange. A request that fails on a reused keep-alive connection before any answer
   * (the server closed the idle connection as the request went out: ECONNRESET or EPIPE) is sent
   * once more on a fresh connection; the server cannot have acted on it.
   */
  private async request(method: string, path: string, body: unknown, accept: string): Promise<{ status: number; body: Buffer }> {
    try {
      return await this.exchange(method, path, body, accept);
    } catch (e) {
      if (e instanceof StaleConnectionError) return this.exchange(method, path, body, accept, true);
      throw e;
    }
  }

  private exchange(method: string, path: string, body: unknown, accept: string, fresh = false): Promise<{ status: number; body: Buffer }> {
    const what = `${method} ${path}`;
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const limit = this.opts.maxReplyBytes ?? 64 * 1024 * 1024;
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (e: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        reject(e);
      };
      const req = http.request(
        url,
        {
          method,
          agent: fresh ? false : this.agent,
          headers: { accept, ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > limit) fail(new OtgProtocolError(`OTG ${what}: answer larger than ${limit} bytes`));
            else chunks.push(c);
          });
          res.on('error', (e) => fail(new OtgConnectError(`OTG ${what} to ${this.base.host}: ${e.message}`)));
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            const buf = Buffer.concat(chunks);
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) return resolve({ status, body: buf });
            let err: Partial<OtgError> = {};
            try {
              err = JSON.parse(buf.toString('utf8')) as OtgError;
            } catch {
              err = { errors: [buf.toString('utf8').slice(0, 200)] };
            }
            reject(new OtgHttpError(status, String(err.kind ?? ''), Array.isArray(err.errors) ? err.errors.map(String) : [], what));
          });
        },
      );
      const timer = setTimeout(() => fail(new OtgTimeoutError(`OTG ${what} to ${this.base.host}: no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      let answered = false;
      req.on('response', () => (answered = true));
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (!answered && req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) return fail(new StaleConnectionError(e.message));
        fail(new OtgConnectError(`OTG ${what} to ${this.base.host}: ${e.code === 'ECONNREFUSED' ? 'connection refused' : e.message}`));
      });
      req.end(payload);
    });
  }
}
