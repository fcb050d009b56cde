// The <hello> exchange (RFC 6241 §8.1) and the framing it negotiates (RFC 6242 §4.1).
import { NetconfXmlError } from './errors.ts';
import type { NetconfFraming } from './framing.ts';
import { childElement, childElements, escapeXmlText, isElement, NETCONF_BASE_NS, type XmlElement } from './xml.ts';

export const NETCONF_BASE_1_0 = 'urn:ietf:params:netconf:base:1.0';
export const NETCONF_BASE_1_1 = 'urn:ietf:params:netconf:base:1.1';
export const NETCONF_CAP_CANDIDATE = 'urn:ietf:params:netconf:capability:candidate:1.0';
export const NETCONF_CAP_WRITABLE_RUNNING = 'urn:ietf:params:netconf:capability:writable-running:1.0';
export const NETCONF_CAP_ROLLBACK_ON_ERROR = 'urn:ietf:params:netconf:capability:rollback-on-error:1.0';
export const NETCONF_MAX_SESSION_ID = 4294967295;

export interface NetconfHello {
  capabilities: string[];
  /** Present in a server's hello only. */
  sessionId?: number;
}

export function helloXml(hello: NetconfHello): string {
  const caps = hello.capabilities.map((c) => `<capability>${escapeXmlText(c)}</capability>`).join('');
  const sid = hello.sessionId !== undefined ? `<session-id>${hello.sessionId}</session-id>` : '';
  return `<?xml version="1.0" encoding="UTF-8"?><hello xmlns="${NETCONF_BASE_NS}"><capabilities>${caps}</capabilities>${sid}</hello>`;
}

/** Reads a peer's hello; throws NetconfXmlError('not-netconf') when it is not a usable hello. */
export function parseHello(root: XmlElement): NetconfHello {
  if (!isElement(root, 'hello', NETCONF_BASE_NS)) {
    throw new NetconfXmlError('not-netconf', `expected <hello> in ${NETCONF_BASE_NS}, got <${root.name}> in ${root.ns ?? 'no namespace'}`);
  }
  const caps = childElement(root, 'capabilities', NETCONF_BASE_NS);
  const capabilities = caps ? childElements(caps, 'capability', NETCONF_BASE_NS).map((c) => c.text.trim()) : [];
  if (!capabilities.some((c) => c === NETCONF_BASE_1_0 || c === NETCONF_BASE_1_1)) {
    throw new NetconfXmlError('not-netconf', 'hello advertises neither base:1.0 nor base:1.1');
  }
  const hello: NetconfHello = { capabilities };
  const sid = childElement(root, 'session-id', NETCONF_BASE_NS);
  if (sid) {
    const text = sid.text.trim();
    const n = /^[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
    if (!(n >= 1 && n <= NETCONF_MAX_SESSION_ID)) throw new NetconfXmlError('not-netconf', `hello session-id "${text.slice(0, 20)}" is not in 1..${NETCONF_MAX_SESSION_ID}`);
    hello.sessionId = n;
  }
  return hello;
}

/** Capability URI without its query (`?module=...`), for comparisons. */
function capabilityBase(uri: string): string {
  const q = uri.indexOf('?');
  return q < 0 ? uri : uri.slice(0, q);
}

export function hasCapability(capabilities: readonly string[], uri: string): boolean {
  const want = capabilityBase(uri);
  return capabilities.some((c) => capabilityBase(c) === want);
}

/** Chunked framing when both peers advertise base:1.1, end-of-message otherwise. */
export function negotiateFraming(ours: readonly string[], theirs: readonly string[]): NetconfFraming {
  return hasCapability(ours, NETCONF_BASE_1_1) && hasCapability(theirs, NETCONF_BASE_1_1) ? 'chunked' : 'eom';
}
