// The NETCONF client for lab gear: RFC 6241 operations over SSH (RFC 6242), both framings, typed errors.
//
// Guarantees: every RPC settles within its timeout (NetconfTimeoutError); when the session ends
// every pending RPC is rejected at once (NetconfDisconnectedError, or the NetconfFramingError /
// NetconfXmlError that ended it); no error message contains the password or passphrase; leaf
// values stay strings (convert counter64 leaves with BigInt, never through number).
import fs from 'node:fs';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import {
  NETCONF_BASE_1_0,
  NETCONF_BASE_1_1,
  NETCONF_BASE_NS,
  NetconfChannel,
  NetconfError,
  NetconfRpcError,
  childElement,
  getAttribute,
  hasCapability,
  isElement,
  negotiateFraming,
  helloXml,
  parseHello,
  parseRpcErrors,
  parseXml,
  xmlElement,
  type NetconfFraming,
  type XmlElement,
} from '../../protocols/netconf/index.ts';

export type NetconfDatastore = 'running' | 'candidate' | 'startup';

/** TCP, SSH or subsystem failure before the session was up. */
export class NetconfConnectError extends NetconfError {}
/** The server refused the credentials. */
export class NetconfAuthError extends NetconfConnectError {}
/** An RPC (or the connection set-up) got no answer in time. */
export class NetconfTimeoutError extends NetconfError {}
/** The session ended: pending and later RPCs fail with this. */
export class NetconfDisconnectedError extends NetconfError {}

export interface NetconfConnectOptions {
  host: string;
  /** Default 830. */
  port?: number;
  username: string;
  password?: string;
  /** Private key text (OpenSSH or PEM). */
  privateKey?: string | Buffer;
  privateKeyFile?: string;
  passphrase?: string;
  /** Accepts or refuses the server's host key (raw SSH key blob). */
  hostVerifier?: (key: Buffer) => boolean;
  /** The server's public key, `ssh-ed25519 AAAA...` or its base64 blob; a different key is refused. */
  knownHostKey?: string;
  /** Connection set-up bound and default RPC timeout, ms (default 30 000). */
  timeoutMs?: number;
  /** SSH keepalive period, ms (default 10 000; 0 disables). */
  keepaliveIntervalMs?: number;
  /** Capabilities of our hello (default base:1.0 and base:1.1; give only base:1.0 to force end-of-message framing). */
  capabilities?: string[];
  /** Largest reply accepted, bytes (default 16 MiB). */
  maxMessageBytes?: number;
}

export interface RpcOptions {
  timeoutMs?: number;
}

export interface EditConfigOptions extends RpcOptions {
  defaultOperation?: 'merge' | 'replace' | 'none';
  testOption?: 'test-then-set' | 'set' | 'test-only';
  errorOption?: 'stop-on-error' | 'continue-on-error' | 'rollback-on-error';
}

interface Pending {
  id: string;
  operation: string;
  resolve(reply: XmlElement): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

const DATASTORES = new Set(['running', 'candidate', 'startup']);

function datastore(name: string): string {
  if (!DATASTORES.has(name)) throw new RangeError(`unknown datastore "${name}" (running, candidate or startup)`);
  return `<${name}/>`;
}

function operationName(xml: string): string {
  return /<(?:[\w.-]+:)?([\w.-]+)/.exec(xml)?.[1] ?? 'rpc';
}

function keyBlob(known: string): Buffer {
  const parts = known.trim().split(/\s+/);
  return Buffer.from(parts.length > 1 ? parts[1]! : parts[0]!, 'base64');
}

function sshConfig(opts: NetconfConnectOptions, port: number, timeoutMs: number): ConnectConfig {
  const config: ConnectConfig = {
    host: opts.host,
    port,
    username: opts.username,
    readyTimeout: timeoutMs,
    keepaliveInterval: opts.keepaliveIntervalMs ?? 10_000,
    keepaliveCountMax: 3,
    tryKeyboard: opts.password !== undefined,
    // Without a known key every host key is accepted, as ncclient's hostkey_verify=False does.
    hostVerifier: opts.hostVerifier ?? (opts.knownHostKey ? (key: Buffer) => key.equals(keyBlob(opts.knownHostKey!)) : () => true),
  };
  if (opts.password !== undefined) config.password = opts.password;
  if (opts.passphrase !== undefined) config.passphrase = opts.passphrase;
  if (opts.privateKey !== undefined) config.privateKey = opts.privateKey;
  else if (opts.privateKeyFile !== undefined) {
    try {
      config.privateKey = fs.readFileSync(opts.privateKeyFile);
    } catch (e) {
      throw new NetconfConnectError(`NETCONF: cannot read privateKeyFile ${opts.privateKeyFile}: ${(e as Error).message}`);
    }
  }
  return config;
}

/** An ssh2 failure before the session was up, as a typed error that names no secret. */
function connectError(err: Error & { level?: string }, where: string, withPassword: boolean, scrub: (s: string) => string): NetconfError {
  const msg = scrub(err.message);
  if (err.level === 'client-authentication') {
    return new NetconfAuthError(`NETCONF connect to ${where}: authentication failed (server refused ${withPassword ? 'the password' : 'the key'}); check the username and credentials in the binding`);
  }
  if (err.level === 'client-timeout') return new NetconfTimeoutError(`NETCONF connect to ${where}: SSH ${msg}`);
  if (/verification failed/i.test(msg)) return new NetconfConnectError(`NETCONF connect to ${where}: the server's host key was refused (not the known host key)`);
  if (/privateKey|passphrase/i.test(msg)) return new NetconfAuthError(`NETCONF connect to ${where}: the private key cannot be used (${msg})`);
  return new NetconfConnectError(`NETCONF connect to ${where}: ${msg}`);
}

export class NetconfClient {
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private ended: Error | undefined;
  private closing = false;
  private channel!: NetconfChannel;
  sessionId = 0;
  serverCapabilities: readonly string[] = [];

  private constructor(
    private readonly conn: Client,
    private readonly where: string,
    private readonly timeoutMs: number,
    private readonly scrub: (s: string) => string,
  ) {}

  /** Opens SSH, the `netconf` subsystem and exchanges hellos. */
  static connect(opts: NetconfConnectOptions): Promise<NetconfClient> {
    const port = opts.port ?? 830;
    const where = `${opts.username}@${opts.host}:${port}`;
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const secrets = [opts.password, opts.passphrase].filter((s): s is string => !!s);
    const scrub = (s: string) => secrets.reduce((acc, x) => acc.split(x).join('***'), s);
    const ours = opts.capabilities ?? [NETCONF_BASE_1_0, NETCONF_BASE_1_1];
    const conn = new Client();
    const client = new NetconfClient(conn, where, timeoutMs, scrub);

    return new Promise<NetconfClient>((resolve, reject) => {
      let settled = false;
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        conn.destroy();
        reject(e);
      };
      const deadline = setTimeout(() => fail(new NetconfTimeoutError(`NETCONF connect to ${where}: no hello within ${timeoutMs} ms`)), timeoutMs);
      const lost = (why: string, e?: Error) => {
        if (!settled) fail(e ?? new NetconfDisconnectedError(`NETCONF connect to ${where}: ${why} before the hello`));
        else client.fail(e ?? new NetconfDisconnectedError(`NETCONF session ${client.sessionId} to ${where}: ${why}`));
      };
      conn.on('error', (err: Error & { level?: string }) => {
        if (settled) lost(`failed: ${scrub(err.message)}`);
        else fail(connectError(err, where, opts.password !== undefined, scrub));
      });
      conn.on('close', () => lost('connection closed'));
      conn.on('keyboard-interactive', (_n, _i, _l, prompts, finish) => finish(prompts.map(() => opts.password ?? '')));
      conn.on('ready', () => {
        conn.setNoDelay(true); // one small message per RPC: Nagle would hold it for the peer's delayed ACK
        conn.subsys('netconf', (err, stream: ClientChannel) => {
          if (err) return fail(new NetconfConnectError(`NETCONF connect to ${where}: the SSH server refused the netconf subsystem (${scrub(err.message)})`));
          const onMessage = (m: Buffer) => {
            if (settled) return client.onMessage(m);
            try {
              client.onHello(m, ours);
              settled = true;
              clearTimeout(deadline);
              resolve(client);
            } catch (e) {
              fail(e as Error);
            }
          };
          client.channel = new NetconfChannel(stream, { onMessage, onClose: (e) => lost('the server closed the netconf channel', e) }, opts.maxMessageBytes);
          client.channel.send(helloXml({ capabilities: ours }));
        });
      });
      try {
        conn.connect(sshConfig(opts, port, timeoutMs));
      } catch (e) {
        fail(e instanceof NetconfError ? e : connectError(e as Error, where, opts.password !== undefined, scrub));
      }
    });
  }

  /** Reads the server's hello and switches framing (RFC 6242 §4.1). */
  private onHello(message: Buffer, ours: readonly string[]): void {
    const hello = parseHello(parseXml(message));
    if (hello.sessionId === undefined) throw new NetconfConnectError(`NETCONF connect to ${this.where}: the server's hello has no session-id`);
    this.sessionId = hello.sessionId;
    this.serverCapabilities = hello.capabilities;
    this.channel.setFraming(negotiateFraming(ours, hello.capabilities));
  }

  get framing(): NetconfFraming {
    return this.channel.framing;
  }

  get isConnected(): boolean {
    return this.ended === undefined;
  }

  hasCapability(uri: string): boolean {
    return hasCapability(this.serverCapabilities, uri);
  }

  /** Sends one operation (`<get/>`, `<my-op xmlns="...">...`) and returns the <rpc-reply>. */
  rpc(operationXml: string, opts: RpcOptions = {}): Promise<XmlElement> {
    const operation = operationName(operationXml);
    if (this.ended) return Promise.reject(this.disconnected(operation));
    const id = String(this.nextId++);
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    return new Promise<XmlElement>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new NetconfTimeoutError(`NETCONF ${operation} (message-id ${id}) to ${this.where}: no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { id, operation, resolve, reject, timer });
      this.channel.send(`<?xml version="1.0" encoding="UTF-8"?><rpc xmlns="${NETCONF_BASE_NS}" xmlns:nc="${NETCONF_BASE_NS}" message-id="${id}">${operationXml}</rpc>`);
    });
  }

  /** <get> with an optional subtree filter (the filter's content); resolves to <data>. */
  async get(filter?: string, opts?: RpcOptions): Promise<XmlElement> {
    return data(await this.rpc(`<get>${filterXml(filter)}</get>`, opts));
  }

  async getConfig(source: NetconfDatastore, filter?: string, opts?: RpcOptions): Promise<XmlElement> {
    return data(await this.rpc(`<get-config><source>${datastore(source)}</source>${filterXml(filter)}</get-config>`, opts));
  }

  /**
   * <edit-config>: `config` is the content of <config> (top-level data nodes with their xmlns);
   * per-node operations use `nc:operation="merge|replace|create|delete|remove"` (`nc` is declared).
   */
  async editConfig(target: NetconfDatastore, config: string, opts: EditConfigOptions = {}): Promise<void> {
    const body = /^\s*<(?:[\w.-]+:)?config[\s>/]/.test(config) ? config : `<config>${config}</config>`;
    let xml = `<edit-config><target>${datastore(target)}</target>`;
    if (opts.defaultOperation) xml += `<default-operation>${opts.defaultOperation}</default-operation>`;
    if (opts.testOption) xml += `<test-option>${opts.testOption}</test-option>`;
    if (opts.errorOption) xml += `<error-option>${opts.errorOption}</error-option>`;
    await this.rpc(`${xml}${body}</edit-config>`, opts);
  }

  async commit(opts?: RpcOptions): Promise<void> {
    await this.rpc('<commit/>', opts);
  }

  async discardChanges(opts?: RpcOptions): Promise<void> {
    await this.rpc('<discard-changes/>', opts);
  }

  async lock(target: NetconfDatastore, opts?: RpcOptions): Promise<void> {
    await this.rpc(`<lock><target>${datastore(target)}</target></lock>`, opts);
  }

  async unlock(target: NetconfDatastore, opts?: RpcOptions): Promise<void> {
    await this.rpc(`<unlock><target>${datastore(target)}</target></unlock>`, opts);
  }

  async killSession(sessionId: number, opts?: RpcOptions): Promise<void> {
    if (!Number.isInteger(sessionId) || sessionId < 1) throw new RangeError(`session id must be a positive integer, got ${sessionId}`);
    await this.rpc(`<kill-session><session-id>${sessionId}</session-id></kill-session>`, opts);
  }

  /** <close-session>, then the SSH connection is closed. */
  async closeSession(opts?: RpcOptions): Promise<void> {
    if (this.ended) return;
    this.closing = true;
    try {
      await this.rpc('<close-session/>', opts);
    } catch (e) {
      if (!(e instanceof NetconfDisconnectedError)) throw e; // the server closing first is what we asked for
    } finally {
      this.shutdown();
    }
  }

  /** Ends the session politely if it can, then the connection; never throws. */
  async close(): Promise<void> {
    if (this.ended) return;
    await this.closeSession({ timeoutMs: Math.min(this.timeoutMs, 2000) }).catch(() => undefined);
  }

  private shutdown(): void {
    this.fail(new NetconfDisconnectedError(`NETCONF session ${this.sessionId} to ${this.where} was closed by the client`));
    this.channel.end();
    this.conn.end();
  }

  private disconnected(operation: string): Error {
    const why = this.ended!;
    if (!(why instanceof NetconfDisconnectedError)) return why;
    return new NetconfDisconnectedError(`NETCONF ${operation} to ${this.where}: ${why.message}`, { cause: why });
  }

  private onMessage(message: Buffer): void {
    let root: XmlElement;
    try {
      root = parseXml(message);
    } catch (e) {
      // A reply we cannot read has no message-id we can trust: the session is unusable.
      this.fail(e as Error);
      this.conn.destroy();
      return;
    }
    if (!isElement(root, 'rpc-reply', NETCONF_BASE_NS)) return; // notifications and the like: not ours to handle
    const id = getAttribute(root, 'message-id');
    const p = id !== undefined ? this.pending.get(id) : this.pending.values().next().value;
    if (!p) return; // a reply after its timeout
    this.pending.delete(p.id);
    clearTimeout(p.timer);
    const errors = parseRpcErrors(root).filter((e) => e.severity !== 'warning');
    if (errors.length > 0) p.reject(new NetconfRpcError(errors, p.operation));
    else p.resolve(root);
  }

  /** Ends the session state once: every pending RPC is rejected with `error` (scrubbed). */
  private fail(error: Error): void {
    if (this.ended) return;
    if (error.message !== this.scrub(error.message)) error.message = this.scrub(error.message);
    const end =
      error instanceof NetconfError
        ? error
        : new NetconfDisconnectedError(`NETCONF session ${this.sessionId} to ${this.where}: ${this.scrub(error.message)}`, { cause: error });
    this.ended = end;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(
        end instanceof NetconfDisconnectedError && !this.closing
          ? new NetconfDisconnectedError(`NETCONF ${p.operation} (message-id ${p.id}) to ${this.where}: no reply, the session ended: ${end.message}`, { cause: end })
          : end,
      );
    }
    this.pending.clear();
  }
}

function filterXml(filter: string | undefined): string {
  return filter === undefined ? '' : `<filter type="subtree">${filter}</filter>`;
}

function data(reply: XmlElement): XmlElement {
  return childElement(reply, 'data', NETCONF_BASE_NS) ?? xmlElement('data', NETCONF_BASE_NS);
}
