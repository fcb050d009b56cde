// Interop: Debian's python3-ncclient against our NETCONF server (publickey and password auth, base:1.1).
//
// Checks: hello with base:1.1 (ncclient switches to chunked framing), <get> with a subtree
// filter and a counter64 beyond 2^53, edit_config on candidate + commit, lock-denied between two
// ncclient sessions, and RPCError with the right error-tag for bad requests.
import { afterAll, beforeAll, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { missingNcclient, runPython } from '../../../drivers/netconf/peers.ts';
import { describeWithPeer } from '../../../drivers/netconf/testing.ts';
import { MemoryInterfacesProvider } from './provider.ts';
import { NetconfServer } from './server.ts';
import { generateEd25519KeyPair } from '../../../protocols/netconf/ssh-keys.ts';

const BIG = 2n ** 63n + 12345n;

const SCRIPT = String.raw`
import json, sys
from ncclient import manager
from ncclient.operations import RPCError
from ncclient.transport.session import NetconfBase
from ncclient.xml_ import to_ele

a = json.loads(sys.argv[1])
IF = 'urn:ietf:params:xml:ns:yang:ietf-interfaces'

def connect(**auth):
    return manager.connect(host='127.0.0.1', port=a['port'], username='ops', hostkey_verify=False,
                           allow_agent=False, look_for_keys=False, timeout=20, **auth)

def tag_of(call):
    try:
        call()
        return None
    except RPCError as e:
        return e.tag

out = {}
m = connect(key_filename=a['key'])
out['session_id'] = m.session_id
out['base11'] = m._session._base == NetconfBase.BASE_11
out['candidate'] = ':candidate' in m.server_capabilities
f = '<interfaces-state xmlns="%s"><interface><name>eth0</name><statistics><in-octets/></statistics></interface></interfaces-state>' % IF
out['in_octets'] = m.get(filter=('subtree', f)).data.xpath('//*[local-name()="in-octets"]/text()')[0]
m.edit_config(target='candidate', config='<config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><interfaces xmlns="%s"><interface><name>eth1</name><description>set by ncclient</description></interface></interfaces></config>' % IF)
m.commit()
out['description'] = m.get_config(source='running').data.xpath('//*[local-name()="description"]/text()')
m.lock('running')
m2 = connect(password=a['password'])
out['password_session'] = m2.session_id
out['lock_tag'] = tag_of(lambda: m2.lock('running'))
m.unlock('running')
out['unknown_op_tag'] = tag_of(lambda: m2.dispatch(to_ele('<frobnicate xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"/>')))
out['bad_source_tag'] = tag_of(lambda: m2.get_config(source='startup'))
out['delete_missing_tag'] = tag_of(lambda: m2.edit_config(target='running', config='<config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0"><interfaces xmlns="%s"><interface nc:operation="delete"><name>eth9</name></interface></interfaces></config>' % IF))
m2.close_session()
m.close_session()
print(json.dumps(out))
`;

describeWithPeer('ncclient against our NETCONF server', missingNcclient(), () => {
  let server: NetconfServer | undefined;
  let provider: MemoryInterfacesProvider;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhil-ncclient-key-'));
    const key = generateEd25519KeyPair();
    fs.writeFileSync(path.join(dir, 'id_ed25519'), key.private, { mode: 0o600 });
    provider = new MemoryInterfacesProvider([{ name: 'eth0', counters: { 'in-octets': BIG } }, { name: 'eth1' }]);
    server = new NetconfServer({ provider, users: [{ username: 'ops', password: 'ops-pw', publicKeys: [key.public] }] });
    await server.start();
  });

  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('talks base:1.1, gets, edits the candidate, commits, and sees rpc-errors with the right tags', async () => {
    const out = (await runPython(SCRIPT, { port: server!.port, key: path.join(dir, 'id_ed25519'), password: 'ops-pw' }, 60_000)) as Record<string, unknown>;
    expect(out.session_id).toMatch(/^\d+$/);
    expect(out.base11).toBe(true);
    expect(out.candidate).toBe(true);
    expect(out.in_octets).toBe(String(BIG));
    expect(out.description).toEqual(['set by ncclient']);
    expect(out.password_session).not.toBe(out.session_id);
    expect(out.lock_tag).toBe('lock-denied');
    expect(out.unknown_op_tag).toBe('operation-not-supported');
    expect(out.bad_source_tag).toBe('invalid-value');
    expect(out.delete_missing_tag).toBe('data-missing');
    expect(server!.sessionIds).toEqual([]);
  }, 90_000);
});
