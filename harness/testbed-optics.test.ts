// Testbed-wide optics rules and extra ports on generated devices: what they put where, and the problems they report.
import { describe, expect, it } from 'vitest';
import { parseTestbed, TestbedError, type TestbedProblem } from './testbed.ts';
import { bindTestbed } from './bind.ts';

const tb = (optics: string, extra = '', links = '') => `name: o
topology:
  optics:
${optics}
  fabrics:
    - id: ls
      generator: leaf-spine
      params: { leaves: 2, spines: 1, hostsPerLeaf: 1, rateBps: 400000000000 }
${extra}
  devices:
    - { id: edge, kind: switch, ports: [p1, p2, p3] }
    - { id: far, kind: host, ports: [p1] }
    - { id: dsp, kind: host, ports: [p1], params: { optics: { default: conventional-400g-lr4 } } }
  links:
    - { a: "edge:p1", b: "far:p1", rateBps: 800000000000, lengthKm: 120 }
    - { a: "edge:p2", b: "dsp:p1", rateBps: 400000000000, lengthKm: 5 }
${links}
binding:
  fabrics: { ls: { driver: emulator } }
  devices: { edge: { driver: emulator }, far: { driver: emulator }, dsp: { driver: emulator } }
`;

const RULES = `    - { rateBps: 400000000000, maxKm: 2, profile: conventional-400g-fr4 }
    - { rateBps: 800000000000, minKm: 10, profile: coherent-800g-zr-plus }`;

function problems(text: string): Array<[string, string]> {
  try {
    parseTestbed(text, 't.yaml');
  } catch (err) {
    if (err instanceof TestbedError) return err.problems.map((p: TestbedProblem) => [p.path, p.message]);
    throw err;
  }
  throw new Error('expected problems');
}

const moduleAt = (t: ReturnType<typeof parseTestbed>, id: string, port: string) =>
  ((t.devices.find((d) => d.id === id)!.params.optics as { ports?: Record<string, unknown> } | undefined)?.ports ?? {})[port];

describe('testbed optics rules', () => {
  it('puts a module of the fitting rule on both ends of every link, and the far end of a declared module gets the same', () => {
    const t = parseTestbed(tb(RULES), 't.yaml');
    expect(moduleAt(t, 'edge', 'p1')).toBe('coherent-800g-zr-plus');
    expect(moduleAt(t, 'far', 'p1')).toBe('coherent-800g-zr-plus');
    expect(moduleAt(t, 'edge', 'p2')).toBe('conventional-400g-lr4');
    for (const l of t.links.filter((x) => x.a.device.startsWith('ls-'))) {
      expect(moduleAt(t, l.a.device, l.a.port)).toBe('conventional-400g-fr4');
      expect(moduleAt(t, l.b.device, l.b.port)).toBe('conventional-400g-fr4');
    }
    expect(moduleAt(t, 'edge', 'p3')).toBeUndefined();
  });

  it('builds: the 120 km coherent link is up, its modules report the fibre', async () => {
    const bound = await bindTestbed(parseTestbed(tb(RULES), 't.yaml'), { seed: 1, driverTimeoutMs: 5000 });
    try {
      const ports = (await bound.devices.get('edge')!.state!.get('/optics/ports')) as Array<{ name: string; profile: string; lengthM: number }>;
      expect(ports.find((p) => p.name === 'p1')).toMatchObject({ profile: 'coherent-800g-zr-plus', lengthM: 120_000 });
      expect(await bound.devices.get('edge')!.state!.get('/interfaces/interface[name=p1]/oper-status')).toBe('up');
    } finally {
      await bound.close();
    }
  });

  it('names a link no rule fits, an unknown profile, and a profile of another rate', () => {
    const p1 = problems(tb(`    - { rateBps: 800000000000, minKm: 10, profile: coherent-800g-zr-plus }`));
    expect(p1).toHaveLength(1);
    expect(p1[0]![0]).toBe('topology.optics');
    expect(p1[0]![1]).toBe(
      'no rule fits 4 links ls-h0:p0 - ls-leaf0:p0 (400 Gb/s, 0.2 km); ls-h1:p0 - ls-leaf1:p0 (400 Gb/s, 0.2 km); ls-leaf0:p1 - ls-spine0:p0 (400 Gb/s, 0.2 km) and 1 more: ' +
        "expected a rule with the link's rateBps and a minKm..maxKm range holding its length",
    );
    expect(problems(tb(`    - { rateBps: 400000000000, profile: conventional-400g-fr5 }`))).toEqual([
      ['topology.optics[0].profile', expect.stringMatching(/^unknown optics profile 'conventional-400g-fr5' \(profiles: conventional-400g-fr4, /)],
    ]);
    expect(problems(tb(`    - { rateBps: 400000000000, profile: conventional-800g-dr8 }`))).toEqual([
      ['topology.optics[0].rateBps', "profile 'conventional-800g-dr8' runs at 800 Gb/s: expected rateBps 800000000000, got 400000000000"],
    ]);
    expect(problems(tb(`    - { rateBps: 400000000000, profile: conventional-400g-fr4, minKm: 2, maxKm: 1 }`))).toEqual([
      ['topology.optics[0].maxKm', 'expected maxKm >= minKm (2), got 1'],
    ]);
  });
});

describe('extra ports on generated devices', () => {
  const extra = `      extraPorts: { ls-spine0: [up1] }`;
  it('adds the ports, where the testbed links the fabric to the rest', () => {
    const t = parseTestbed(tb(RULES, extra, `    - { a: "ls-spine0:up1", b: "edge:p3", rateBps: 400000000000, lengthKm: 1 }`), 't.yaml');
    expect(t.devices.find((d) => d.id === 'ls-spine0')!.ports.at(-1)).toBe('up1');
    expect(moduleAt(t, 'ls-spine0', 'up1')).toBe('conventional-400g-fr4');
  });

  it('names a device the fabric does not generate and a port the device already has', () => {
    expect(problems(tb(RULES, `      extraPorts: { ls-spine9: [up1] }`))).toEqual([
      ['topology.fabrics[0].extraPorts.ls-spine9', expect.stringMatching(/^the fabric generates no device 'ls-spine9' \(devices: ls-/)],
    ]);
    expect(problems(tb(RULES, `      extraPorts: { ls-spine0: [p0] }`))).toEqual([
      ['topology.fabrics[0].extraPorts.ls-spine0[0]', expect.stringMatching(/^device 'ls-spine0' already has a port 'p0' \(ports: p0, /)],
    ]);
  });
});
