// YAML-style configuration and state paths of the router model: `/a/b[k=v]/c` split into segments.
//
// A path is a list of segments, each a name with optional `[key=value]` predicates. `matchPath`
// compares a path against a pattern whose predicates name the keys to capture (`[name=*]`), and
// tolerates a trailing `config` or `state` segment before the leaf being absent. Errors are
// RouterConfigError with the path and what was expected.

export interface PathSegment {
  name: string;
  keys: Record<string, string>;
}

export class RouterConfigError extends Error {
  constructor(
    readonly deviceId: string,
    message: string,
  ) {
    super(`device '${deviceId}': ${message}`);
    this.name = 'RouterConfigError';
  }
}

/** Splits `/network-instances/network-instance[name=a]/config` into segments. */
export function parsePath(path: string): PathSegment[] | null {
  if (!path.startsWith('/')) return null;
  const out: PathSegment[] = [];
  let i = 1;
  while (i < path.length) {
    let name = '';
    while (i < path.length && path[i] !== '/' && path[i] !== '[') name += path[i++];
    const keys: Record<string, string> = {};
    while (path[i] === '[') {
      const end = path.indexOf(']', i);
      if (end < 0) return null;
      const body = path.slice(i + 1, end);
      const eq = body.indexOf('=');
      if (eq <= 0) return null;
      keys[body.slice(0, eq)] = body.slice(eq + 1);
      i = end + 1;
    }
    if (name === '') return null;
    out.push({ name, keys });
    if (path[i] === '/') i++;
  }
  return out;
}

/**
 * Matches `path` against `pattern` (e.g. `/bfd/interfaces/interface[id=*]/config`): returns the
 * captured key values, or null. A pattern's last `config`/`state` segment may be omitted in the
 * path, and the path may go one leaf deeper (returned as `leaf`).
 */
export function matchPath(path: string, pattern: string): { keys: Record<string, string>; leaf?: string } | null {
  const p = parsePath(path);
  const q = parsePath(pattern);
  if (p === null || q === null) return null;
  const keys: Record<string, string> = {};
  let i = 0;
  for (let j = 0; j < q.length; j++) {
    const want = q[j];
    const seg = p[i];
    if (seg === undefined || seg.name !== want.name) {
      // a trailing config/state container may be left out
      if (j === q.length - 1 && (want.name === 'config' || want.name === 'state') && seg === undefined) return { keys };
      return null;
    }
    for (const [k, v] of Object.entries(want.keys)) {
      const got = seg.keys[k];
      if (got === undefined) return null;
      // a key name seen before (nested lists keyed alike) is captured as `<key>#2`, `<key>#3`...
      if (v === '*') keys[k in keys ? `${k}#${Object.keys(keys).filter((x) => x === k || x.startsWith(`${k}#`)).length + 1}` : k] = got;
      else if (v !== got) return null;
    }
    i++;
  }
  if (i === p.length) return { keys };
  if (i === p.length - 1 && Object.keys(p[i].keys).length === 0) return { keys, leaf: p[i].name };
  return null;
}

/** A plain object, or a RouterConfigError. */
export function objectValue(deviceId: string, path: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new RouterConfigError(deviceId, `${path} takes a mapping of leaves, got ${JSON.stringify(v)}`);
  }
  return v as Record<string, unknown>;
}

export function numberLeaf(deviceId: string, path: string, name: string, v: unknown, min = 0): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    throw new RouterConfigError(deviceId, `${path}: '${name}' must be a number >= ${min}, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function stringListLeaf(deviceId: string, path: string, name: string, v: unknown): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw new RouterConfigError(deviceId, `${path}: '${name}' must be a list of strings, got ${JSON.stringify(v)}`);
  }
  return [...(v as string[])];
}

/** Picks a leaf from an object answer when the path asked for one. */
export function pickLeaf(value: unknown, leaf: string | undefined): unknown {
  if (leaf === undefined) return value;
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as Record<string, unknown>)[leaf];
}
