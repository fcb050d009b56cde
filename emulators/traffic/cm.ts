// Connection-matrix files of the UEC reference simulator (htsim): parse and write.
//
// Format, one item per line; `#` starts a comment line; blank lines are ignored:
//   Nodes <N>
//   Connections <C>
//   <src>-><dst> [id <k>] start <microseconds, may be fractional> size <bytes> [prio <p>]
// Hosts are numbered 0..N-1. Errors name the file and the line and say what was expected.
// Trigger-driven workloads (trigger / send_done_trigger / recv_done_trigger, Triggers and
// Failures sections) are recognised and refused with a clear message: not modelled yet.

import { readFileSync } from 'node:fs';

export interface CmConnection {
  src: number;
  dst: number;
  /** Flow id from the file (`id k`), if given. */
  id?: number;
  startUs: number;
  sizeBytes: number;
  prio?: number;
  /** 1-based line of the file. */
  line: number;
}

export interface ConnectionMatrix {
  nodes: number;
  connections: CmConnection[];
}

export class ConnectionMatrixError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = 'ConnectionMatrixError';
  }
}

const CONN = /^(\d+)\s*->\s*(\d+)(?:\s+(.*))?$/;
const UNSUPPORTED = new Set(['trigger', 'send_done_trigger', 'recv_done_trigger']);

function parseNumber(file: string, line: number, key: string, raw: string | undefined, integer: boolean): number {
  if (raw === undefined) throw new ConnectionMatrixError(file, line, `'${key}' needs a value`);
  const v = Number(raw);
  if (!/^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(raw) || !Number.isFinite(v)) {
    throw new ConnectionMatrixError(file, line, `'${key}' expects a ${integer ? 'non-negative integer' : 'non-negative number'}, got '${raw}'`);
  }
  if (integer && !Number.isInteger(v)) throw new ConnectionMatrixError(file, line, `'${key}' expects an integer, got '${raw}'`);
  return v;
}

/** Parses connection-matrix text; `file` names the source in errors. */
export function parseConnectionMatrix(text: string, file = '<input>'): ConnectionMatrix {
  let nodes: number | undefined;
  let declared: number | undefined;
  let declaredLine = 0;
  const connections: CmConnection[] = [];
  const ids = new Map<number, number>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const words = line.split(/\s+/);
    const head = words[0].toLowerCase();
    if (head === 'nodes') {
      if (nodes !== undefined) throw new ConnectionMatrixError(file, lineNo, `'Nodes' given twice`);
      if (words.length !== 2) throw new ConnectionMatrixError(file, lineNo, `expected 'Nodes <N>'`);
      nodes = parseNumber(file, lineNo, 'Nodes', words[1], true);
      if (nodes < 1) throw new ConnectionMatrixError(file, lineNo, `'Nodes' must be at least 1`);
      continue;
    }
    if (head === 'connections') {
      if (declared !== undefined) throw new ConnectionMatrixError(file, lineNo, `'Connections' given twice`);
      if (words.length !== 2) throw new ConnectionMatrixError(file, lineNo, `expected 'Connections <C>'`);
      declared = parseNumber(file, lineNo, 'Connections', words[1], true);
      declaredLine = lineNo;
      continue;
    }
    if (head === 'triggers' || head === 'failures' || head === 'trigger' || head === 'failure') {
      throw new ConnectionMatrixError(file, lineNo, `'${words[0]}' sections are not supported (trigger-driven workloads and failures are not modelled)`);
    }
    const m = CONN.exec(line);
    if (m === null) {
      throw new ConnectionMatrixError(file, lineNo, `expected '<src>-><dst> [id <k>] start <us> size <bytes>', 'Nodes <N>' or 'Connections <C>', got '${line}'`);
    }
    if (nodes === undefined) throw new ConnectionMatrixError(file, lineNo, `connection before the 'Nodes <N>' line`);
    const src = Number(m[1]);
    const dst = Number(m[2]);
    for (const [what, v] of [
      ['source', src],
      ['destination', dst],
    ] as const) {
      if (v >= nodes) throw new ConnectionMatrixError(file, lineNo, `${what} host ${v} is out of range 0..${nodes - 1}`);
    }
    if (src === dst) throw new ConnectionMatrixError(file, lineNo, `host ${src} sends to itself`);
    const rest = m[3] === undefined ? [] : m[3].trim().split(/\s+/);
    const conn: CmConnection = { src, dst, startUs: NaN, sizeBytes: NaN, line: lineNo };
    for (let k = 0; k < rest.length; k += 2) {
      const key = rest[k].toLowerCase();
      const raw = rest[k + 1];
      if (UNSUPPORTED.has(key)) {
        throw new ConnectionMatrixError(file, lineNo, `'${key}' is not supported (trigger-driven workloads are not modelled)`);
      }
      switch (key) {
        case 'id': {
          const id = parseNumber(file, lineNo, key, raw, true);
          const prev = ids.get(id);
          if (prev !== undefined) throw new ConnectionMatrixError(file, lineNo, `flow id ${id} already used on line ${prev}`);
          ids.set(id, lineNo);
          conn.id = id;
          break;
        }
        case 'start':
          conn.startUs = parseNumber(file, lineNo, key, raw, false);
          break;
        case 'size':
          conn.sizeBytes = parseNumber(file, lineNo, key, raw, true);
          break;
        case 'prio':
          conn.prio = parseNumber(file, lineNo, key, raw, true);
          break;
        default:
          throw new ConnectionMatrixError(file, lineNo, `unknown key '${rest[k]}' (expected id, start, size or prio)`);
      }
    }
    if (Number.isNaN(conn.startUs)) throw new ConnectionMatrixError(file, lineNo, `missing 'start <microseconds>'`);
    if (Number.isNaN(conn.sizeBytes)) throw new ConnectionMatrixError(file, lineNo, `missing 'size <bytes>'`);
    if (conn.sizeBytes <= 0) throw new ConnectionMatrixError(file, lineNo, `'size' must be positive`);
    connections.push(conn);
  }
  if (nodes === undefined) throw new ConnectionMatrixError(file, 1, `missing 'Nodes <N>' line (expected at the top of the file)`);
  if (declared !== undefined && declared !== connections.length) {
    throw new ConnectionMatrixError(file, declaredLine, `'Connections ${declared}' but the file lists ${connections.length}`);
  }
  return { nodes, connections };
}

export function loadConnectionMatrix(path: string): ConnectionMatrix {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConnectionMatrixError(path, 0, `cannot read: ${(e as Error).message}`);
  }
  return parseConnectionMatrix(text, path);
}

/** Writes a matrix in the reference format (round-trips with `parseConnectionMatrix`). */
export function formatConnectionMatrix(cm: { nodes: number; connections: Omit<CmConnection, 'line'>[] }): string {
  const out = [`Nodes ${cm.nodes}`, `Connections ${cm.connections.length}`];
  for (const c of cm.connections) {
    out.push(`${c.src}->${c.dst}${c.id !== undefined ? ` id ${c.id}` : ''} start ${c.startUs} size ${c.sizeBytes}${c.prio !== undefined ? ` prio ${c.prio}` : ''}`);
  }
  return out.join('\n') + '\n';
}
