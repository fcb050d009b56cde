// Testbed loading: valid files load into typed testbeds; each broken fixture gives exactly its problems.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEVICE_KINDS, DRIVERS, LAB_DRIVERS, isKnownKind } from './kinds.ts';
import { isSecretField } from './secrets.ts';
import {
  DEFAULT_TESTBED,
  TESTBED_SCHEMA_FILE,
  TestbedError,
  formatProblems,
  loadTestbed,
  parseTestbed,
  summarizeTestbed,
  validateFiles,
  type TestbedProblem,
} from './testbed.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/testbeds/${name}`, import.meta.url));
const DEMO = fixture('demo.yaml');
const LAB_EXAMPLE = fileURLToPath(new URL('../config/testbeds/lab-example.yaml', import.meta.url));

function problems(run: () => unknown): TestbedProblem[] {
  try {
    run();
  } catch (err) {
    if (err instanceof TestbedError) return err.problems;
    throw err;
  }
  throw new Error('expected a TestbedError');
}

/** [line, col, path, message] of each problem in a fixture. */
function problemsIn(name: string): [number, number, string, string][] {
  return problems(() => loadTestbed(fixture(name))).map((p) => [p.line, p.col, p.path, p.message]);
}

describe('valid testbeds', () => {
  it('loads the default emulator testbed: all emulated, the demo devices among them', () => {
    const tb = loadTestbed(DEFAULT_TESTBED);
    expect(DEFAULT_TESTBED).toMatch(/config\/testbeds\/emulator\.yaml$/);
    expect(tb.name).toBe('emulator-default');
    expect(tb.devices.every((d) => d.drivers.join() === 'emulator')).toBe(true);
    expect(tb.devices.find((d) => d.id === 'dut1')).toMatchObject({ kind: 'switch', ports: ['port1', 'port2'] });
    expect(tb.devices.find((d) => d.id === 'ate1')).toMatchObject({ kind: 'traffic-generator', ports: ['p1', 'p2'] });
  });

  it('loads the demo testbed into exactly its devices and links', () => {
    const tb = loadTestbed(DEMO);
    expect(tb.name).toBe('emulator-default');
    expect(tb.devices.map((d) => [d.id, d.kind, d.ports, d.drivers])).toEqual([
      ['dut1', 'switch', ['port1', 'port2'], ['emulator']],
      ['ate1', 'traffic-generator', ['p1', 'p2'], ['emulator']],
    ]);
    expect(tb.devices[0].params).toEqual({ rateBps: 100e9 });
    expect(tb.devices[1]).toMatchObject({ params: {}, settings: {}, defects: [], deviations: [] });
    expect(tb.links).toEqual([
      { a: { device: 'ate1', port: 'p1' }, b: { device: 'dut1', port: 'port1' } },
      { a: { device: 'ate1', port: 'p2' }, b: { device: 'dut1', port: 'port2' }, rateBps: 100e9, lengthKm: 0.001, fibre: 'smf' },
    ]);
    expect(summarizeTestbed(tb)).toBe('emulator-default: 2 devices (1 switch, 1 traffic-generator), 2 links, drivers: emulator');
  });

  it('loads the lab example with several drivers per device and unresolved secret references', () => {
    const tb = loadTestbed(LAB_EXAMPLE);
    const dut1 = tb.devices.find((d) => d.id === 'dut1')!;
    expect(dut1.ports).toHaveLength(64);
    expect(dut1.ports.slice(0, 2)).toEqual(['port1', 'port2']);
    expect(dut1.drivers).toEqual(['netconf', 'snmp']);
    expect(dut1.settings.netconf).toEqual({ host: '192.0.2.10', port: 830, username: 'admin', password: '${env:DUT1_NETCONF_PASSWORD}' });
    expect(dut1.settings.snmp).toMatchObject({ version: 'v3', authKey: '${env:DUT1_SNMP_AUTH}' });
    expect(dut1.deviations).toEqual([
      { id: 'lldp-ttl-ignored', reason: 'Firmware 4.2 keeps LLDP neighbours past their TTL; fixed in 4.3.', link: 'https://bugs.example/123' },
    ]);
    expect(tb.devices.find((d) => d.id === 'module1')!.settings).toEqual({ serial: { path: '/dev/ttyUSB0', baudRate: 115200 } });
    expect(tb.links[2]).toMatchObject({ fibre: 'hollow-core', lengthKm: 2 });
    expect(summarizeTestbed(tb)).toBe('lab-example: 3 devices (1 switch, 1 router, 1 optical-module), 3 links, drivers: netconf, snmp, serial');
  });

  it('expands port ranges and fills defaults', () => {
    const tb = loadTestbed(fixture('valid-range.yaml'));
    const [leaf, nic] = tb.devices;
    expect(leaf.ports).toEqual(['eth0', 'eth1', 'eth2', 'eth3']);
    expect(leaf.settings.netconf).toMatchObject({ host: '${env:LEAF1_HOST}', port: 830 });
    expect(nic.defects).toEqual(['go-back-n']);
    expect(tb.links).toEqual([]);
  });
});

describe('broken testbeds: every problem with its line, column, field path and what was expected', () => {
  it('reports a YAML syntax error with its position', () => {
    const [p] = problemsIn('syntax-error.yaml');
    expect(p.slice(0, 3)).toEqual([8, 1, '']);
    expect(p[3]).toMatch(/^YAML syntax: Flow sequence/);
  });

  it('names an unknown field and the fields it could have been', () => {
    expect(problemsIn('unknown-field.yaml')).toEqual([
      [7, 7, 'topology.devices[0].prots', "unknown field 'prots' (expected one of id, kind, ports, params)"],
    ]);
  });

  it('points a missing field at its parent object', () => {
    expect(problemsIn('missing-field.yaml')).toEqual([
      [5, 7, 'topology.devices[0]', "required field 'kind' is missing"],
      [11, 7, 'topology.links[0]', "required field 'b' is missing"],
    ]);
  });

  it('says which values, types and forms were expected', () => {
    const kinds = DEVICE_KINDS.map((k) => k.id).join(', ');
    expect(problemsIn('bad-values.yaml')).toEqual([
      [6, 13, 'topology.devices[0].kind', `unknown device kind 'swtich' (did you mean 'switch'? known kinds: ${kinds})`],
      [10, 7, 'topology.devices[1].ports', 'expected a list of port names or a range { prefix, from, to } (the field is empty)'],
      [12, 50, 'topology.links[0].rateBps', 'expected a number'],
      [12, 63, 'topology.links[0].fibre', 'expected one of smf, hollow-core'],
      [13, 12, 'topology.links[1].a', "expected 'device:port' (e.g. 'dut1:port1')"],
      [13, 51, 'topology.links[1].lengthKm', 'expected a number >= 0'],
      [17, 15, 'binding.devices.dut1.driver', `expected one of ${DRIVERS.join(', ')}`],
      [19, 25, 'binding.devices.dut2.driver[1]', `expected one of ${LAB_DRIVERS.join(', ')}`],
      [20, 41, 'binding.devices.dut2.netconf.port', 'expected a port number from 1 to 65535'],
    ]);
  });

  it('checks that link ends name declared devices and ports, each port in one link', () => {
    expect(problemsIn('bad-links.yaml')).toEqual([
      [12, 26, 'topology.links[0].b', "port 'port9' is not declared on device 'dut1' (ports: port1, port2)"],
      [13, 26, 'topology.links[1].b', "device 'dtu1' is not declared in topology.devices (did you mean 'dut1'? devices: dut1, ate1)"],
      [14, 12, 'topology.links[2].a', "port 'ate1:p2' is already used by topology.links[1].a (a port takes part in at most one link)"],
    ]);
  });

  it('matches binding entries to topology devices and settings sections to drivers', () => {
    expect(problemsIn('binding-mismatch.yaml')).toEqual([
      [14, 3, 'binding.devices', "no binding for device 'dut2' (expected an entry 'dut2:' here)"],
      [15, 5, 'binding.devices.dut1', "driver 'netconf' needs a 'netconf:' settings section"],
      [18, 7, 'binding.devices.dut1.serial', "'serial' settings, but the driver is netconf, snmp (expected 'serial' in driver, or no 'serial:' section)"],
      [19, 7, 'binding.devices.dut1.defects', 'defects apply only to emulated devices (expected driver emulator, not netconf, snmp)'],
      [20, 5, 'binding.devices.dut3', "device 'dut3' is not in the topology (devices: dut1, dut2, module1)"],
    ]);
  });

  it('finds duplicate ids, ports, defects and deviations, and non-kebab deviation ids', () => {
    expect(problemsIn('duplicates.yaml')).toEqual([
      [7, 29, 'topology.devices[0].ports[2]', "duplicate port 'port1' on device 'dut1' (also ports[0])"],
      [8, 11, 'topology.devices[1].id', "duplicate device id 'dut1' (first declared at topology.devices[0])"],
      [14, 28, 'binding.devices.dut1.defects[1]', "duplicate defect 'go-back-n' (also defects[0])"],
      [16, 17, 'binding.devices.dut1.deviations[0].id', "expected a kebab-case id such as 'lldp-ttl-ignored'"],
      [18, 17, 'binding.devices.dut1.deviations[2].id', "duplicate deviation id 'slow-bfd' (also deviations[1])"],
      [18, 50, 'binding.devices.dut1.deviations[2].link', 'expected a URL (http:// or https://)'],
    ]);
  });

  it('applies the NETCONF login and SNMP version rules', () => {
    expect(problemsIn('lab-rules.yaml')).toEqual([
      [13, 16, 'binding.devices.dut1.netconf', "expected 'password' or 'privateKeyFile' (how to log in)"],
      [13, 52, 'binding.devices.dut1.netconf.passphrase', "expected 'privateKeyFile' with it (a passphrase unlocks a private key file)"],
      [14, 13, 'binding.devices.dut1.snmp', "required field 'community' is missing (snmp v2c)"],
      [14, 46, 'binding.devices.dut1.snmp.user', "'user' is for snmp v3 (version is v2c)"],
      [17, 7, 'binding.devices.dut2.snmp', "required field 'user' is missing (snmp v3)"],
      [20, 9, 'binding.devices.dut2.snmp.community', "'community' is for snmp v2c (version is v3)"],
      [21, 9, 'binding.devices.dut2.snmp.privProtocol', "privacy needs authentication (expected 'authProtocol' and 'authKey')"],
      [23, 20, 'binding.devices.dut2.snmp.timeoutMs', 'expected a number >= 1'],
    ]);
  });

  it('reports a literal secret without ever repeating its value', () => {
    expect(problemsIn('literal-secret.yaml')).toEqual([
      [12, 63, 'binding.devices.dut1.netconf.password', 'literal secret: use ${env:NAME}'],
      [20, 18, 'binding.devices.dut1.snmp.privKey', 'malformed reference: expected exactly ${env:NAME}'],
    ]);
    const err = problems(() => loadTestbed(fixture('literal-secret.yaml')));
    const text = formatProblems(err) + JSON.stringify(err) + validateFiles([fixture('literal-secret.yaml')]).output;
    expect(text).not.toContain('Hunter2');
    expect(text).not.toContain('DUT1 SNMP PRIV');
  });

  it('treats any field named like a secret as one, wherever it is', () => {
    const text = [
      'name: t',
      'topology:',
      '  devices:',
      '    - { id: d, kind: host, params: { apiToken: abc123, vendorSecret: 42, note: "${env:NOTE}" } }',
      'binding:',
      '  devices:',
      '    d: { driver: emulator }',
    ].join('\n');
    expect(problems(() => parseTestbed(text, 'inline.yaml')).map((p) => [p.line, p.path, p.message])).toEqual([
      [4, 'topology.devices[0].params.apiToken', 'literal secret: use ${env:NAME}'],
      [4, 'topology.devices[0].params.vendorSecret', 'literal secret: use ${env:NAME}'],
    ]);
  });

  it('reports every problem of a file at once, in file order', () => {
    const found = problemsIn('many-problems.yaml');
    expect(found).toHaveLength(26);
    expect(found.map(([line]) => line)).toEqual([...found.map(([line]) => line)].sort((a, b) => a - b));
    expect(found).toContainEqual([7, 7, 'topology.devices[0].prots', "unknown field 'prots' (expected one of id, kind, ports, params)"]);
    expect(found).toContainEqual([11, 7, 'topology.devices[2]', "required field 'id' is missing"]);
    expect(found).toContainEqual([15, 14, 'topology.devices[3].ports', "required field 'to' is missing"]);
    expect(found).toContainEqual([27, 50, 'binding.devices.dut1.netconf.password', 'literal secret: use ${env:NAME}']);
    expect(found).toContainEqual([28, 30, 'binding.devices.ate1.snmp', "'snmp' settings, but the driver is netconf (expected 'snmp' in driver, or no 'snmp:' section)"]);
    expect(found).toContainEqual([36, 1, 'extra', "unknown field 'extra' (expected one of name, description, topology, binding)"]);
    expect(found.filter(([, , path]) => path.endsWith('password'))).toHaveLength(1);
  });

  it('reports empty, non-mapping and multi-document files', () => {
    expect(problems(() => parseTestbed('# nothing\n', 'e.yaml'))).toEqual([
      { file: 'e.yaml', line: 1, col: 1, path: '', message: 'the file is empty: expected a testbed with name, topology and binding' },
    ]);
    expect(problems(() => parseTestbed('- a\n', 'l.yaml'))[0].message).toBe('expected a fabric-hil testbed (a mapping with name, topology and binding)');
    expect(problems(() => parseTestbed('name: a\n---\nname: b\n', 'm.yaml'))[0]).toMatchObject({ line: 2, col: 1 });
    expect(problems(() => parseTestbed('name: a\nname: b\n', 'd.yaml'))[0]).toMatchObject({ line: 2, message: expect.stringContaining('duplicate field') });
  });
});

describe('formatProblems and validateFiles', () => {
  it('prints FILE:LINE:COL: path: message, one line each', () => {
    expect(formatProblems([{ file: 'a.yaml', line: 3, col: 5, path: 'topology.links[1].b', message: 'expected x' }, { file: 'a.yaml', line: 1, col: 1, path: '', message: 'bad' }])).toBe(
      'a.yaml:3:5: topology.links[1].b: expected x\na.yaml:1:1: bad',
    );
  });

  it('gives a summary per valid file and the problems of the others', () => {
    const missing = fixture('no-such-file.yaml');
    const ok = validateFiles([DEMO, LAB_EXAMPLE]);
    expect(ok.ok).toBe(true);
    expect(ok.output.split('\n')).toEqual([
      `${DEMO}: OK emulator-default: 2 devices (1 switch, 1 traffic-generator), 2 links, drivers: emulator`,
      `${LAB_EXAMPLE}: OK lab-example: 3 devices (1 switch, 1 router, 1 optical-module), 3 links, drivers: netconf, snmp, serial`,
    ]);
    const bad = validateFiles([DEMO, fixture('unknown-field.yaml'), missing]);
    expect(bad.ok).toBe(false);
    expect(bad.output.split('\n').slice(1)).toEqual([
      `${fixture('unknown-field.yaml')}:7:7: topology.devices[0].prots: unknown field 'prots' (expected one of id, kind, ports, params)`,
      `${missing}:1:1: cannot read the file: no such file`,
    ]);
  });
});

describe('schema and registries agree', () => {
  const schema = JSON.parse(readFileSync(TESTBED_SCHEMA_FILE, 'utf8'));

  it('lists the same drivers as harness/kinds.ts', () => {
    const [one, many] = schema.definitions.deviceBinding.properties.driver.oneOf;
    expect(one.enum).toEqual([...DRIVERS]);
    expect(many.items.enum).toEqual([...LAB_DRIVERS]);
    for (const lab of LAB_DRIVERS) expect(schema.definitions.deviceBinding.properties[lab]).toBeDefined();
  });

  it('makes every secret-named setting a ${env:NAME} reference', () => {
    for (const section of ['netconf', 'snmp', 'serial']) {
      for (const [name, prop] of Object.entries<Record<string, unknown>>(schema.definitions[section].properties)) {
        expect(prop.$ref === '#/definitions/secretRef', `${section}.${name}`).toBe(isSecretField(name));
      }
    }
  });

  it('knows each kind once', () => {
    const ids = DEVICE_KINDS.map((k) => k.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(isKnownKind('gse-gsp')).toBe(true);
    expect(isKnownKind('toaster')).toBe(false);
  });
});
