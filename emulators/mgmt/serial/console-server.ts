// Console server for lab-in-a-box: serves the console line protocol on a serial port from a memory provider.
//
// Guarantees: requests are answered one at a time, in arrival order, one line each (a slow
// provider delays the answers behind it, as a real bridge would); empty lines get no answer; a
// provider error becomes `err <code>`: ConsoleMemoryError picks the code, anything else is
// 6 (failed); the line is reopened after a drop (the pty or adapter comes back), and answers to
// requests from before the drop are discarded: requests on the reopened line do not wait for them.
import {
  CONSOLE_ERR,
  ConsoleWireError,
  consoleHex,
  consoleText,
  formatConsoleResponse,
  parseConsoleRequest,
  type ConsoleResponse,
} from '../../../protocols/console/console.ts';
import { ConsoleLine, type ConsoleLineOptions } from '../../../protocols/console/serial-line.ts';

/** Module memory as CMIS addresses it; calls may be async and come one at a time (but see line drops above). */
export interface ConsoleMemory {
  /** Exactly `len` bytes. */
  read(bank: number, page: number, offset: number, len: number): Uint8Array | Promise<Uint8Array>;
  write(bank: number, page: number, offset: number, data: Uint8Array): void | Promise<void>;
}

/** Thrown by a memory provider to answer `err <code> <message>` (CONSOLE_ERR: 3 read-only, 4 busy, 5 no module, ...). */
export class ConsoleMemoryError extends Error {
  override readonly name = 'ConsoleMemoryError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ConsoleServerOptions extends Omit<ConsoleLineOptions, 'reopenDelayMs' | 'reopenMaxDelayMs'> {
  memory: ConsoleMemory;
  /** The `id` answer; default 'fabric-hil console bridge'. */
  id?: string;
  /** Provider failures and lost lines, for logs. */
  onError?: (error: Error) => void;
}

export class ConsoleServer {
  private line!: ConsoleLine;
  private queue: Promise<void> = Promise.resolve();
  /** Counts line drops: work queued before a drop must not answer on the reopened line. */
  private generation = 0;

  private constructor(private readonly options: ConsoleServerOptions) {}

  static async open(options: ConsoleServerOptions): Promise<ConsoleServer> {
    const server = new ConsoleServer(options);
    server.line = await ConsoleLine.open(
      { reopenTimeoutMs: 60_000, ...options },
      {
        line: (text) => text !== '' && server.enqueue(() => server.answer(text)),
        tooLong: () => server.enqueue(async () => ({ ok: false, code: CONSOLE_ERR.SYNTAX, message: 'line too long' })),
        dropped: () => {
          server.generation++;
          server.queue = Promise.resolve();
        },
        lost: (err) => options.onError?.(err),
      },
    );
    return server;
  }

  get state(): 'open' | 'reopening' | 'closed' {
    return this.line.state;
  }

  async close(): Promise<void> {
    await this.line.close();
  }

  private enqueue(work: () => Promise<ConsoleResponse>): void {
    const generation = this.generation;
    this.queue = this.queue.then(async () => {
      if (generation !== this.generation) return;
      const res = await work();
      if (generation !== this.generation || this.line.state !== 'open') return; // asked on a line that dropped
      await this.line.write(formatConsoleResponse(res)).catch((err: Error) => this.options.onError?.(err));
    });
  }

  private async answer(text: string): Promise<ConsoleResponse> {
    const { memory } = this.options;
    try {
      const req = parseConsoleRequest(text);
      switch (req.op) {
        case 'id':
          return { ok: true, text: consoleText(this.options.id ?? 'fabric-hil console bridge') };
        case 'echo':
          return { ok: true, text: req.token };
        case 'rd': {
          const data = await memory.read(req.bank, req.page, req.offset, req.len);
          if (data.length !== req.len) {
            throw new Error(`memory provider returned ${data.length} bytes for ${req.len}`);
          }
          return { ok: true, text: consoleHex(data) };
        }
        case 'wr':
          await memory.write(req.bank, req.page, req.offset, req.data);
          return { ok: true, text: '' };
      }
    } catch (err) {
      if (err instanceof ConsoleWireError) {
        return { ok: false, code: err.code, message: consoleText(`${err.field}: ${err.detail}`) };
      }
      if (err instanceof ConsoleMemoryError && Number.isInteger(err.code) && err.code >= 1 && err.code <= 999) {
        return { ok: false, code: err.code, message: consoleText(err.message) };
      }
      this.options.onError?.(err as Error);
      return { ok: false, code: CONSOLE_ERR.FAILED, message: consoleText((err as Error).message ?? String(err)) };
    }
  }
}
