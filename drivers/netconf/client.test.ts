// Our NETCONF client against our server: hello and framings, RFC 6241 operations, locks, sessions, error tags.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryInterfacesProvider } from '../../emulators/mgmt/netconf/provider.ts';
import { NetconfServer } from '../../emulators/mgmt/netconf/server.ts';
import { errorInfo, NETCONF_BASE_1_0, NetconfRpcError, serializeXml } from '../../protocols/netconf/index.ts';
import { generateEd25519KeyPair } from '../../protocols/netconf/ssh-keys.ts';
import { NetconfClient, NetconfConnectError, NetconfDisconnectedError, type NetconfConnectOptions } from './client.ts';

const IF = 'urn:ietf:params:xml:ns:yang:ietf-interfaces';
const BIG = 2n ** 64n - 3n;
const userKey = generateEd25519KeyPair();

let provider: MemoryInterfacesProvider;
let server: NetconfServer;
let base: NetconfConnectOptions;
const open: NetconfClient[] = [];

async function connect(extra: Partial<NetconfConnectOptions> = {}): Promise<NetconfClient> {
  const c = await NetconfClient.connect({ ...base, ...extra });
  open.push(c);
  return c;
}

async function rpcError(p: Promise<unknown>): Promise<NetconfRpcError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (e instanceof NetconfRpcError) return e;
  throw new Error(`expected a NetconfRpcError, got ${String(e)}`);
}

beforeAll(async () => {
  provider = new MemoryInterfacesProvider([{ name: 'eth0', counters: { 'in-octets': BIG } }, { name: 'eth1' }]);
  server = new NetconfServer({ provider, users: [{ username: 'lab', password: 'secret-pw', publicKeys: [userKey.public] }] });
  const port = await server.start();
  base = { host: '127.0.0.1', port, username: 'lab', password: 'secret-pw', timeoutMs: 5000, knownHostKey: server.hostPublicKey };
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await server?.stop();
});

describe('NETCONF client against our server', () => {
  it('exchanges hellos: session id, capabilities, chunked framing by default, end-of-message when we offer only base:1.0', async () => {
    const c = await connect();
    expect(c.sessionId).toBeGreaterThan(0);
    expect(c.hasCapability('urn:ietf:params:netconf:capability:candidate:1.0')).toBe(true);
    expect(c.framing).toBe('chunked');
    const old = await connect({ capabilities: [NETCONF_BASE_1_0] });
    expect(old.framing).toBe('eom');
    expect(old.sessionId).not.toBe(c.sessionId);
    const data = await old.get(`<interfaces-state xmlns="${IF}"><interface><name>eth0</name><statistics><in-octets/></statistics></interface></interfaces-state>`);
    expect(BigInt(data.children[0]!.children[0]!.children[1]!.children[0]!.text)).toBe(BIG);
  });

  it('authenticates with a public key and refuses a host key that is not the known one', async () => {
    const c = await connect({ password: undefined, privateKey: userKey.private });
    expect(c.isConnected).toBe(true);
    const other = generateEd25519KeyPair().public;
    await expect(NetconfClient.connect({ ...base, knownHostKey: other })).rejects.toThrow(NetconfConnectError);
  });

  it('edits running and candidate; commit and discard-changes', async () => {
    const c = await connect();
    const cfg = (desc: string) => `<interfaces xmlns="${IF}"><interface><name>eth1</name><description>${desc}</description></interface></interfaces>`;
    const description = async (ds: 'running' | 'candidate') =>
      (await c.getConfig(ds, `<interfaces xmlns="${IF}"><interface><name>eth1</name><description/></interface></interfaces>`)).children[0]?.children[0]?.children[1]?.text;
    await c.editConfig('running', cfg('direct'));
    expect(await description('running')).toBe('direct');
    await c.editConfig('candidate', cfg('staged'));
    expect(await description('candidate')).toBe('staged');
    expect(await description('running')).toBe('direct');
    await c.commit();
    expect(await description('running')).toBe('staged');
    await c.editConfig('candidate', cfg('dropped'));
    await c.discardChanges();
    expect(await description('candidate')).toBe('staged');
    // The server side drops uncommitted edits too (lab-in-a-box does so when its device is rebuilt).
    await c.editConfig('candidate', cfg('left-over'));
    server.discardCandidate();
    expect(await description('candidate')).toBe('staged');
    await c.editConfig('running', `<interfaces xmlns="${IF}"><interface><name>eth1</name><description nc:operation="delete"/></interface></interfaces>`);
    expect(await description('running')).toBeUndefined();
  });

  it('tells the provider which top-level state trees a get filter can select (the rest need not be built)', async () => {
    const c = await connect();
    const seen: boolean[][] = [];
    const orig = provider.getState.bind(provider);
    provider.getState = (wanted) => {
      seen.push([wanted?.('interfaces-state', IF) ?? true, wanted?.('system', 'urn:example:system') ?? true]);
      return orig(wanted);
    };
    try {
      await c.get(`<interfaces-state xmlns="${IF}"/>`);
      await c.get();
    } finally {
      provider.getState = orig;
    }
    expect(seen).toEqual([
      [true, false],
      [true, true],
    ]);
  });

  it('makes enabled=false visible as oper-status down in state', async () => {
    const c = await connect();
    await c.editConfig('candidate', `<interfaces xmlns="${IF}"><interface><name>eth0</name><enabled>false</enabled></interface></interfaces>`, { defaultOperation: 'merge', testOption: 'test-then-set', errorOption: 'rollback-on-error' });
    await c.commit();
    const data = await c.get(`<interfaces xmlns="${IF}"><interface><name>eth0</name><oper-status/></interface></interfaces>`);
    expect(serializeXml(data)).toContain('<oper-status>down</oper-status>');
    await c.editConfig('running', `<interfaces xmlns="${IF}"><interface><name>eth0</name><enabled>true</enabled></interface></interfaces>`);
  });

  it('denies a lock held by another session, naming the holder, and releases it when the holder leaves', async () => {
    const a = await connect();
    const b = await connect();
    await a.lock('candidate');
    const e = await rpcError(b.lock('candidate'));
    expect(e.tag).toBe('lock-denied');
    expect(errorInfo(e.errors[0]!, 'session-id')).toBe(String(a.sessionId));
    expect((await rpcError(b.editConfig('candidate', `<interfaces xmlns="${IF}"/>`))).tag).toBe('in-use');
    expect((await rpcError(b.unlock('candidate'))).tag).toBe('operation-failed');
    await a.closeSession();
    expect(a.isConnected).toBe(false);
    await b.lock('candidate');
    await b.unlock('candidate');
  });

  it('kills another session; the killed client sees a typed disconnect', async () => {
    const a = await connect();
    const b = await connect();
    await a.killSession(b.sessionId);
    await expect(b.get()).rejects.toThrow(NetconfDisconnectedError);
    expect((await rpcError(a.killSession(a.sessionId))).tag).toBe('invalid-value');
    expect((await rpcError(a.killSession(999_999))).tag).toBe('invalid-value');
  });

  it.each([
    ['<frobnicate/>', 'operation-not-supported'],
    ['<get-config/>', 'missing-element'],
    ['<get-config><source><startup/></source></get-config>', 'invalid-value'],
    ['<edit-config><target><running/></target></edit-config>', 'missing-element'],
    ['<get><filter type="xpath" select="/"/></get>', 'bad-attribute'],
    ['<get>', 'malformed-message'],
    [`<edit-config><target><running/></target><config><interfaces xmlns="${IF}"><interface><name>eth0</name><enabled>maybe</enabled></interface></interfaces></config></edit-config>`, 'invalid-value'],
  ])('answers %s with error-tag %s and keeps the session', async (xml, tag) => {
    const c = await connect();
    expect((await rpcError(c.rpc(xml))).tag).toBe(tag);
    expect((await c.get(`<interfaces xmlns="${IF}"/>`)).children).toHaveLength(1);
  });

  it('stop() ends every session: a connected client sees a typed disconnect', async () => {
    const own = new NetconfServer({ provider, users: [{ username: 'lab', password: 'secret-pw' }] });
    const c = await NetconfClient.connect({ ...base, port: await own.start(), knownHostKey: own.hostPublicKey });
    const pending = c.rpc('<get/>').catch((e: unknown) => e);
    await own.stop();
    const settled = await pending;
    // The reply may win the race with the close; a later RPC cannot.
    expect(settled instanceof NetconfDisconnectedError || (settled as { name?: string }).name === 'rpc-reply').toBe(true);
    await expect(c.get()).rejects.toThrow(NetconfDisconnectedError);
  });

  it('answers malformed XML from a base:1.0 client with operation-failed (malformed-message is base:1.1 only)', async () => {
    const c = await connect({ capabilities: [NETCONF_BASE_1_0] });
    expect((await rpcError(c.rpc('<get>'))).tag).toBe('operation-failed');
  });

  it('matches replies to pipelined RPCs by message-id', async () => {
    const c = await connect();
    const names = ['eth0', 'eth1', 'eth0', 'eth1', 'eth0'];
    const replies = await Promise.all(names.map((n) => c.get(`<interfaces-state xmlns="${IF}"><interface><name>${n}</name></interface></interfaces-state>`)));
    expect(replies.map((d) => d.children[0]!.children[0]!.children[0]!.text)).toEqual(names);
  });
});
