// Client robustness: a peer that drops, hangs, sends broken XML or framing, oversized messages, wrong credentials.
//
// Each failure must surface as its typed error, well before the RPC timeout where the peer gave
// a sign (close, bad bytes), and never leave a pending RPC unsettled.
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import ssh2 from 'ssh2';
import { MemoryInterfacesProvider } from '../../emulators/mgmt/netconf/provider.ts';
import { NetconfServer, type NetconfMisbehaviour } from '../../emulators/mgmt/netconf/server.ts';
import { NetconfFramingError, NetconfXmlError } from '../../protocols/netconf/index.ts';
import { generateEd25519KeyPair } from '../../protocols/netconf/ssh-keys.ts';
import {
  NetconfAuthError,
  NetconfClient,
  NetconfConnectError,
  NetconfDisconnectedError,
  NetconfTimeoutError,
  type NetconfConnectOptions,
} from './client.ts';
import { freePort } from './peers.ts';

const PASSWORD = 'correct-horse-battery-staple';
const SLOW_MS = 20_000;
let trick: NetconfMisbehaviour | undefined;
let server: NetconfServer;
let base: NetconfConnectOptions;
const open: NetconfClient[] = [];

async function connect(extra: Partial<NetconfConnectOptions> = {}): Promise<NetconfClient> {
  const c = await NetconfClient.connect({ ...base, ...extra });
  open.push(c);
  return c;
}

/** The error `p` rejects with and how long it took. */
async function failure(p: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const t0 = performance.now();
  const error = await p.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  return { error, ms: performance.now() - t0 };
}

beforeAll(async () => {
  server = new NetconfServer({
    provider: new MemoryInterfacesProvider([{ name: 'eth0' }]),
    users: [{ username: 'lab', password: PASSWORD }],
    maxMessageBytes: 8192,
    misbehave: (op) => (op === 'get' ? trick : undefined),
  });
  base = { host: '127.0.0.1', port: await server.start(), username: 'lab', password: PASSWORD, timeoutMs: SLOW_MS };
});

afterEach(async () => {
  trick = undefined;
  await Promise.all(open.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await server?.stop();
});

describe('NETCONF client robustness', () => {
  it('rejects every pending RPC with NetconfDisconnectedError when the server drops the connection mid-RPC', async () => {
    const c = await connect();
    trick = 'drop';
    const results = await Promise.all([c.get(), c.get(), c.getConfig('running')].map(failure));
    for (const r of results) {
      expect(r.error).toBeInstanceOf(NetconfDisconnectedError);
      expect((r.error as Error).message).toMatch(/no reply, the session ended/);
      expect(r.ms).toBeLessThan(SLOW_MS / 2);
    }
    expect((await failure(c.get())).error).toBeInstanceOf(NetconfDisconnectedError);
  });

  it('times out an unanswered RPC with NetconfTimeoutError and keeps the session', async () => {
    const c = await connect();
    trick = 'hang';
    const r = await failure(c.get(undefined, { timeoutMs: 300 }));
    expect(r.error).toBeInstanceOf(NetconfTimeoutError);
    expect((r.error as Error).message).toMatch(/get \(message-id \d+\).*no reply within 300 ms/);
    trick = undefined;
    await expect(c.getConfig('running')).resolves.toBeDefined();
  });

  it('fails with NetconfXmlError on a malformed reply and closes the session', async () => {
    const c = await connect();
    trick = 'malformed-xml';
    const r = await failure(c.get());
    expect(r.error).toBeInstanceOf(NetconfXmlError);
    expect(r.ms).toBeLessThan(SLOW_MS / 2);
    expect(c.isConnected).toBe(false);
  });

  it.each([
    ['chunked', {}],
    ['end-of-message', { capabilities: ['urn:ietf:params:netconf:base:1.0'] }],
  ])('fails with NetconfFramingError on broken %s framing', async (_name, extra) => {
    const c = await connect(extra);
    trick = 'broken-framing';
    const r = await failure(c.get());
    expect(r.error).toBeInstanceOf(NetconfFramingError);
    expect(r.ms).toBeLessThan(SLOW_MS / 2);
  });

  it('refuses a reply larger than maxMessageBytes', async () => {
    const c = await connect({ maxMessageBytes: 64 * 1024 });
    trick = { oversizedBytes: 200_000 };
    const r = await failure(c.get());
    expect(r.error).toBeInstanceOf(NetconfFramingError);
    expect((r.error as NetconfFramingError).problem).toBe('too-big');
  });

  it('is disconnected by a server whose request limit it exceeds', async () => {
    const c = await connect();
    const r = await failure(c.editConfig('running', `<x xmlns="urn:x">${'y'.repeat(10_000)}</x>`));
    expect(r.error).toBeInstanceOf(NetconfDisconnectedError);
    expect(r.ms).toBeLessThan(SLOW_MS / 2);
  });

  it('gives NetconfAuthError without the password for a wrong password or user', async () => {
    for (const creds of [{ password: 'wrong-password-42' }, { username: 'nobody', password: PASSWORD }]) {
      const r = await failure(NetconfClient.connect({ ...base, ...creds }));
      expect(r.error).toBeInstanceOf(NetconfAuthError);
      const msg = (r.error as Error).message;
      expect(msg).toMatch(/authentication failed/);
      expect(msg).not.toContain(creds.password);
      expect(String((r.error as Error).stack)).not.toContain(creds.password);
    }
  });

  it('notices a peer gone silent by SSH keepalive, long before the RPC timeout', async () => {
    let frozen = false;
    const sockets: net.Socket[] = [];
    const proxy = net.createServer((a) => {
      const b = net.connect(base.port!, '127.0.0.1');
      sockets.push(a, b);
      for (const [from, to] of [[a, b], [b, a]] as const) {
        from.on('data', (d) => frozen || to.write(d));
        from.on('error', () => undefined);
        from.on('close', () => to.destroy());
      }
    });
    const port = await new Promise<number>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve((proxy.address() as net.AddressInfo).port)));
    try {
      const c = await connect({ port, keepaliveIntervalMs: 200 });
      frozen = true;
      const r = await failure(c.get());
      expect(r.error).toBeInstanceOf(NetconfDisconnectedError);
      expect((r.error as Error).message).toMatch(/keepalive/i);
      expect(r.ms).toBeLessThan(SLOW_MS / 2);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });

  it('reports an unreadable key file and a wrong key passphrase without the passphrase', async () => {
    const r1 = await failure(NetconfClient.connect({ ...base, password: undefined, privateKeyFile: '/nonexistent/id_ed25519' }));
    expect(r1.error).toBeInstanceOf(NetconfConnectError);
    expect((r1.error as Error).message).toMatch(/cannot read privateKeyFile/);
    const key = generateEd25519KeyPair({ passphrase: 'right-phrase', cipher: 'aes256-cbc', rounds: 4 });
    const r2 = await failure(NetconfClient.connect({ ...base, password: undefined, privateKey: key.private, passphrase: 'wrong-phrase-77' }));
    expect(r2.error).toBeInstanceOf(NetconfAuthError);
    expect((r2.error as Error).message).not.toContain('wrong-phrase-77');
  });

  it('gives NetconfConnectError when nothing listens', async () => {
    const r = await failure(NetconfClient.connect({ ...base, port: await freePort() }));
    expect(r.error).toBeInstanceOf(NetconfConnectError);
    expect((r.error as Error).message).toMatch(/ECONNREFUSED/);
  });
});

describe('NETCONF client against a fake SSH server', () => {
  let fake: ssh2.Server;
  let port: number;
  let hello: string | null;

  beforeAll(async () => {
    fake = new ssh2.Server({ hostKeys: [generateEd25519KeyPair().private] }, (conn) => {
      conn.on('error', () => undefined);
      conn.on('authentication', (ctx) => ctx.accept());
      conn.on('ready', () =>
        conn.on('session', (accept) =>
          accept().on('subsystem', (acceptSub) => {
            const stream = acceptSub();
            if (hello !== null) stream.write(hello);
          }),
        ),
      );
    });
    port = await new Promise<number>((resolve) => fake.listen(0, '127.0.0.1', () => resolve((fake.address() as { port: number }).port)));
  });

  afterAll(async () => {
    await new Promise<void>((r) => fake.close(() => r()));
  });

  const connectFake = () => NetconfClient.connect({ host: '127.0.0.1', port, username: 'x', password: 'y', timeoutMs: 1500 });

  it('times out a server that never says hello', async () => {
    hello = null;
    const r = await failure(connectFake());
    expect(r.error).toBeInstanceOf(NetconfTimeoutError);
    expect((r.error as Error).message).toMatch(/no hello within 1500 ms/);
  });

  it.each([
    ['<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities>]]>]]>', NetconfXmlError],
    ['<!DOCTYPE hello [<!ENTITY a "b">]><hello/>]]>]]>', NetconfXmlError],
    ['<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities><capability>urn:ietf:params:netconf:base:1.1</capability></capabilities></hello>]]>]]>', NetconfConnectError],
  ])('refuses a bad hello %#', async (text, type) => {
    hello = text;
    const r = await failure(connectFake());
    expect(r.error).toBeInstanceOf(type);
    expect(r.ms).toBeLessThan(1500);
  });
});
