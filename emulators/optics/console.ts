// The console line protocol served by emulated modules: a synchronous bridge (a request line in, a response line out) and the in-process client the emulator's cmis capability uses.
//
// Guarantees: the bridge answers exactly as protocols/console/console.ts documents (one line per
// non-empty request, `err <code>` for every failure: the codec's syntax and range errors, a
// ModuleMemoryError's own code, 2 for an address the module's memory refuses (absent page), 6 for
// anything else); it never throws. The client splits reads and writes into requests of at most
// 128 bytes, sends each through the bridge as a formatted line and parses the answer, so the
// emulator exercises the same codec as a lab console; an `err` answer becomes a CmisConsoleError
// with its code. A ModuleMemoryProvider is structurally a ConsoleMemory (emulators/mgmt/serial),
// so lab-in-a-box can serve the same memory on a serial line (console-bridge.ts).
import {
  CONSOLE_ERR,
  CONSOLE_MAX_LEN,
  ConsoleWireError,
  consoleErrorName,
  consoleHex,
  consoleText,
  formatConsoleRequest,
  formatConsoleResponse,
  parseConsoleHex,
  parseConsoleRequest,
  parseConsoleResponse,
  type ConsoleResponse,
} from '../../protocols/console/console.ts';
import { WireError } from '../../protocols/wire.ts';

/** Module memory behind a bridge, as CMIS addresses it (synchronous: the emulator runs in virtual time). */
export interface ModuleMemoryProvider {
  /** Exactly `len` bytes; a host read (monitors refreshed, latched flags cleared). */
  read(bank: number, page: number, offset: number, len: number): Uint8Array;
  write(bank: number, page: number, offset: number, data: Uint8Array): void;
}

/** Thrown by a provider to answer `err <code>` (CONSOLE_ERR: 4 busy, 5 no module, ...). */
export class ModuleMemoryError extends Error {
  override readonly name = 'ModuleMemoryError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** An `err` answer of the console, seen by the client. */
export class CmisConsoleError extends Error {
  override readonly name = 'CmisConsoleError';
  constructor(
    readonly code: number,
    readonly detail: string,
    readonly request: string,
  ) {
    super(`console answered err ${code} (${consoleErrorName(code)}) to "${request}"${detail ? `: ${detail}` : ''}`);
  }
}

export const MODULE_CONSOLE_ID = 'fabric-hil emulated module console';

/** Answers console request lines from a memory provider, synchronously. */
export class ModuleConsoleBridge {
  constructor(
    private readonly memory: ModuleMemoryProvider,
    private readonly id = MODULE_CONSOLE_ID,
  ) {}

  /** The response line to one request line (no terminator), or null for an empty line (no answer). */
  answer(line: string): string | null {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text === '') return null;
    return formatConsoleResponse(this.respond(text));
  }

  private respond(text: string): ConsoleResponse {
    try {
      const req = parseConsoleRequest(text);
      switch (req.op) {
        case 'id':
          return { ok: true, text: consoleText(this.id) };
        case 'echo':
          return { ok: true, text: req.token };
        case 'rd': {
          const data = this.memory.read(req.bank, req.page, req.offset, req.len);
          if (data.length !== req.len) throw new Error(`memory provider returned ${data.length} bytes for ${req.len}`);
          return { ok: true, text: consoleHex(data) };
        }
        case 'wr':
          this.memory.write(req.bank, req.page, req.offset, req.data);
          return { ok: true, text: '' };
      }
    } catch (err) {
      if (err instanceof ConsoleWireError) return { ok: false, code: err.code, message: consoleText(`${err.field}: ${err.detail}`) };
      if (err instanceof ModuleMemoryError && Number.isInteger(err.code) && err.code >= 1 && err.code <= 999) {
        return { ok: false, code: err.code, message: consoleText(err.message) };
      }
      if (err instanceof WireError) return { ok: false, code: CONSOLE_ERR.RANGE, message: consoleText(err.message) };
      return { ok: false, code: CONSOLE_ERR.FAILED, message: consoleText((err as Error).message ?? String(err)) };
    }
  }
}

/** Reads and writes module memory through a bridge, one formatted request line at a time. */
export class InProcessCmisClient {
  constructor(private readonly bridge: ModuleConsoleBridge) {}

  read(bank: number, page: number, offset: number, len: number): Uint8Array {
    if (!Number.isInteger(len) || len < 1) throw new RangeError(`cmis read: length ${len} must be an integer >= 1`);
    const out = new Uint8Array(len);
    for (let done = 0; done < len; done += CONSOLE_MAX_LEN) {
      const n = Math.min(CONSOLE_MAX_LEN, len - done);
      const text = this.exchange(formatConsoleRequest({ op: 'rd', bank, page, offset: offset + done, len: n }));
      out.set(parseConsoleHex(text, n), done);
    }
    return out;
  }

  write(bank: number, page: number, offset: number, data: Uint8Array): void {
    if (data.length < 1) throw new RangeError('cmis write: no bytes to write');
    for (let done = 0; done < data.length; done += CONSOLE_MAX_LEN) {
      const chunk = data.subarray(done, done + CONSOLE_MAX_LEN);
      this.exchange(formatConsoleRequest({ op: 'wr', bank, page, offset: offset + done, data: chunk }));
    }
  }

  /** The bridge's `id` answer. */
  identify(): string {
    return this.exchange('id');
  }

  private exchange(request: string): string {
    const line = this.bridge.answer(request);
    if (line === null) throw new Error(`console gave no answer to "${request}"`);
    const res = parseConsoleResponse(line);
    if (!res.ok) throw new CmisConsoleError(res.code, res.message, request);
    return res.text;
  }
}
