// The lab-in-a-box NETCONF server: RFC 6241 operations over SSH (RFC 6242) on ssh2's Server, data from a provider.
//
// Guarantees: both framings (base:1.0 and base:1.1 advertised, chunked once both sides say
// base:1.1); RPCs of one session are answered in order; a bad request gets an <rpc-error> with
// the RFC 6241 error-tag and the session stays up; edits are all-or-nothing; locks are released
// and a locked candidate is discarded when its session ends (§7.5); `stop()` closes every
// connection. `misbehave` lets tests and defect profiles make the server drop, hang, or send
// broken bytes instead of a reply.
import crypto from 'node:crypto';
import net, { type AddressInfo, type Socket } from 'node:net';
import ssh2, { type AuthContext, type Connection, type ParsedKey, type ServerChannel } from 'ssh2';
import {
  NETCONF_BASE_1_0,
  NETCONF_BASE_1_1,
  NETCONF_BASE_NS,
  NETCONF_CAP_CANDIDATE,
  NETCONF_CAP_ROLLBACK_ON_ERROR,
  NETCONF_CAP_WRITABLE_RUNNING,
  IETF_INTERFACES_CAPABILITY,
  NetconfChannel,
  NetconfError,
  NetconfRpcError,
  childElement,
  getAttribute,
  helloXml,
  isElement,
  negotiateFraming,
  parseHello,
  parseXml,
  rpcErrorElement,
  serializeXml,
  xmlElement,
  type NetconfRpcErrorDetail,
  type XmlElement,
} from '../../../protocols/netconf/index.ts';
import { applyEdit, badElementInfo, DEFAULT_LIST_KEYS, mergeData, rpcFail, subtreeFilter, type NetconfEditOperation } from './datastore.ts';
import type { NetconfDatastoreProvider } from './provider.ts';
import { generateEd25519KeyPair } from '../../../protocols/netconf/ssh-keys.ts';

export interface NetconfUser {
  username: string;
  password?: string;
  /** Authorized public keys, OpenSSH lines (`ssh-ed25519 AAAA... comment`). */
  publicKeys?: string[];
}

/** What the server does instead of answering an RPC (tests, management-plane defect profiles). */
export type NetconfMisbehaviour = 'drop' | 'hang' | 'malformed-xml' | 'broken-framing' | { oversizedBytes: number };

export interface NetconfServerOptions {
  provider: NetconfDatastoreProvider;
  users: NetconfUser[];
  /** Host private key (OpenSSH or PEM); an ed25519 key is generated when absent. */
  hostKey?: string | Buffer;
  /** Base versions advertised (default both). */
  base?: ('1.0' | '1.1')[];
  /** Offer the candidate datastore (default true); without it edits go to running. */
  candidate?: boolean;
  /** Module capabilities advertised besides the protocol ones (default: ietf-interfaces). */
  moduleCapabilities?: string[];
  /** Largest request accepted, bytes (default 16 MiB). */
  maxMessageBytes?: number;
  /** Asked for each RPC with the operation's name, the session and the operation element itself. */
  misbehave?: (operation: string, sessionId: number, op: XmlElement) => NetconfMisbehaviour | undefined;
}

type Datastore = 'running' | 'candidate';

interface Session {
  id: number;
  conn: Connection;
  channel: NetconfChannel;
  hello: boolean;
  queue: Promise<void>;
}


function safeEqual(a: string, b: string): boolean {
  const x = crypto.createHash('sha256').update(a).digest();
  const y = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(x, y);
}

function parseKeyOrThrow(text: string | Buffer, what: string): ParsedKey {
  const k = ssh2.utils.parseKey(text);
  if (k instanceof Error) throw new Error(`${what}: ${k.message}`);
  return Array.isArray(k) ? k[0]! : k;
}

export class NetconfServer {
  private readonly ssh: ssh2.Server;
  /** Our own listener hands sockets to ssh2, so `stop()` can destroy the ones that linger. */
  private readonly tcp: net.Server;
  private readonly sockets = new Set<Socket>();
  private readonly hostKey: ParsedKey;
  private readonly capabilities: string[];
  private readonly keys: Map<string, ParsedKey[]>;
  private readonly sessions = new Map<number, Session>();
  private readonly connections = new Set<Connection>();
  private readonly locks: Partial<Record<Datastore, number>> = {};
  private candidate: XmlElement[] | null = null;
  private nextSessionId = 1;
  private boundPort = 0;

  constructor(private readonly opts: NetconfServerOptions) {
    const hostKey = opts.hostKey ?? generateEd25519KeyPair().private;
    this.hostKey = parseKeyOrThrow(hostKey, 'NETCONF server host key');
    this.keys = new Map(opts.users.map((u) => [u.username, (u.publicKeys ?? []).map((k) => parseKeyOrThrow(k, `public key of user "${u.username}"`))]));
    const base = opts.base ?? ['1.0', '1.1'];
    this.capabilities = [
      ...(base.includes('1.0') ? [NETCONF_BASE_1_0] : []),
      ...(base.includes('1.1') ? [NETCONF_BASE_1_1] : []),
      ...(opts.candidate === false ? [] : [NETCONF_CAP_CANDIDATE]),
      NETCONF_CAP_WRITABLE_RUNNING,
      NETCONF_CAP_ROLLBACK_ON_ERROR,
      ...(opts.moduleCapabilities ?? [IETF_INTERFACES_CAPABILITY]),
    ];
    this.ssh = new ssh2.Server({ hostKeys: [hostKey] }, (conn) => this.onConnection(conn));
    this.tcp = net.createServer((sock) => {
      sock.setNoDelay(true); // one small message per reply: Nagle would hold it for the client's delayed ACK
      this.sockets.add(sock);
      sock.on('close', () => this.sockets.delete(sock));
      this.ssh.injectSocket(sock);
    });
  }

  /** Listens (default 127.0.0.1, a free port) and returns the bound port. */
  start(opts: { host?: string; port?: number } = {}): Promise<number> {
    return new Promise((resolve, reject) => {
      this.tcp.once('error', reject);
      this.tcp.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
        this.tcp.off('error', reject);
        this.boundPort = (this.tcp.address() as AddressInfo).port;
        resolve(this.boundPort);
      });
    });
  }

  get port(): number {
    return this.boundPort;
  }

  /** The host public key as an OpenSSH line, for a client's `knownHostKey`. */
  get hostPublicKey(): string {
    return `${this.hostKey.type} ${this.hostKey.getPublicSSH().toString('base64')}`;
  }

  get sessionIds(): number[] {
    return [...this.sessions.keys()];
  }

  /** Closes every connection (politely, then by force after a second) and stops listening. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => (this.tcp.listening ? this.tcp.close(() => resolve()) : resolve()));
    for (const c of this.connections) c.end();
    const grace = setTimeout(() => this.sockets.forEach((s) => s.destroy()), 1000);
    await closed;
    clearTimeout(grace);
  }

  // -------------------------------------------------------------------------------------------
  // SSH

  private onConnection(conn: Connection): void {
    this.connections.add(conn);
    conn.on('error', () => undefined); // a peer resetting the connection is not our failure
    conn.on('close', () => this.connections.delete(conn));
    conn.on('authentication', (ctx) => this.authenticate(ctx));
    conn.on('ready', () => {
      conn.on('session', (accept) => {
        const session = accept();
        session.on('subsystem', (acceptSub, rejectSub, info) => {
          if (info.name !== 'netconf') return rejectSub();
          this.openSession(conn, acceptSub());
        });
      });
    });
  }

  private authenticate(ctx: AuthContext): void {
    const user = this.opts.users.find((u) => u.username === ctx.username);
    const methods: ('password' | 'publickey' | 'keyboard-interactive')[] = ['password', 'publickey', 'keyboard-interactive'];
    const password = user?.password;
    switch (ctx.method) {
      case 'password':
        return password !== undefined && safeEqual(ctx.password, password) ? ctx.accept() : ctx.reject(methods);
      case 'keyboard-interactive':
        if (password === undefined) return ctx.reject(methods);
        return ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) =>
          answers.length === 1 && safeEqual(answers[0]!, password) ? ctx.accept() : ctx.reject(methods),
        );
      case 'publickey': {
        const key = (this.keys.get(ctx.username) ?? []).find((k) => k.getPublicSSH().equals(ctx.key.data));
        if (!key) return ctx.reject(methods);
        if (!ctx.signature || !ctx.blob) return ctx.accept(); // the client asks whether the key would do
        return key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) ? ctx.accept() : ctx.reject(methods);
      }
      default:
        return ctx.reject(methods);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Sessions

  private openSession(conn: Connection, stream: ServerChannel): void {
    const id = this.nextSessionId++;
    const s: Session = { id, conn, channel: undefined as unknown as NetconfChannel, hello: false, queue: Promise.resolve() };
    s.channel = new NetconfChannel(
      stream,
      {
        onMessage: (m) => this.onMessage(s, m),
        onClose: () => this.endSession(s),
      },
      this.opts.maxMessageBytes,
    );
    this.sessions.set(id, s);
    s.channel.send(helloXml({ capabilities: this.capabilities, sessionId: id }));
  }

  /** Drops uncommitted candidate edits (the device under it was replaced); locks stay with their sessions. */
  discardCandidate(): void {
    this.candidate = null;
  }

  private endSession(s: Session): void {
    if (!this.sessions.delete(s.id)) return;
    for (const ds of ['running', 'candidate'] as const) {
      if (this.locks[ds] !== s.id) continue;
      delete this.locks[ds];
      if (ds === 'candidate') this.candidate = null;
    }
    s.channel.destroy();
  }

  private onMessage(s: Session, message: Buffer): void {
    if (!s.hello) {
      // Synchronous, so the framing changes before the decoder reads the next message.
      try {
        const hello = parseHello(parseXml(message));
        if (hello.sessionId !== undefined) throw new Error('a client hello must not carry a session-id');
        s.hello = true;
        s.channel.setFraming(negotiateFraming(this.capabilities, hello.capabilities));
      } catch {
        this.endSession(s); // RFC 6241 §8.1: no valid hello, no session
      }
      return;
    }
    s.queue = s.queue.then(() => this.handle(s, message)).catch(() => this.endSession(s));
  }

  private reply(s: Session, rpc: XmlElement | undefined, body: XmlElement[]): void {
    const attrs: Record<string, string> = rpc ? { ...rpc.attrs } : {};
    const el: XmlElement = { ...xmlElement('rpc-reply', NETCONF_BASE_NS, body, attrs), scope: rpc?.scope ?? {} };
    s.channel.send(`<?xml version="1.0" encoding="UTF-8"?>${serializeXml(el)}`);
  }

  private replyError(s: Session, rpc: XmlElement | undefined, errors: NetconfRpcErrorDetail[]): void {
    this.reply(s, rpc, errors.map((e) => rpcErrorElement(e)));
  }

  private async handle(s: Session, message: Buffer): Promise<void> {
    if (!this.sessions.has(s.id)) return;
    let rpc: XmlElement;
    try {
      rpc = parseXml(message);
    } catch (e) {
      const detail = e instanceof NetconfError ? e.message : String(e);
      // malformed-message is new in base:1.1 and must not be sent to base:1.0 clients (RFC 6241 App. A).
      const tag = s.channel.framing === 'chunked' ? 'malformed-message' : 'operation-failed';
      return this.replyError(s, undefined, [{ type: 'rpc', tag, severity: 'error', message: detail, info: [] }]);
    }
    try {
      if (!isElement(rpc, 'rpc', NETCONF_BASE_NS)) {
        rpcFail('unknown-element', `expected <rpc>, got <${rpc.name}>`, { type: 'protocol', info: badElementInfo(rpc.name) });
      }
      if (getAttribute(rpc, 'message-id') === undefined) {
        rpcFail('missing-attribute', '<rpc> has no message-id', {
          type: 'rpc',
          info: [xmlElement('bad-attribute', NETCONF_BASE_NS, 'message-id'), ...badElementInfo('rpc')],
        });
      }
      const op = rpc.children[0];
      if (!op) rpcFail('missing-element', '<rpc> names no operation', { type: 'protocol', info: badElementInfo('rpc') });
      const trick = this.opts.misbehave?.(op.name, s.id, op);
      if (trick !== undefined) return this.misbehave(s, rpc, trick);
      const body = await this.operation(s, op);
      this.reply(s, rpc, body);
      if (isElement(op, 'close-session', NETCONF_BASE_NS)) {
        s.channel.end();
        this.endSession(s);
      }
    } catch (e) {
      const errors: NetconfRpcErrorDetail[] =
        e instanceof NetconfRpcError ? e.errors : [{ type: 'application', tag: 'operation-failed', severity: 'error', message: e instanceof Error ? e.message : String(e), info: [] }];
      this.replyError(s, rpc, errors);
    }
  }

  private misbehave(s: Session, rpc: XmlElement, trick: NetconfMisbehaviour): void {
    const id = getAttribute(rpc, 'message-id') ?? '';
    if (trick === 'hang') return;
    if (trick === 'drop') return void s.conn.end();
    if (trick === 'malformed-xml') return s.channel.send(`<rpc-reply xmlns="${NETCONF_BASE_NS}" message-id="${id}"><data><unclosed></data></rpc-reply>`);
    if (trick === 'broken-framing') {
      s.channel.sendRaw(Buffer.from(s.channel.framing === 'chunked' ? '\n#12x\n<rpc-reply/>\n##\n' : '<rpc-reply/'));
      if (s.channel.framing === 'eom') s.channel.end();
      return;
    }
    const pad = 'x'.repeat(Math.max(0, trick.oversizedBytes));
    this.reply(s, rpc, [xmlElement('data', NETCONF_BASE_NS, [xmlElement('padding', 'urn:fabric-hil:test', pad)])]);
  }

  // -------------------------------------------------------------------------------------------
  // Operations (RFC 6241 §7)

  private async operation(s: Session, op: XmlElement): Promise<XmlElement[]> {
    const ok = [xmlElement('ok', NETCONF_BASE_NS)];
    if (op.ns !== NETCONF_BASE_NS && this.opts.provider.rpc) {
      const out = await this.opts.provider.rpc(op);
      if (out !== undefined) return out.length > 0 ? out : ok;
    }
    if (op.ns !== NETCONF_BASE_NS) rpcFail('operation-not-supported', `operation <${op.name}> in ${op.ns ?? 'no namespace'} is not supported`, { type: 'protocol', info: badElementInfo(op.name) });
    const keys = this.opts.provider.listKeys ?? DEFAULT_LIST_KEYS;
    if (this.opts.candidate === false && touchesCandidate(op)) {
      rpcFail('operation-not-supported', 'this server has no candidate datastore (no :candidate capability)', { type: 'protocol', info: badElementInfo(op.name) });
    }
    switch (op.name) {
      case 'get': {
        const filter = filterOf(op);
        const wanted = filter === undefined ? undefined : (name: string, ns: string | undefined) => filter.some((t) => t.name === name && (t.ns === undefined || t.ns === ns));
        const all = mergeData(await this.opts.provider.getConfig(), await this.opts.provider.getState(wanted), keys);
        return [xmlElement('data', NETCONF_BASE_NS, subtreeFilter(all, filter))];
      }
      case 'get-config': {
        const source = datastoreArg(op, 'source');
        return [xmlElement('data', NETCONF_BASE_NS, subtreeFilter(await this.read(source), filterOf(op)))];
      }
      case 'edit-config': {
        const target = datastoreArg(op, 'target');
        this.checkNotLocked(s, target);
        const config = childElement(op, 'config', NETCONF_BASE_NS);
        if (!config) rpcFail('missing-element', 'edit-config needs <config>', { type: 'protocol', info: badElementInfo('config') });
        const defaultOp = enumArg(op, 'default-operation', ['merge', 'replace', 'none'], 'merge') as NetconfEditOperation | 'none';
        const testOption = enumArg(op, 'test-option', ['test-then-set', 'set', 'test-only'], 'test-then-set');
        enumArg(op, 'error-option', ['stop-on-error', 'continue-on-error', 'rollback-on-error'], 'stop-on-error');
        const next = applyEdit(await this.read(target), config.children, defaultOp, keys);
        if (testOption === 'test-only') return ok;
        if (target === 'running') await this.opts.provider.applyConfig(next);
        else this.candidate = next;
        return ok;
      }
      case 'commit':
        this.checkNotLocked(s, 'running');
        this.checkNotLocked(s, 'candidate');
        if (this.candidate) await this.opts.provider.applyConfig(this.candidate);
        this.candidate = null;
        return ok;
      case 'discard-changes':
        this.checkNotLocked(s, 'candidate');
        this.candidate = null;
        return ok;
      case 'lock': {
        const target = datastoreArg(op, 'target');
        const holder = this.locks[target];
        if (holder !== undefined || (target === 'candidate' && this.candidate !== null)) {
          const by = holder ?? 0;
          rpcFail('lock-denied', holder !== undefined ? `${target} is locked by session ${by}` : 'the candidate has uncommitted changes', {
            type: 'protocol',
            info: [xmlElement('session-id', NETCONF_BASE_NS, String(by))],
          });
        }
        this.locks[target] = s.id;
        return ok;
      }
      case 'unlock': {
        const target = datastoreArg(op, 'target');
        if (this.locks[target] !== s.id) rpcFail('operation-failed', `${target} is not locked by this session`, { type: 'protocol' });
        delete this.locks[target];
        return ok;
      }
      case 'close-session':
        return ok;
      case 'kill-session': {
        const text = childElement(op, 'session-id', NETCONF_BASE_NS)?.text.trim();
        if (text === undefined) rpcFail('missing-element', 'kill-session needs <session-id>', { type: 'protocol', info: badElementInfo('session-id') });
        const victim = this.sessions.get(Number(text));
        if (Number(text) === s.id) rpcFail('invalid-value', 'a session cannot kill itself (use close-session)', { type: 'protocol' });
        if (!/^[0-9]+$/.test(text) || !victim) rpcFail('invalid-value', `no session ${text}`, { type: 'protocol' });
        victim.conn.end();
        this.endSession(victim);
        return ok;
      }
      default:
        rpcFail('operation-not-supported', `operation <${op.name}> is not supported`, { type: 'protocol', info: badElementInfo(op.name) });
    }
  }

  private async read(ds: Datastore): Promise<XmlElement[]> {
    if (ds === 'candidate' && this.candidate) return this.candidate;
    return this.opts.provider.getConfig();
  }

  private checkNotLocked(s: Session, ds: Datastore): void {
    const holder = this.locks[ds];
    if (holder !== undefined && holder !== s.id) {
      rpcFail('in-use', `${ds} is locked by session ${holder}`, { type: 'protocol', info: [xmlElement('session-id', NETCONF_BASE_NS, String(holder))] });
    }
  }
}

function touchesCandidate(op: XmlElement): boolean {
  if (op.name === 'commit' || op.name === 'discard-changes') return true;
  const ds = (arg: string) => childElement(op, arg, NETCONF_BASE_NS)?.children[0]?.name;
  return ds('target') === 'candidate' || ds('source') === 'candidate';
}

function filterOf(op: XmlElement): XmlElement[] | undefined {
  const f = childElement(op, 'filter', NETCONF_BASE_NS);
  if (!f) return undefined;
  const type = getAttribute(f, 'type') ?? getAttribute(f, 'type', NETCONF_BASE_NS) ?? 'subtree';
  if (type !== 'subtree') {
    rpcFail('bad-attribute', `filter type "${type}" is not supported (subtree only)`, {
      type: 'protocol',
      info: [xmlElement('bad-attribute', NETCONF_BASE_NS, 'type'), ...badElementInfo('filter')],
    });
  }
  return f.children;
}

function datastoreArg(op: XmlElement, arg: 'source' | 'target'): Datastore {
  const wrapper = childElement(op, arg, NETCONF_BASE_NS);
  if (!wrapper) rpcFail('missing-element', `${op.name} needs <${arg}>`, { type: 'protocol', info: badElementInfo(arg) });
  const name = wrapper.children[0]?.name;
  if (name !== 'running' && name !== 'candidate') {
    rpcFail('invalid-value', `${arg} must be <running/> or <candidate/>${name ? `, got <${name}/>` : ''}`, { type: 'protocol', info: badElementInfo(arg) });
  }
  return name;
}

function enumArg(op: XmlElement, name: string, allowed: string[], dflt: string): string {
  const v = childElement(op, name, NETCONF_BASE_NS)?.text.trim() ?? dflt;
  if (!allowed.includes(v)) rpcFail('invalid-value', `${name} must be one of ${allowed.join(', ')}, got "${v}"`, { type: 'protocol', info: badElementInfo(name) });
  return v;
}
