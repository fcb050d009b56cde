// Checks connection-matrix parsing (the reference simulator's workload format) and its errors,
// and the workload generators.
import { describe, expect, it } from 'vitest';
import { ConnectionMatrixError, formatConnectionMatrix, loadConnectionMatrix, parseConnectionMatrix } from './cm.ts';
import { allToAll, incast, permutation, ringAllReduce, toConnections } from './generators.ts';
import { Rng } from '../sim/rng.ts';

describe('connection matrix', () => {
  it('parses nodes, connections, ids, fractional starts and comments', () => {
    const cm = parseConnectionMatrix('# a comment\nNodes 16\nConnections 2\n0->13 start 0 size 2000000\n\n3->4 id 7 start 1.5 size 100\n');
    expect(cm.nodes).toBe(16);
    expect(cm.connections).toEqual([
      { src: 0, dst: 13, startUs: 0, sizeBytes: 2_000_000, line: 4 },
      { src: 3, dst: 4, id: 7, startUs: 1.5, sizeBytes: 100, line: 6 },
    ]);
  });

  it('round-trips through the writer', () => {
    const text = formatConnectionMatrix({ nodes: 8, connections: [{ src: 1, dst: 2, id: 1, startUs: 0.25, sizeBytes: 4096 }] });
    const cm = parseConnectionMatrix(text);
    expect(cm.connections[0]).toMatchObject({ src: 1, dst: 2, id: 1, startUs: 0.25, sizeBytes: 4096 });
  });

  const bad: [string, RegExp][] = [
    ['Nodes 4\n0->1 start 0\n', /f\.cm:2: missing 'size/],
    ['Nodes 4\n0->1 size 10\n', /f\.cm:2: missing 'start/],
    ['Nodes 4\n0->9 start 0 size 10\n', /f\.cm:2: destination host 9 is out of range 0\.\.3/],
    ['Nodes 4\n2->2 start 0 size 10\n', /f\.cm:2: host 2 sends to itself/],
    ['Nodes 4\n0->1 start x size 10\n', /f\.cm:2: 'start' expects a non-negative number, got 'x'/],
    ['Nodes 4\n0->1 start 0 size 1.5\n', /f\.cm:2: 'size' expects/],
    ['Nodes 4\n0->1 start 0 size 10 color red\n', /f\.cm:2: unknown key 'color'/],
    ['Nodes 4\n0->1 start 0 size 10 trigger 1\n', /f\.cm:2: 'trigger' is not supported/],
    ['Nodes 4\n0 to 1\n', /f\.cm:2: expected '<src>-><dst>/],
    ['0->1 start 0 size 10\n', /f\.cm:1: connection before the 'Nodes <N>' line/],
    ['Nodes 4\nConnections 3\n0->1 start 0 size 10\n', /f\.cm:2: 'Connections 3' but the file lists 1/],
    ['Nodes 4\n0->1 id 1 start 0 size 10\n1->2 id 1 start 0 size 10\n', /f\.cm:3: flow id 1 already used on line 2/],
    ['Connections 0\n', /f\.cm:1: missing 'Nodes <N>' line/],
    ['Nodes 4\n0->1 start 0 size 0\n', /f\.cm:2: 'size' must be positive/],
  ];
  bad.forEach(([text, re], i) => {
    it(`rejects bad input #${i} (${re.source.split(': ')[1] ?? re.source}) naming file and line`, () => {
      expect(() => parseConnectionMatrix(text, 'f.cm')).toThrow(ConnectionMatrixError);
      expect(() => parseConnectionMatrix(text, 'f.cm')).toThrow(re);
    });
  });

  it('names a file it cannot read', () => {
    expect(() => loadConnectionMatrix('/nonexistent/x.cm')).toThrow(/\/nonexistent\/x\.cm:0: cannot read/);
  });
});

describe('generators', () => {
  it('permutation: everyone sends once, receives once, never to itself', () => {
    const flows = permutation(64, 1000, new Rng(3));
    expect(new Set(flows.map((f) => f.dst)).size).toBe(64);
    expect(flows.every((f) => f.src !== f.dst)).toBe(true);
    expect(permutation(64, 1000, new Rng(3))).toEqual(flows);
  });

  it('incast, all-to-all and ring all-reduce shapes', () => {
    expect(incast([0, 1, 2, 3], 3, 10).map((f) => f.src)).toEqual([0, 1, 2]);
    expect(allToAll([0, 1, 2], 5).length).toBe(6);
    const ring = ringAllReduce([0, 1, 2, 3], 4000);
    expect(ring.length).toBe(2 * 3 * 4);
    expect(ring[0]).toMatchObject({ src: 0, dst: 1, bytes: 1000 });
    expect(ring[4].dependsOn).toEqual([3]); // host 0, step 1 waits for host 3's step 0
    expect(toConnections(ring.slice(0, 2))[1]).toMatchObject({ src: 1, dst: 2, id: 2, sizeBytes: 1000 });
  });
});
