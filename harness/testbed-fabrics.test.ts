// Generated fabrics in testbeds: expansion, binding by fabric, overrides, and problems placed on the fabric entry.
import { describe, expect, it } from 'vitest';
import { parseTestbed, TestbedError, type TestbedProblem } from './testbed.ts';
import { bindTestbed } from './bind.ts';

const BASE = `name: ft
topology:
  fabrics:
    - id: ft
      generator: fat-tree
      params: { k: 4, hosts: 14 }
  devices:
    - { id: probe, kind: traffic-generator, ports: [p0] }
  links:
    - { a: "probe:p0", b: "ft-tor7:p1" }
binding:
  fabrics:
    ft: { driver: emulator }
  devices:
    probe: { driver: emulator }
    ft-tor0: { driver: emulator, defects: [counters-frozen] }
`;

function problems(text: string): Array<[number, string, string]> {
  try {
    parseTestbed(text, 't.yaml');
  } catch (err) {
    if (err instanceof TestbedError) return err.problems.map((p: TestbedProblem) => [p.line, p.path, p.message]);
    throw err;
  }
  throw new Error('expected problems');
}

describe('testbed fabrics', () => {
  it('expands a generator into devices and links, bound by fabric with per-device overrides', () => {
    const tb = parseTestbed(BASE, 't.yaml');
    const kinds = tb.devices.reduce<Record<string, number>>((m, d) => ((m[d.kind] = (m[d.kind] ?? 0) + 1), m), {});
    // k=4: 8 ToR + 8 aggregation + 4 core switches; 14 generated hosts plus the probe
    expect(kinds).toEqual({ switch: 20, 'traffic-generator': 15 });
    expect(tb.links).toHaveLength(1 + 14 + 16 + 16);
    expect(tb.devices.find((d) => d.id === 'ft-tor0')!.defects).toEqual(['counters-frozen']);
    expect(tb.devices.find((d) => d.id === 'ft-tor1')!.defects).toEqual([]);
    expect(tb.devices.every((d) => d.drivers[0] === 'emulator')).toBe(true);
  });

  it('binds: the twin carries a flow from a generated host across the fabric to the probe', async () => {
    const bound = await bindTestbed(parseTestbed(BASE, 't.yaml'), { seed: 1, driverTimeoutMs: 5000 });
    try {
      const src = bound.devices.get('ft-h0')!;
      await src.traffic!.setFlows([{ name: 'f', txPort: 'p0', rxPort: 'probe:p0', bytes: 150_000, frameBytes: 1500 }]);
      await src.traffic!.start();
      await src.clock!.advance(1e8);
      const [m] = await src.traffic!.metrics();
      expect(m).toMatchObject({ done: true, rxFrames: 100 });
    } finally {
      await bound.close();
    }
  });

  it('reports generator and binding problems at the fabric entry', () => {
    const bad = BASE.replace('params: { k: 4, hosts: 14 }', 'params: { k: 5 }');
    expect(problems(bad)).toEqual([[6, 'topology.fabrics[0].params.k', 'expected an even number, got 5']]);
    const unknown = BASE.replace('generator: fat-tree', 'generator: fat-three');
    expect(problems(unknown)[0]).toEqual([5, 'topology.fabrics[0].generator', expect.stringContaining("unknown generator 'fat-three'")]);
    const param = BASE.replace('params: { k: 4, hosts: 14 }', 'params: { k: 4, hostz: 3 }');
    expect(problems(param)[0]).toEqual([6, 'topology.fabrics[0].params.hostz', expect.stringContaining("unknown parameter 'hostz'")]);
    const unbound = BASE.replace('    ft: { driver: emulator }\n', '');
    expect(problems(unbound)).toContainEqual([expect.any(Number), 'binding', "no binding for fabric 'ft' (expected an entry 'ft:' under binding.fabrics)"]);
    const reuse = BASE.replace('ft-tor7:p1', 'ft-tor0:p0');
    expect(problems(reuse)).toEqual([[10, 'topology.links[0].b', "port 'ft-tor0:p0' is already used by fabric 'ft' (a port takes part in at most one link)"]]);
    const clash = BASE.replace('{ id: probe,', '{ id: ft-h3,').replace('probe:p0', 'ft-h3:p0').replace('    probe: { driver', '    ft-h3: { driver');
    expect(problems(clash)).toContainEqual([4, 'topology.fabrics[0].id', "fabric 'ft' generates device 'ft-h3', already declared at topology.devices[0]"]);
  });
});
