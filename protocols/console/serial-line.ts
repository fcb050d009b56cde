// A serial port carrying console protocol lines, that reopens itself after the line drops.
//
// Shared by the console client (drivers/serial) and the console server (emulators/mgmt/serial).
// Guarantees: incoming bytes are split with ConsoleLineSplitter (so no line exceeds the protocol's
// limit); a drop (the device vanishes: USB unplugged, pty gone) is reported once, then the path
// is reopened with doubling delays until it opens or `reopenTimeoutMs` has passed; `close()`
// stops everything and no handler is called after it.
//
// A drop is seen three ways: serialport's 'close' with a disconnect error; a port error (a write
// that fails with EIO); and a watch on the path (a stat every `watchIntervalMs`) that sees it gone
// or naming another device. The watch is needed because serialport 13 does not always see a pty
// whose other end closed: when the hang-up comes before its first poll, reads return 0 bytes and
// it retries them forever, hot, without an error.
import { stat, type Stats } from 'node:fs';
import { SerialPort } from 'serialport';
import { ConsoleLineSplitter } from './console.ts';

export interface ConsoleLineOptions {
  path: string;
  /** Default 115200. */
  baudRate?: number;
  dataBits?: 5 | 6 | 7 | 8;
  stopBits?: 1 | 2;
  parity?: 'none' | 'even' | 'odd';
  /** How long to keep reopening after a drop; 0 never reopens. Default 10 000. */
  reopenTimeoutMs?: number;
  /** First reopen delay, doubled after each failed attempt up to `reopenMaxDelayMs`. Defaults 20 and 500. */
  reopenDelayMs?: number;
  reopenMaxDelayMs?: number;
  /** How often the path is checked while open; default 200. */
  watchIntervalMs?: number;
}

export interface ConsoleLineHandlers {
  /** A complete line, without terminator. */
  line(text: string): void;
  /** A line longer than the protocol allows was discarded. */
  tooLong?(): void;
  /** The line dropped; reopening starts (unless reopenTimeoutMs is 0). */
  dropped?(error: Error): void;
  /** The line is open again. */
  reopened?(): void;
  /** Reopening gave up; the line is closed for good. */
  lost?(error: Error): void;
}

export type ConsoleLineState = 'open' | 'reopening' | 'closed';

export class ConsoleLineError extends Error {
  override readonly name = 'ConsoleLineError';
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`console ${path}: ${message}`, options);
  }
}

export class ConsoleLine {
  private port: SerialPort | undefined;
  private current: ConsoleLineState = 'open';
  private readonly splitter = new ConsoleLineSplitter();
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly options: ConsoleLineOptions,
    private readonly handlers: ConsoleLineHandlers,
  ) {}

  /** Opens the path once (no retry: a wrong path fails at once with ConsoleLineError). */
  static async open(options: ConsoleLineOptions, handlers: ConsoleLineHandlers): Promise<ConsoleLine> {
    const line = new ConsoleLine(options, handlers);
    line.port = await line.openPort();
    return line;
  }

  get path(): string {
    return this.options.path;
  }

  get state(): ConsoleLineState {
    return this.current;
  }

  /** Writes one line and its "\n"; resolves once handed to the OS. */
  write(text: string): Promise<void> {
    const port = this.port;
    if (this.current !== 'open' || !port) {
      return Promise.reject(new ConsoleLineError(this.path, `cannot write: the line is ${this.current}`));
    }
    return new Promise((resolve, reject) => {
      port.write(`${text}\n`, 'latin1', (err) => (err ? reject(new ConsoleLineError(this.path, `write failed: ${err.message}`, { cause: err })) : resolve()));
    });
  }

  /** Closes the port and stops reopening; idempotent. */
  async close(): Promise<void> {
    this.current = 'closed';
    clearTimeout(this.timer);
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private openPort(): Promise<SerialPort> {
    const { path, baudRate = 115200, dataBits, stopBits, parity } = this.options;
    // Only the settings given: serialport takes an explicit undefined over its own default.
    const framing = Object.fromEntries(Object.entries({ dataBits, stopBits, parity }).filter(([, v]) => v !== undefined));
    const port = new SerialPort({ path, baudRate, ...framing, autoOpen: false });
    return new Promise((resolve, reject) => {
      port.open((err) => {
        if (err) return reject(new ConsoleLineError(path, `cannot open: ${err.message}`, { cause: err }));
        port.on('data', (chunk: Buffer) => this.receive(port, chunk));
        port.on('error', (portErr: Error) => this.drop(port, portErr));
        port.on('close', (closeErr?: Error) => this.drop(port, closeErr));
        stat(path, (statErr, st) => {
          if (statErr) this.drop(port, statErr);
          else this.watch(port, identity(st));
        });
        resolve(port);
      });
    });
  }

  /** Drops the line when its path vanishes or names another device. */
  private watch(port: SerialPort, opened: string): void {
    const timer = setInterval(() => {
      if (port !== this.port) return clearInterval(timer);
      stat(this.path, (err, st) => {
        if (err) this.drop(port, new Error(`${this.path} is gone`));
        else if (identity(st) !== opened) this.drop(port, new Error(`${this.path} names another device now`));
      });
    }, this.options.watchIntervalMs ?? 200);
    timer.unref();
    port.once('close', () => clearInterval(timer));
  }

  private receive(port: SerialPort, chunk: Buffer): void {
    if (port !== this.port || this.current !== 'open') return;
    for (const e of this.splitter.push(chunk)) {
      if ('line' in e) this.handlers.line(e.line);
      else this.handlers.tooLong?.();
    }
  }

  private drop(port: SerialPort, err: Error | undefined): void {
    if (port !== this.port || this.current !== 'open') return;
    this.port = undefined;
    if (port.isOpen) port.close(() => {}); // also ends serialport's read loop
    this.splitter.reset();
    const reason = new ConsoleLineError(this.path, `line dropped${err ? `: ${err.message}` : ''}`, { cause: err });
    const { reopenTimeoutMs = 10_000, reopenDelayMs = 20, reopenMaxDelayMs = 500 } = this.options;
    if (reopenTimeoutMs <= 0) {
      this.current = 'closed';
      this.handlers.dropped?.(reason);
      this.handlers.lost?.(reason);
      return;
    }
    this.current = 'reopening';
    this.handlers.dropped?.(reason);
    const deadline = Date.now() + reopenTimeoutMs;
    const attempt = (delayMs: number): void => {
      this.timer = setTimeout(() => {
        this.openPort().then(
          (reopened) => {
            if (this.current !== 'reopening') {
              reopened.close();
              return;
            }
            this.port = reopened;
            this.current = 'open';
            this.handlers.reopened?.();
          },
          (openErr: ConsoleLineError) => {
            if (this.current !== 'reopening') return;
            if (Date.now() >= deadline) {
              this.current = 'closed';
              const last = openErr.cause instanceof Error ? openErr.cause.message : openErr.message;
              this.handlers.lost?.(new ConsoleLineError(this.path, `line dropped and did not come back within ${reopenTimeoutMs} ms (last open: ${last})`));
              return;
            }
            attempt(Math.min(delayMs * 2, reopenMaxDelayMs, Math.max(0, deadline - Date.now())));
          },
        );
      }, delayMs);
    };
    attempt(reopenDelayMs);
  }
}

function identity(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.rdev}`;
}
