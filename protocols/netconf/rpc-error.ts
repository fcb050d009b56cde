// The RFC 6241 §4.3 <rpc-error> model: parsed from a reply into typed details, and built for a reply.
import { NetconfError } from './errors.ts';
import { childElement, childElements, NETCONF_BASE_NS, xmlElement, type XmlElement } from './xml.ts';

export type NetconfErrorType = 'transport' | 'rpc' | 'protocol' | 'application';
export type NetconfErrorSeverity = 'error' | 'warning';

/** The error-tag values of RFC 6241 Appendix A. */
export const NETCONF_ERROR_TAGS = [
  'in-use',
  'invalid-value',
  'too-big',
  'missing-attribute',
  'bad-attribute',
  'unknown-attribute',
  'missing-element',
  'bad-element',
  'unknown-element',
  'unknown-namespace',
  'access-denied',
  'lock-denied',
  'resource-denied',
  'rollback-failed',
  'data-exists',
  'data-missing',
  'operation-not-supported',
  'operation-failed',
  'partial-operation',
  'malformed-message',
] as const;
export type NetconfErrorTag = (typeof NETCONF_ERROR_TAGS)[number];

export interface NetconfRpcErrorDetail {
  /** Unknown values from a peer are kept as written. */
  type: NetconfErrorType | (string & {});
  tag: NetconfErrorTag | (string & {});
  severity: NetconfErrorSeverity | (string & {});
  appTag?: string;
  path?: string;
  message?: string;
  /** The children of <error-info> (session-id, bad-element, ...). */
  info: XmlElement[];
}

/** Text of one <error-info> child, e.g. `errorInfo(d, 'session-id')` for lock-denied. */
export function errorInfo(detail: NetconfRpcErrorDetail, name: string): string | undefined {
  return detail.info.find((e) => e.name === name)?.text.trim();
}

function describe(d: NetconfRpcErrorDetail): string {
  let s = `${d.tag} (${d.type})`;
  if (d.message) s += `: ${d.message.trim()}`;
  if (d.path) s += ` at ${d.path.trim()}`;
  const holder = d.tag === 'lock-denied' ? errorInfo(d, 'session-id') : undefined;
  if (holder !== undefined) s += ` [held by session ${holder}]`;
  const badElement = errorInfo(d, 'bad-element');
  const badAttribute = errorInfo(d, 'bad-attribute');
  if (badAttribute) s += ` [attribute ${badAttribute}${badElement ? ` of ${badElement}` : ''}]`;
  else if (badElement) s += ` [element ${badElement}]`;
  return s;
}

/** A reply carrying one or more <rpc-error> of severity error. */
export class NetconfRpcError extends NetconfError {
  constructor(
    readonly errors: NetconfRpcErrorDetail[],
    /** The operation that failed ('edit-config', 'lock', ...), when known. */
    readonly operation?: string,
  ) {
    const first = errors[0];
    super(
      `${operation ? `${operation}: ` : ''}rpc-error ${first ? describe(first) : '(empty)'}` +
        (errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''),
    );
  }
  get tag(): string | undefined {
    return this.errors[0]?.tag;
  }
  get type(): string | undefined {
    return this.errors[0]?.type;
  }
}

/** The <rpc-error> elements of an <rpc-reply>. */
export function parseRpcErrors(reply: XmlElement): NetconfRpcErrorDetail[] {
  return childElements(reply, 'rpc-error', NETCONF_BASE_NS).map((e) => {
    const leaf = (n: string) => childElement(e, n, NETCONF_BASE_NS)?.text;
    const d: NetconfRpcErrorDetail = {
      type: (leaf('error-type') ?? '').trim(),
      tag: (leaf('error-tag') ?? '').trim(),
      severity: (leaf('error-severity') ?? 'error').trim(),
      info: childElement(e, 'error-info', NETCONF_BASE_NS)?.children ?? [],
    };
    const appTag = leaf('error-app-tag');
    const path = leaf('error-path');
    const message = leaf('error-message');
    if (appTag !== undefined) d.appTag = appTag.trim();
    if (path !== undefined) d.path = path.trim();
    if (message !== undefined) d.message = message.trim();
    return d;
  });
}

/** Builds an <rpc-error> element (base namespace). */
export function rpcErrorElement(d: Omit<NetconfRpcErrorDetail, 'info' | 'severity'> & { severity?: string; info?: XmlElement[] }): XmlElement {
  const leaf = (n: string, v: string) => xmlElement(n, NETCONF_BASE_NS, v);
  const kids = [leaf('error-type', d.type), leaf('error-tag', d.tag), leaf('error-severity', d.severity ?? 'error')];
  if (d.appTag !== undefined) kids.push(leaf('error-app-tag', d.appTag));
  if (d.path !== undefined) kids.push(leaf('error-path', d.path));
  if (d.message !== undefined) kids.push(xmlElement('error-message', NETCONF_BASE_NS, d.message, { 'xml:lang': 'en' }));
  if (d.info?.length) kids.push(xmlElement('error-info', NETCONF_BASE_NS, d.info));
  return xmlElement('rpc-error', NETCONF_BASE_NS, kids);
}
