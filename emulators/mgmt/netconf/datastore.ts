// NETCONF datastore semantics on element trees: RFC 6241 subtree filtering (§6) and edit-config (§7.2).
//
// A datastore is the list of its top-level data nodes. Lists are recognised by name through a
// key table (`interface` -> `name`), the only schema knowledge needed here; every other element
// occurs at most once under its parent. Edits work on a copy and throw NetconfRpcError without
// changing anything, so an edit is all-or-nothing (rollback-on-error).
import {
  cloneXml,
  getAttribute,
  NETCONF_BASE_NS,
  NetconfRpcError,
  xmlElement,
  type NetconfRpcErrorDetail,
  type XmlElement,
} from '../../../protocols/netconf/index.ts';

/** List element name -> its key leaves. */
export type NetconfListKeys = Readonly<Record<string, readonly string[]>>;
export const DEFAULT_LIST_KEYS: NetconfListKeys = { interface: ['name'] };

export type NetconfEditOperation = 'merge' | 'replace' | 'create' | 'delete' | 'remove';
const OPERATIONS = new Set(['merge', 'replace', 'create', 'delete', 'remove']);

/** Throws a NetconfRpcError with one error (error-type defaults to application). */
export function rpcFail(tag: string, message: string, extra: Partial<NetconfRpcErrorDetail> = {}): never {
  throw new NetconfRpcError([{ type: 'application', tag, severity: 'error', message, info: [], ...extra }]);
}

export function badElementInfo(name: string): XmlElement[] {
  return [xmlElement('bad-element', NETCONF_BASE_NS, name)];
}

const isLeaf = (e: XmlElement) => e.children.length === 0;
const leafText = (e: XmlElement) => e.text.trim();

function keyLeaf(e: XmlElement, key: string): XmlElement | undefined {
  return e.children.find((c) => c.name === key && isLeaf(c));
}

function sameNode(a: XmlElement, b: XmlElement, keys: NetconfListKeys): boolean {
  if (a.name !== b.name || a.ns !== b.ns) return false;
  const k = keys[a.name];
  return !k || k.every((key) => leafText(keyLeaf(a, key) ?? a) === leafText(keyLeaf(b, key) ?? b));
}

/** `/interfaces/interface[name='eth0']` style path for error-path. */
function pathOf(parentPath: string, e: XmlElement, keys: NetconfListKeys): string {
  const preds = (keys[e.name] ?? []).map((k) => `[${k}='${leafText(keyLeaf(e, k) ?? e)}']`).join('');
  return `${parentPath}/${e.name}${preds}`;
}

// ---------------------------------------------------------------------------------------------
// Subtree filtering (RFC 6241 §6.2)

/** A filter element with no namespace (or the base one it inherited from <rpc>) matches any namespace. */
function filterMatches(f: XmlElement, node: XmlElement): boolean {
  return f.name === node.name && (f.ns === undefined || f.ns === NETCONF_BASE_NS || f.ns === node.ns);
}

const isContentMatch = (f: XmlElement) => isLeaf(f) && leafText(f) !== '';

function filterNode(f: XmlElement, node: XmlElement): XmlElement | null {
  if (isLeaf(f)) {
    if (!isContentMatch(f)) return node; // selection node: the whole subtree
    return isLeaf(node) && leafText(node) === leafText(f) ? node : null;
  }
  const matches = f.children.filter(isContentMatch);
  for (const m of matches) {
    if (!node.children.some((c) => filterMatches(m, c) && isLeaf(c) && leafText(c) === leafText(m))) return null;
  }
  const others = f.children.filter((c) => !isContentMatch(c));
  if (others.length === 0) return node; // only content match nodes: the whole matching entry
  const kept: XmlElement[] = [];
  for (const c of node.children) {
    if (matches.some((m) => filterMatches(m, c))) kept.push(c);
    else kept.push(...filterLevel(others, [c]));
  }
  return kept.length > 0 ? { ...node, children: kept } : null;
}

function filterLevel(filters: readonly XmlElement[], nodes: readonly XmlElement[]): XmlElement[] {
  const out: XmlElement[] = [];
  for (const node of nodes) {
    for (const f of filters) {
      if (!filterMatches(f, node)) continue;
      const r = filterNode(f, node);
      if (r) {
        out.push(r);
        break;
      }
    }
  }
  return out;
}

/** The nodes selected by a subtree filter's content; no filter selects everything, an empty one nothing. */
export function subtreeFilter(data: readonly XmlElement[], filter: readonly XmlElement[] | undefined): XmlElement[] {
  return filter === undefined ? [...data] : filterLevel(filter, data);
}

// ---------------------------------------------------------------------------------------------
// edit-config (RFC 6241 §7.2)

function operationOf(e: XmlElement, inherited: NetconfEditOperation | 'none', path: string): NetconfEditOperation | 'none' {
  const op = getAttribute(e, 'operation', NETCONF_BASE_NS) ?? getAttribute(e, 'operation');
  if (op === undefined) return inherited;
  if (!OPERATIONS.has(op)) {
    rpcFail('bad-attribute', `operation "${op}" is not one of merge, replace, create, delete, remove`, {
      type: 'protocol',
      path,
      info: [xmlElement('bad-attribute', NETCONF_BASE_NS, 'operation'), ...badElementInfo(e.name)],
    });
  }
  return op as NetconfEditOperation;
}

/** A copy of `e` without its children and without the operation attribute. */
function shell(e: XmlElement): XmlElement {
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.attrs)) if (k !== 'operation' && !k.endsWith(':operation')) attrs[k] = v;
  return { name: e.name, ns: e.ns, attrs, children: [], text: isLeaf(e) ? e.text : '', scope: e.scope };
}

function editNode(parent: XmlElement, e: XmlElement, inherited: NetconfEditOperation | 'none', parentPath: string, keys: NetconfListKeys): void {
  const listKeys = keys[e.name] ?? [];
  const path = pathOf(parentPath, e, keys);
  for (const k of listKeys) {
    if (!keyLeaf(e, k)) rpcFail('missing-element', `list entry <${e.name}> has no key leaf <${k}>`, { type: 'protocol', path, info: badElementInfo(k) });
  }
  const op = operationOf(e, inherited, path);
  const at = parent.children.findIndex((c) => sameNode(c, e, keys));
  const existing = at >= 0 ? parent.children[at] : undefined;
  const create = (childOp: NetconfEditOperation | 'none') => {
    const node = shell(e);
    for (const c of e.children) editNode(node, c, childOp, path, keys);
    return node;
  };
  switch (op) {
    case 'delete':
      if (!existing) rpcFail('data-missing', `cannot delete ${path}: it does not exist`, { path });
      parent.children.splice(at, 1);
      return;
    case 'remove':
      if (existing) parent.children.splice(at, 1);
      return;
    case 'create':
      if (existing) rpcFail('data-exists', `cannot create ${path}: it already exists`, { path });
      parent.children.push(create('merge'));
      return;
    case 'replace':
      if (existing) parent.children.splice(at, 1, create('merge'));
      else parent.children.push(create('merge'));
      return;
    case 'merge':
      if (!existing) parent.children.push(create('merge'));
      else if (isLeaf(e)) {
        if (isLeaf(existing)) existing.text = e.text;
      } else for (const c of e.children) editNode(existing, c, 'merge', path, keys);
      return;
    case 'none': {
      if (existing) {
        for (const c of e.children) editNode(existing, c, 'none', path, keys);
        return;
      }
      if (isLeaf(e)) return;
      const node = create('none');
      if (node.children.length === 0) return;
      const keyLeaves = listKeys.map((k) => cloneXml(keyLeaf(e, k)!));
      node.children = [...keyLeaves, ...node.children.filter((c) => !listKeys.includes(c.name))];
      parent.children.push(node);
      return;
    }
  }
}

/** Applies the content of an edit-config <config> to a copy of `target` and returns the copy. */
export function applyEdit(
  target: readonly XmlElement[],
  edit: readonly XmlElement[],
  defaultOperation: NetconfEditOperation | 'none' = 'merge',
  keys: NetconfListKeys = DEFAULT_LIST_KEYS,
): XmlElement[] {
  // default-operation replace: the new configuration replaces the whole datastore (§7.2).
  const root = xmlElement('data', undefined, defaultOperation === 'replace' ? [] : target.map(cloneXml));
  for (const e of edit) editNode(root, e, defaultOperation === 'replace' ? 'merge' : defaultOperation, '', keys);
  return root.children;
}

/** Config and state as one tree, for <get>: state nodes are merged into the configuration. */
export function mergeData(config: readonly XmlElement[], state: readonly XmlElement[], keys: NetconfListKeys = DEFAULT_LIST_KEYS): XmlElement[] {
  return applyEdit(config, state, 'merge', keys);
}
