// XML for NETCONF: a namespace-aware element tree parsed safely with fast-xml-parser, and its serializer.
//
// Guarantees: no entity is ever expanded except the five predefined ones and character
// references; a message with a DOCTYPE or ENTITY declaration is refused; leaf text stays a string
// (no number conversion, so counter64 values keep every digit); nesting is bounded; parse throws
// nothing but NetconfXmlError.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { NetconfXmlError } from './errors.ts';

export const NETCONF_BASE_NS = 'urn:ietf:params:xml:ns:netconf:base:1.0';

/** One element: local name, namespace URI, attributes by qualified name, child elements, text. */
export interface XmlElement {
  name: string;
  ns: string | undefined;
  /** Attribute values (entity-decoded) by the qualified name written in the document. */
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own character data (text and CDATA), decoded. */
  text: string;
  /** Namespaces in scope: prefix -> URI, '' for the default namespace. */
  scope: Readonly<Record<string, string>>;
}

const MAX_DEPTH = 64;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
  commentPropName: false,
  maxNestedTags: MAX_DEPTH,
});

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the predefined entities and character references; any other entity is refused. */
export function decodeXmlEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^&;\s<]{0,12});?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new NetconfXmlError('malformed', `"&" not starting a reference near "${whole.slice(0, 16)}"`);
    if (ref in PREDEFINED) return PREDEFINED[ref]!;
    const code = /^#x[0-9a-fA-F]{1,6}$/.test(ref) ? parseInt(ref.slice(2), 16) : /^#[0-9]{1,7}$/.test(ref) ? parseInt(ref.slice(1), 10) : -1;
    if (code < 0) throw new NetconfXmlError('entity', `undeclared entity "&${ref};" (entities are not processed)`);
    if (code > 0x10ffff || code === 0) throw new NetconfXmlError('malformed', `character reference "&${ref};" out of range`);
    return String.fromCodePoint(code);
  });
}

export function escapeXmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeXmlAttr(s: string): string {
  return escapeXmlText(s).replace(/"/g, '&quot;');
}

function splitQName(q: string): [prefix: string, local: string] {
  const i = q.indexOf(':');
  return i < 0 ? ['', q] : [q.slice(0, i), q.slice(i + 1)];
}

function convert(node: OrderedNode, parentScope: Readonly<Record<string, string>>, depth: number): XmlElement {
  const tag = Object.keys(node).find((k) => k !== ':@')!;
  const raw = node[':@'] ?? {};
  const attrs: Record<string, string> = {};
  let scope = parentScope;
  for (const [k, v] of Object.entries(raw)) {
    const value = decodeXmlEntities(v);
    attrs[k] = value;
    if (k === 'xmlns' || k.startsWith('xmlns:')) {
      if (scope === parentScope) scope = { ...parentScope };
      (scope as Record<string, string>)[k === 'xmlns' ? '' : k.slice(6)] = value;
    }
  }
  const [prefix, name] = splitQName(tag);
  if (prefix && !(prefix in scope)) throw new NetconfXmlError('malformed', `element <${tag}> uses the undeclared prefix "${prefix}"`);
  const el: XmlElement = { name, ns: scope[prefix] || undefined, attrs, children: [], text: '', scope };
  for (const k of Object.keys(attrs)) {
    const [p] = splitQName(k);
    if (p && p !== 'xmlns' && p !== 'xml' && !(p in scope)) throw new NetconfXmlError('malformed', `attribute "${k}" uses an undeclared prefix`);
  }
  for (const c of (node[tag] as OrderedNode[]) ?? []) {
    if ('#text' in c) el.text += decodeXmlEntities(String(c['#text']));
    else if ('#cdata' in c) el.text += ((c['#cdata'] as OrderedNode[]) ?? []).map((t) => String(t['#text'] ?? '')).join('');
    else el.children.push(convert(c, scope, depth + 1));
  }
  return el;
}

/** Parses one XML document into its root element. */
export function parseXml(input: string | Uint8Array): XmlElement {
  const text = (typeof input === 'string' ? input : Buffer.from(input).toString('utf8')).replace(/^\uFEFF/, '').trimStart();
  if (/<!DOCTYPE/i.test(text)) throw new NetconfXmlError('doctype', 'DOCTYPE declarations are not allowed in NETCONF messages');
  if (/<!ENTITY/i.test(text)) throw new NetconfXmlError('doctype', 'ENTITY declarations are not allowed in NETCONF messages');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new NetconfXmlError('malformed', `${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col ?? '?'})`);
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(text) as OrderedNode[];
  } catch (e) {
    throw new NetconfXmlError('malformed', e instanceof Error ? e.message : String(e));
  }
  const roots = nodes.filter((n) => !('#text' in n) && !('#cdata' in n));
  if (nodes.some((n) => '#text' in n && String(n['#text']).trim() !== '')) throw new NetconfXmlError('malformed', 'text outside the root element');
  if (roots.length !== 1) throw new NetconfXmlError('malformed', roots.length === 0 ? 'no root element' : `${roots.length} root elements`);
  return convert(roots[0]!, {}, 0);
}

/** Builds an element; `content` is its text or its children. */
export function xmlElement(
  name: string,
  ns: string | undefined,
  content: string | XmlElement[] = [],
  attrs: Record<string, string> = {},
): XmlElement {
  return typeof content === 'string'
    ? { name, ns, attrs, children: [], text: content, scope: {} }
    : { name, ns, attrs, children: content, text: '', scope: {} };
}

/** Serializes an element: names unprefixed with default-namespace declarations, prefixes kept for attributes and values. */
export function serializeXml(el: XmlElement, parentNs?: string, parentScope: Readonly<Record<string, string>> = {}): string {
  let s = `<${el.name}`;
  if (el.ns !== parentNs) s += ` xmlns="${escapeXmlAttr(el.ns ?? '')}"`;
  let scope = parentScope;
  if (el.scope !== parentScope) {
    for (const [p, uri] of Object.entries(el.scope)) {
      if (p === '' || parentScope[p] === uri) continue;
      s += ` xmlns:${p}="${escapeXmlAttr(uri)}"`;
      if (scope === parentScope) scope = { ...parentScope };
      (scope as Record<string, string>)[p] = uri;
    }
  }
  for (const [k, v] of Object.entries(el.attrs)) {
    if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
    s += ` ${k}="${escapeXmlAttr(v)}"`;
  }
  const inner =
    el.children.length > 0
      ? el.children.map((c) => serializeXml(c, el.ns, scope)).join('')
      : escapeXmlText(el.text);
  return inner === '' ? `${s}/>` : `${s}>${inner}</${el.name}>`;
}

/** Does `el` have this local name and (when given) namespace? */
export function isElement(el: XmlElement, name: string, ns?: string): boolean {
  return el.name === name && (ns === undefined || el.ns === ns);
}

export function childElement(el: XmlElement, name: string, ns?: string): XmlElement | undefined {
  return el.children.find((c) => isElement(c, name, ns));
}

export function childElements(el: XmlElement, name: string, ns?: string): XmlElement[] {
  return el.children.filter((c) => isElement(c, name, ns));
}

/** An attribute by local name and namespace (undefined ns: an unprefixed attribute). */
export function getAttribute(el: XmlElement, name: string, ns?: string): string | undefined {
  for (const [k, v] of Object.entries(el.attrs)) {
    const [p, local] = splitQName(k);
    if (local !== name || p === 'xmlns' || k === 'xmlns') continue;
    if (ns === undefined ? p === '' : p !== '' && el.scope[p] === ns) return v;
  }
  return undefined;
}

/** A deep copy (scopes are shared: they are never mutated). */
export function cloneXml(el: XmlElement): XmlElement {
  return { ...el, attrs: { ...el.attrs }, children: el.children.map(cloneXml) };
}
