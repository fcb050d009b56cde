// Interop: our client and device against Debian's netconfd (OpenYuma) behind sshd on loopback (peers.md recipe).
//
// Checks: hello and both framings, <get> of interfaces-state with the kernel's counters as
// bigints, edit-config on candidate then commit, lock-denied naming the holder, kill-session,
// close-session. Edits touch only a pre-provisioned interface that does not exist in the kernel.
// netconfd 2.13 loses a message that reaches it in the same read as our hello (seen under load;
// its log says nothing in time to wait on), so each new session first gets a harmless probe
// <get-config>, repeated after a short timeout until netconfd answers one.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { errorInfo, NETCONF_BASE_1_0, NetconfRpcError } from '../../protocols/netconf/index.ts';
import { NetconfClient, NetconfDisconnectedError, NetconfTimeoutError, type NetconfConnectOptions } from './client.ts';
import { NetconfDevice } from './device.ts';
import { missingNetconfd, startNetconfd, type NetconfdPeer } from './peers.ts';
import { describeWithPeer } from './testing.ts';

const IF = 'urn:ietf:params:xml:ns:yang:ietf-interfaces';
const FAKE_IF = `fhil${process.pid}`;

/** Waits, with a bound, until netconfd answers this session (see the file comment). */
async function settled(c: NetconfClient): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await c.getConfig('running', `<interfaces xmlns="${IF}"><interface><name>${FAKE_IF}-probe</name></interface></interfaces>`, { timeoutMs: 2000 });
      return;
    } catch (e) {
      if (!(e instanceof NetconfTimeoutError) || attempt === 5) throw e;
    }
  }
}

describeWithPeer('our NETCONF client against netconfd behind sshd', missingNetconfd(), () => {
  let peer: NetconfdPeer | undefined;
  let opts: NetconfConnectOptions;
  const clients: NetconfClient[] = [];
  const connect = async (extra: Partial<NetconfConnectOptions> = {}) => {
    const c = await NetconfClient.connect({ ...opts, ...extra });
    clients.push(c);
    await settled(c);
    return c;
  };

  beforeAll(async () => {
    peer = await startNetconfd();
    opts = { host: '127.0.0.1', port: peer.port, username: peer.username, privateKeyFile: peer.clientKeyFile, timeoutMs: 10_000 };
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await peer?.stop();
  }, 30_000);

  it('exchanges hellos and uses chunked framing (base:1.1)', async () => {
    const c = await connect();
    expect(c.sessionId).toBeGreaterThan(0);
    expect(c.framing).toBe('chunked');
    expect(c.hasCapability('urn:ietf:params:netconf:capability:candidate:1.0')).toBe(true);
    expect(c.hasCapability(IF)).toBe(true);
  });

  it('uses end-of-message framing when we advertise only base:1.0', async () => {
    const c = await connect({ capabilities: [NETCONF_BASE_1_0] });
    expect(c.framing).toBe('eom');
    const data = await c.get(`<interfaces-state xmlns="${IF}"><interface><name>lo</name><oper-status/></interface></interfaces-state>`);
    expect(data.children[0]?.children[0]?.children.map((e) => e.name)).toEqual(['name', 'oper-status']);
  });

  it('gets interfaces-state with the kernel counters as bigints', async () => {
    const c = await connect();
    const device = new NetconfDevice('netconfd', 'host', ['lo'], c);
    const octets = await device.state.get('/interfaces/interface[name=lo]/statistics/in-octets');
    expect(typeof octets).toBe('bigint');
    expect(octets as bigint).toBeGreaterThan(0n); // our own SSH session runs over lo
    const counters = await device.counters.port('lo');
    expect(counters.inOctets).toBeGreaterThanOrEqual(octets as bigint);
    expect(counters.inPkts).toBeGreaterThan(0n);
    expect(await device.state.get('/interfaces/interface[name=lo]/oper-status')).toMatch(/^(up|unknown)$/);
  });

  it('edits the candidate, commits, and sees the change in running', async () => {
    const c = await connect();
    const entry = (desc: string) =>
      `<interfaces xmlns="${IF}"><interface><name>${FAKE_IF}</name><type xmlns:ianaift="urn:ietf:params:xml:ns:yang:iana-if-type">ianaift:ethernetCsmacd</type><description>${desc}</description></interface></interfaces>`;
    await c.editConfig('candidate', entry('fabric-hil interop'));
    await c.commit();
    const running = await c.getConfig('running', `<interfaces xmlns="${IF}"><interface><name>${FAKE_IF}</name></interface></interfaces>`);
    expect(running.children[0]?.children[0]?.children.find((e) => e.name === 'description')?.text).toBe('fabric-hil interop');
    const e = await c.editConfig('candidate', `<interfaces xmlns="${IF}"><interface nc:operation="delete"><name>no-such-if</name></interface></interfaces>`).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetconfRpcError);
    expect((e as NetconfRpcError).tag).toBe('data-missing');
    await c.discardChanges();
  });

  it('brings a (pre-provisioned) link down and back through the device driver', async () => {
    const device = new NetconfDevice('netconfd', 'host', [FAKE_IF], await connect());
    const handle = await device.faults.inject({ kind: 'link-down', port: FAKE_IF });
    expect(await device.config.get(`/interfaces/interface[name=${FAKE_IF}]/enabled`)).toBe(false);
    await device.faults.clear(handle);
    expect(await device.config.get(`/interfaces/interface[name=${FAKE_IF}]/enabled`)).toBeUndefined();
    await device.config.edit(`/interfaces/interface[name=${FAKE_IF}]`, undefined, 'delete');
    expect(await device.config.get(`/interfaces/interface[name=${FAKE_IF}]`)).toBeUndefined();
  });

  it('denies a lock held by a second session with lock-denied naming the holder', async () => {
    const a = await connect();
    const b = await connect();
    await a.lock('candidate');
    const e = await b.lock('candidate').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetconfRpcError);
    expect((e as NetconfRpcError).tag).toBe('lock-denied');
    expect(errorInfo((e as NetconfRpcError).errors[0]!, 'session-id')).toBe(String(a.sessionId));
    await a.unlock('candidate');
  });

  it('stops its peers: netconfd and sshd are gone after stop()', async () => {
    const other = await startNetconfd();
    const c = await NetconfClient.connect({ ...opts, port: other.port, privateKeyFile: other.clientKeyFile });
    await settled(c);
    await c.close();
    await other.stop();
    for (const pid of other.pids) expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  }, 60_000);

  it('kills another session and closes its own with close-session', async () => {
    const a = await connect();
    const b = await connect();
    await a.killSession(b.sessionId);
    await expect(b.get()).rejects.toThrow(NetconfDisconnectedError);
    await a.closeSession();
    expect(a.isConnected).toBe(false);
  });
});
