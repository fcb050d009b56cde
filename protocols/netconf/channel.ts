// A framed NETCONF message channel over any byte stream (an SSH channel on either side).
//
// Guarantees: `onMessage` gets whole messages in order and may switch the framing before the next
// one is decoded; broken framing or an oversized message calls `onClose` once with the
// NetconfFramingError and destroys the stream; a stream end or error calls `onClose` once.
import type { Duplex } from 'node:stream';
import { NetconfError, NetconfFramingError } from './errors.ts';
import { encodeNetconfMessage, NetconfFrameDecoder, type NetconfFraming } from './framing.ts';

export interface NetconfChannelHandlers {
  onMessage(message: Buffer): void;
  /** Called once: `error` is the framing error or the stream's error, undefined for a clean end. */
  onClose(error?: Error): void;
}

export class NetconfChannel {
  private readonly decoder: NetconfFrameDecoder;
  private closed = false;

  constructor(
    private readonly stream: Duplex,
    private readonly handlers: NetconfChannelHandlers,
    maxMessageBytes?: number,
  ) {
    this.decoder = new NetconfFrameDecoder(maxMessageBytes === undefined ? {} : { maxMessageBytes });
    stream.on('data', (b: Buffer) => this.receive(b));
    stream.on('error', (e: Error) => this.close(e));
    stream.on('end', () => this.close(this.pendingError()));
    stream.on('close', () => this.close(this.pendingError()));
  }

  get framing(): NetconfFraming {
    return this.decoder.framing;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Switches both directions; call from `onMessage` after the hello exchange. */
  setFraming(framing: NetconfFraming): void {
    this.decoder.setFraming(framing);
  }

  send(message: string | Uint8Array): void {
    if (this.closed) return;
    this.stream.write(encodeNetconfMessage(message, this.decoder.framing));
  }

  /** Writes bytes as they are (tests and fault injection only). */
  sendRaw(bytes: Uint8Array): void {
    if (!this.closed) this.stream.write(bytes);
  }

  /** Ends the stream (after pending writes) and reports a clean close. */
  end(): void {
    if (this.closed) return;
    this.stream.end();
    this.close();
  }

  /** Closes the stream at once (unsent data is dropped) and reports `error`. */
  destroy(error?: Error): void {
    if (this.closed) return;
    this.stream.destroy();
    this.close(error);
  }

  private receive(bytes: Buffer): void {
    if (this.closed) return;
    try {
      this.decoder.push(bytes);
      for (let m = this.decoder.next(); m !== null && !this.closed; m = this.decoder.next()) this.handlers.onMessage(m);
    } catch (e) {
      if (!(e instanceof NetconfError)) throw e;
      this.close(e);
    }
  }

  private pendingError(): NetconfFramingError | undefined {
    try {
      this.decoder.end();
      return undefined;
    } catch (e) {
      return e as NetconfFramingError;
    }
  }

  private close(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    if (error) this.stream.destroy();
    this.handlers.onClose(error);
  }
}
