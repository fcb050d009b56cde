// YANG-style paths (`/interfaces/interface[name=eth0]/statistics/in-octets`) to subtree filters, config and values.
//
// Values keep the schema's types: counter64 and gauge64 leaves become bigint (from the decimal
// text, never through number), int32 and counter32 become number, booleans boolean, the rest
// strings. A container becomes an object, a list without keys an array of objects.
import {
  IETF_INTERFACES_LEAF_TYPES,
  IETF_INTERFACES_NS,
  escapeXmlAttr,
  escapeXmlText,
  type XmlElement,
} from '../../protocols/netconf/index.ts';

export interface PathSegment {
  name: string;
  keys: Record<string, string>;
}

/** Module namespace of each top-level node the driver knows. */
export const PATH_ROOTS: Readonly<Record<string, string>> = {
  interfaces: IETF_INTERFACES_NS,
  'interfaces-state': IETF_INTERFACES_NS,
};

/** List name -> key leaves, for config built from values. */
const LIST_KEYS: Readonly<Record<string, readonly string[]>> = { interface: ['name'] };

export class PathError extends Error {
  constructor(path: string, why: string) {
    super(`path "${path}": ${why}`);
    this.name = 'PathError';
  }
}

/** Splits a path into segments; module prefixes (`if:interfaces`) are dropped. */
export function parsePath(path: string): PathSegment[] {
  const re = /\/(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)((?:\[[^\]=]+=(?:'[^']*'|"[^"]*"|[^\]]*)\])*)/y;
  const segs: PathSegment[] = [];
  let at = 0;
  while (at < path.length) {
    re.lastIndex = at;
    const m = re.exec(path);
    if (!m) throw new PathError(path, `cannot parse at "${path.slice(at)}" (expected /name or /list[key=value])`);
    const keys: Record<string, string> = {};
    for (const k of m[2]!.matchAll(/\[(?:[\w.-]+:)?([\w.-]+)\s*=\s*(?:'([^']*)'|"([^"]*)"|([^\]]*))\]/g)) {
      keys[k[1]!] = (k[2] ?? k[3] ?? k[4] ?? '').trim();
    }
    segs.push({ name: m[1]!, keys });
    at = re.lastIndex;
  }
  if (segs.length === 0) throw new PathError(path, 'empty');
  if (!(segs[0]!.name in PATH_ROOTS)) throw new PathError(path, `unknown top-level node "${segs[0]!.name}" (known: ${Object.keys(PATH_ROOTS).join(', ')})`);
  return segs;
}

/** The subtree filter content selecting a path (keys as content match nodes, the last node selected whole). */
export function filterFor(segs: readonly PathSegment[]): string {
  const ns = PATH_ROOTS[segs[0]!.name]!;
  let xml = '';
  for (let i = segs.length - 1; i >= 0; i--) {
    const s = segs[i]!;
    const keys = Object.entries(s.keys).map(([k, v]) => `<${k}>${escapeXmlText(v)}</${k}>`).join('');
    const attr = i === 0 ? ` xmlns="${escapeXmlAttr(ns)}"` : '';
    xml = keys || xml ? `<${s.name}${attr}>${keys}${xml}</${s.name}>` : `<${s.name}${attr}/>`;
  }
  return xml;
}

function valueXml(name: string, value: unknown): string {
  if (value === null || value === undefined) return `<${name}/>`;
  if (Array.isArray(value)) return value.map((v) => valueXml(name, v)).join('');
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>).map(([k, v]) => valueXml(k, v)).join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXmlText(String(value))}</${name}>`;
}

/** The <config> content that sets `value` at `path` with `nc:operation` on the last node. */
export function configFor(segs: readonly PathSegment[], value: unknown, operation: 'merge' | 'replace' | 'delete'): string {
  const ns = PATH_ROOTS[segs[0]!.name]!;
  const last = segs[segs.length - 1]!;
  const lastKeys = Object.entries(last.keys).map(([k, v]) => `<${k}>${escapeXmlText(v)}</${k}>`).join('');
  let body: string;
  if (operation === 'delete') body = lastKeys;
  else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const obj = { ...(value as Record<string, unknown>) };
    for (const k of Object.keys(last.keys)) delete obj[k];
    body = lastKeys + Object.entries(obj).map(([k, v]) => valueXml(k, v)).join('');
  } else body = lastKeys + escapeXmlText(String(value));
  let xml = `<${last.name}${segs.length === 1 ? ` xmlns="${escapeXmlAttr(ns)}"` : ''} nc:operation="${operation}">${body}</${last.name}>`;
  for (let i = segs.length - 2; i >= 0; i--) {
    const s = segs[i]!;
    const keys = Object.entries(s.keys).map(([k, v]) => `<${k}>${escapeXmlText(v)}</${k}>`).join('');
    xml = `<${s.name}${i === 0 ? ` xmlns="${escapeXmlAttr(ns)}"` : ''}>${keys}${xml}</${s.name}>`;
  }
  return xml;
}

/** A leaf's text as its YANG type says. */
export function leafValue(name: string, text: string): unknown {
  const t = text.trim();
  switch (IETF_INTERFACES_LEAF_TYPES[name]) {
    case 'counter64':
    case 'gauge64':
      return /^[0-9]{1,20}$/.test(t) ? BigInt(t) : t;
    case 'counter32':
    case 'int32':
      return /^-?[0-9]{1,10}$/.test(t) ? Number(t) : t;
    case 'boolean':
      return t === 'true' ? true : t === 'false' ? false : t;
    default:
      return t;
  }
}

/** An element as a value: leaf -> typed scalar, container -> object (repeated children -> arrays). */
export function toValue(el: XmlElement): unknown {
  if (el.children.length === 0) return leafValue(el.name, el.text);
  const out: Record<string, unknown> = {};
  for (const c of el.children) {
    const v = toValue(c);
    if (LIST_KEYS[c.name]) ((out[c.name] ??= []) as unknown[]).push(v);
    else if (c.name in out) out[c.name] = ([] as unknown[]).concat(out[c.name], v);
    else out[c.name] = v;
  }
  return out;
}

/** The nodes at `path` in a <data> element: one per match (lists without keys give several). */
export function select(data: XmlElement, segs: readonly PathSegment[]): XmlElement[] {
  const ns = PATH_ROOTS[segs[0]!.name];
  let nodes: XmlElement[] = [data];
  segs.forEach((s, i) => {
    nodes = nodes.flatMap((n) =>
      n.children.filter(
        (c) =>
          c.name === s.name &&
          (i > 0 || c.ns === ns) &&
          Object.entries(s.keys).every(([k, v]) => c.children.some((l) => l.name === k && l.text.trim() === v)),
      ),
    );
  });
  return nodes;
}

/** The value at a path: undefined when absent, an array when a keyless list matches several entries. */
export function valueAt(data: XmlElement, segs: readonly PathSegment[]): unknown {
  const nodes = select(data, segs);
  if (nodes.length === 0) return undefined;
  const last = segs[segs.length - 1]!;
  if (LIST_KEYS[last.name] && Object.keys(last.keys).length === 0) return nodes.map(toValue);
  return toValue(nodes[0]!);
}
