// Console client: requests over a serial console line (protocols/console), with timeouts, resync and reopen.
//
// Guarantees:
// - one request at a time, in call order; each gets the next response line or fails within its
//   timeout (ConsoleTimeoutError), counted from when it is written;
// - after a timeout the next request first resynchronises with `echo <token>` and drops every line
//   before `ok <token>`, so a late answer is never taken for another request's;
// - when the line drops, the request in flight fails at once with ConsoleLineError; later requests
//   wait for the reopen (bounded by reopenTimeoutMs; ConsoleLineError when it gives up or after
//   close()), and the first one after it resynchronises too, since the other end may come back later;
// - an `err` answer is ConsoleError(code, message); an answer that is not protocol is
//   ConsoleProtocolError.
import { randomBytes } from 'node:crypto';
import {
  CONSOLE_MAX_LINE,
  consoleErrorName,
  formatConsoleRequest,
  parseConsoleHex,
  parseConsoleResponse,
  type ConsoleRequest,
  type ConsoleResponse,
} from '../../protocols/console/console.ts';
import { ConsoleLine, ConsoleLineError, type ConsoleLineOptions } from '../../protocols/console/serial-line.ts';

export { ConsoleLineError };

export interface ConsoleClientOptions extends Omit<ConsoleLineOptions, 'reopenDelayMs' | 'reopenMaxDelayMs'> {
  /** Per request; default 2000. */
  timeoutMs?: number;
}

/** The bridge answered `err <code> <message>`. */
export class ConsoleError extends Error {
  override readonly name = 'ConsoleError';
  constructor(
    readonly code: number,
    readonly detail: string,
    readonly context: { path?: string; request?: string } = {},
  ) {
    const where = [context.path && `console ${context.path}`, context.request && `"${context.request}"`].filter(Boolean).join(': ');
    super(`${where ? `${where}: ` : ''}err ${code} (${consoleErrorName(code)})${detail ? `: ${detail}` : ''}`);
  }
}

/** No answer within the request's timeout. */
export class ConsoleTimeoutError extends Error {
  override readonly name = 'ConsoleTimeoutError';
  constructor(
    readonly path: string,
    readonly request: string,
    readonly timeoutMs: number,
  ) {
    super(`console ${path}: no answer to "${request}" within ${timeoutMs} ms`);
  }
}

/** The bridge answered something that is not the protocol. */
export class ConsoleProtocolError extends Error {
  override readonly name = 'ConsoleProtocolError';
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`console ${path}: ${message}`, options);
  }
}

interface Waiter {
  resolve(line: string): void;
  reject(err: Error): void;
}

export class ConsoleClient {
  private line!: ConsoleLine;
  private waiter: Waiter | undefined;
  /** Lines that came while nobody waited (several can come in one chunk); bounded. */
  private inbox: string[] = [];
  private openWaiters: Waiter[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private desynced = false;
  /** The answer of the last resync; copies of it (from repeated echoes) are dropped. */
  private staleEcho: string | undefined;
  private closed = false;
  private lostError: Error | undefined;

  private constructor(
    readonly path: string,
    readonly timeoutMs: number,
  ) {}

  static async open(options: ConsoleClientOptions): Promise<ConsoleClient> {
    const { timeoutMs = 2000, ...lineOptions } = options;
    if (!(timeoutMs > 0)) throw new RangeError(`console: timeoutMs must be > 0, got ${timeoutMs}`);
    const client = new ConsoleClient(options.path, timeoutMs);
    client.line = await ConsoleLine.open(lineOptions, {
      line: (text) => client.onLine(text),
      tooLong: () => client.fail(new ConsoleProtocolError(client.path, `answer longer than ${CONSOLE_MAX_LINE} characters`)),
      dropped: (err) => client.onDropped(err),
      reopened: () => client.settleOpenWaiters(),
      lost: (err) => {
        client.lostError = err;
        client.settleOpenWaiters(err);
      },
    });
    return client;
  }

  /** 'open', 'reopening' (the line dropped and is being reopened) or 'closed'. */
  get state(): 'open' | 'reopening' | 'closed' {
    return this.closed ? 'closed' : this.line.state;
  }

  /** Sends one raw request line and returns the parsed answer (`err` answers are returned, not thrown). */
  request(line: string): Promise<ConsoleResponse> {
    if (line.length > CONSOLE_MAX_LINE || !/^[\x20-\x7e]*$/.test(line)) {
      return Promise.reject(new RangeError(`console: a request is one line of printable ASCII, at most ${CONSOLE_MAX_LINE} characters`));
    }
    const run = (): Promise<ConsoleResponse> => this.exchange(line);
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => {});
    return result;
  }

  /** `id`: the bridge's identification text. */
  async identify(): Promise<string> {
    return this.call({ op: 'id' });
  }

  /** Reads `len` (1-128) bytes at bank/page/offset; values out of range throw ConsoleWireError before sending. */
  async read(bank: number, page: number, offset: number, len: number): Promise<Uint8Array> {
    const req: ConsoleRequest = { op: 'rd', bank, page, offset, len };
    const text = await this.call(req);
    try {
      return parseConsoleHex(text, len);
    } catch (err) {
      throw new ConsoleProtocolError(this.path, `"${formatConsoleRequest(req)}" answered "ok ${text.slice(0, 40)}": ${(err as Error).message}`, { cause: err });
    }
  }

  /** Writes 1-128 bytes at bank/page/offset; values out of range throw ConsoleWireError before sending. */
  async write(bank: number, page: number, offset: number, data: Uint8Array): Promise<void> {
    await this.call({ op: 'wr', bank, page, offset, data });
  }

  /** Closes the line; waiting requests fail with ConsoleLineError. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new ConsoleLineError(this.path, 'client closed');
    this.fail(err);
    this.settleOpenWaiters(err);
    await this.line.close();
  }

  private async call(req: ConsoleRequest): Promise<string> {
    const line = formatConsoleRequest(req);
    const res = await this.request(line);
    if (!res.ok) throw new ConsoleError(res.code, res.message, { path: this.path, request: line });
    return res.text;
  }

  private async exchange(line: string): Promise<ConsoleResponse> {
    await this.ready();
    if (this.desynced) await this.resync(line);
    const answer = await this.send(line, this.timeoutMs);
    try {
      return parseConsoleResponse(answer);
    } catch (err) {
      throw new ConsoleProtocolError(this.path, `"${line}" answered "${answer.slice(0, 60)}", which is not a response`, { cause: err });
    }
  }

  /** Waits while the line is being reopened. */
  private ready(): Promise<void> {
    if (this.closed) return Promise.reject(new ConsoleLineError(this.path, 'client closed'));
    if (this.lostError) return Promise.reject(this.lostError);
    if (this.line.state === 'open') return Promise.resolve();
    return new Promise((resolve, reject) => this.openWaiters.push({ resolve: () => resolve(), reject }));
  }

  /**
   * Sends `echo <token>` (again every quarter timeout, in case the other end was not listening
   * yet) and drops lines until `ok <token>`: a late answer to a timed-out request goes with them.
   * Later copies of that answer are dropped when they come.
   */
  private async resync(forRequest: string): Promise<void> {
    const token = `sync-${randomBytes(6).toString('hex')}`;
    const answer = `ok ${token}`;
    const deadline = Date.now() + this.timeoutMs;
    this.inbox = [];
    const again = setInterval(() => this.line.write(`echo ${token}`).catch(() => {}), Math.max(50, this.timeoutMs / 4));
    try {
      await this.line.write(`echo ${token}`);
      for (;;) {
        const left = deadline - Date.now();
        const line = left > 0 ? await this.receive(left).catch((err: Error) => err) : undefined;
        if (line === undefined || line instanceof ConsoleTimeoutError) throw new ConsoleTimeoutError(this.path, forRequest, this.timeoutMs);
        if (line instanceof Error) throw line;
        if (line === answer) break;
      }
    } finally {
      clearInterval(again);
    }
    this.staleEcho = answer;
    this.desynced = false;
  }

  private async send(line: string, timeoutMs: number): Promise<string> {
    this.inbox = []; // in sync, anything already here answers nothing we asked
    const answer = this.receive(timeoutMs, line);
    // The line can drop while the write is pending, rejecting `answer` before our caller awaits it:
    // mark it handled here so that is not an unhandled rejection (the caller still gets the error).
    answer.catch(() => {});
    await this.line.write(line).catch((err: Error) => this.fail(err));
    return answer;
  }

  /** The next non-empty line, or ConsoleTimeoutError (which marks the line desynchronised). */
  private receive(timeoutMs: number, request = 'echo'): Promise<string> {
    const queued = this.inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        this.desynced = true;
        reject(new ConsoleTimeoutError(this.path, request, timeoutMs));
      }, timeoutMs);
      this.waiter = {
        resolve: (text) => {
          clearTimeout(timer);
          resolve(text);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
    });
  }

  private onLine(text: string): void {
    if (text === '' || text === this.staleEcho) return;
    const w = this.waiter;
    this.waiter = undefined;
    if (w) w.resolve(text);
    else if (this.inbox.push(text) > 64) this.inbox.shift();
  }

  private onDropped(err: Error): void {
    this.desynced = true; // after the reopen, make sure the other end listens before the next request
    this.inbox = [];
    this.fail(new ConsoleLineError(this.path, `${err.message.replace(`console ${this.path}: `, '')} while waiting for an answer; reopening`, { cause: err }));
  }

  private fail(err: Error): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(err);
  }

  private settleOpenWaiters(err?: Error): void {
    const waiters = this.openWaiters;
    this.openWaiters = [];
    for (const w of waiters) (err ? w.reject(err) : w.resolve(''));
  }
}
