// Audit plumbing: which defect profiles a suite is judged on, and the variant testbeds it runs.
import { describe, expect, it } from 'vitest';
import { parseTestbed } from './testbed.ts';
import { relevantDefects, variantTestbedText } from './audit.ts';
import { defectProfiles } from '../emulators/defects/registry.ts';
import { REQUIREMENTS } from '../suites/requirements.ts';
import { modelKinds } from '../emulators/build.ts';

const TEXT = `name: t
topology:
  devices:
    - { id: sw1, kind: switch, ports: [a, b] }
    - { id: sw2, kind: switch, ports: [a] }
    - { id: gen, kind: traffic-generator, ports: [p] }
  links:
    - { a: "gen:p", b: "sw1:a" }
binding:
  devices:
    sw1: { driver: emulator, defects: [counters-frozen] }
    sw2: { driver: emulator }
    gen: { driver: emulator }
`;

describe('audit', () => {
  it('names only registered requirement IDs and known kinds in every defect profile', () => {
    const kinds = new Set(modelKinds());
    for (const p of defectProfiles()) {
      expect(p.requirements.length, p.id).toBeGreaterThan(0);
      for (const r of p.requirements) expect(REQUIREMENTS[r], `${p.id} cites ${r}`).toBeDefined();
      for (const k of p.appliesTo) expect(kinds.has(k) || k === '*', `${p.id} applies to ${k}`).toBe(true);
    }
  });

  it('judges a suite on the profiles its requirements cover, applied to every emulated device of the kind', () => {
    const tb = parseTestbed(TEXT, 't.yaml');
    const profiles = [
      { id: 'p-covered', description: '', appliesTo: ['switch'], requirements: ['RFC2863-ifOperStatus'] },
      { id: 'p-uncovered', description: '', appliesTo: ['switch'], requirements: ['GSE-FWD-1'] },
      { id: 'p-no-device', description: '', appliesTo: ['router'], requirements: ['RFC2863-ifOperStatus'] },
    ];
    const r = relevantDefects(new Set(['RFC2863-ifOperStatus', 'RFC8343-speed']), tb, profiles);
    expect(r.map((x) => [x.profile.id, x.devices])).toEqual([['p-covered', ['sw1', 'sw2']]]);
  });

  it('writes variant testbeds that add the defect and keep the rest', () => {
    const text = variantTestbedText(TEXT, parseTestbed(TEXT, 't.yaml'), ['sw1', 'sw2'], 'link-down-ignored');
    const tb = parseTestbed(text, 'v.yaml');
    expect(tb.devices.find((d) => d.id === 'sw1')!.defects).toEqual(['counters-frozen', 'link-down-ignored']);
    expect(tb.devices.find((d) => d.id === 'sw2')!.defects).toEqual(['link-down-ignored']);
    expect(tb.devices.find((d) => d.id === 'gen')!.defects).toEqual([]);
    expect(tb.links).toHaveLength(1);
  });

  it('gives a generated device its fabric binding before adding the defect', () => {
    const gen = `name: g
topology:
  fabrics:
    - { id: ls, generator: leaf-spine, params: { leaves: 2, spines: 1, hostsPerLeaf: 1 } }
binding:
  fabrics:
    ls: { driver: emulator }
`;
    const text = variantTestbedText(gen, parseTestbed(gen, 'g.yaml'), ['ls-leaf1'], 'counters-frozen');
    const tb = parseTestbed(text, 'v.yaml');
    expect(tb.devices.find((d) => d.id === 'ls-leaf1')).toMatchObject({ drivers: ['emulator'], defects: ['counters-frozen'], fabric: 'ls' });
    expect(tb.devices.find((d) => d.id === 'ls-leaf0')!.defects).toEqual([]);
  });
});
