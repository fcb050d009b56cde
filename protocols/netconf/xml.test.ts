// NETCONF XML: namespaces, safe entity handling, DOCTYPE refusal, serializer round trip, hello and rpc-error parsing.
import { describe, expect, it } from 'vitest';
import { prng } from '../testing.ts';
import { NetconfXmlError } from './errors.ts';
import { helloXml, NETCONF_BASE_1_0, NETCONF_BASE_1_1, negotiateFraming, parseHello, hasCapability } from './hello.ts';
import { errorInfo, NetconfRpcError, parseRpcErrors, rpcErrorElement } from './rpc-error.ts';
import { childElement, getAttribute, NETCONF_BASE_NS, parseXml, serializeXml, xmlElement, type XmlElement } from './xml.ts';

const IF = 'urn:ietf:params:xml:ns:yang:ietf-interfaces';

function xmlError(f: () => unknown): NetconfXmlError {
  try {
    f();
  } catch (e) {
    if (e instanceof NetconfXmlError) return e;
    throw e;
  }
  throw new Error('expected a NetconfXmlError');
}

/** Structure without scopes, for comparing trees. */
function shape(e: XmlElement): unknown {
  return { name: e.name, ns: e.ns, text: e.children.length ? '' : e.text, children: e.children.map(shape) };
}

describe('NETCONF XML parsing', () => {
  it('resolves default and prefixed namespaces and keeps leaf text as written', () => {
    const root = parseXml(
      `<?xml version="1.0" encoding="UTF-8"?>\n<nc:rpc xmlns:nc="${NETCONF_BASE_NS}" message-id="7"><nc:get><nc:filter nc:type="subtree">` +
        `<interfaces-state xmlns="${IF}"><interface><name>eth0</name><statistics><in-octets>18446744073709551615</in-octets></statistics></interface></interfaces-state>` +
        `</nc:filter></nc:get></nc:rpc>`,
    );
    expect(root).toMatchObject({ name: 'rpc', ns: NETCONF_BASE_NS });
    expect(getAttribute(root, 'message-id')).toBe('7');
    const filter = childElement(childElement(root, 'get', NETCONF_BASE_NS)!, 'filter', NETCONF_BASE_NS)!;
    expect(getAttribute(filter, 'type', NETCONF_BASE_NS)).toBe('subtree');
    expect(getAttribute(filter, 'type')).toBeUndefined(); // unprefixed attributes have no namespace
    const octets = filter.children[0]!.children[0]!.children[1]!.children[0]!;
    expect(octets).toMatchObject({ name: 'in-octets', ns: IF, text: '18446744073709551615' });
    expect(BigInt(octets.text)).toBe(2n ** 64n - 1n);
  });

  it('decodes the predefined entities, character references and CDATA, and nothing else', () => {
    const e = parseXml('<a x="&lt;&quot;&#65;">1 &lt; 2 &amp; &#x42;<![CDATA[<raw>&amp;]]></a>');
    expect(e.attrs.x).toBe('<"A');
    expect(e.text).toBe('1 < 2 & B<raw>&amp;');
    expect(xmlError(() => parseXml('<a>&foo;</a>')).problem).toBe('entity');
    expect(xmlError(() => parseXml('<a>a & b</a>')).problem).toBe('malformed');
  });

  it.each([
    '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>',
    '<?xml version="1.0"?><!doctype a SYSTEM "file:///etc/passwd"><a/>',
    '<a><!ENTITY lol "lol"></a>',
  ])('refuses DTDs and entity declarations: %s', (text) => {
    expect(xmlError(() => parseXml(text)).problem).toBe('doctype');
  });

  it.each([
    ['<a><b></a>', /closing tag/],
    ['<a/><b/>', /2 root elements/],
    ['', /./],
    ['text<a/>', /./],
    ['<p:a/>', /undeclared prefix/],
    ['<a p:x="1"/>', /undeclared prefix/],
    [`${'<a>'.repeat(200)}${'</a>'.repeat(200)}`, /./],
  ])('refuses malformed XML %#', (text, why) => {
    const e = xmlError(() => parseXml(text));
    expect(e.problem).toBe('malformed');
    expect(e.message).toMatch(why);
  });

  it('throws only NetconfXmlError on mutated messages', () => {
    const rnd = prng(6241);
    const sample = `<rpc xmlns="${NETCONF_BASE_NS}" message-id="1"><edit-config><target><candidate/></target><config><interfaces xmlns="${IF}"><interface><name>a&amp;b</name></interface></interfaces></config></edit-config></rpc>`;
    for (let i = 0; i < 5000; i++) {
      const b = Buffer.from(sample);
      for (let k = 1 + (rnd() % 3); k > 0; k--) b[rnd() % b.length] = 0x20 + (rnd() % 95);
      try {
        parseXml(b.subarray(0, rnd() & 1 ? b.length : rnd() % b.length));
      } catch (e) {
        if (!(e instanceof NetconfXmlError)) throw new Error(`iteration ${i}: ${String(e)}`);
      }
    }
  });
});

describe('NETCONF XML serializing', () => {
  it('round-trips a parsed tree, declaring namespaces and value prefixes where they are needed', () => {
    const text = `<data xmlns="${NETCONF_BASE_NS}" xmlns:ianaift="urn:ietf:params:xml:ns:yang:iana-if-type"><interfaces xmlns="${IF}"><interface><name>a&lt;b</name><type>ianaift:ethernetCsmacd</type><description/></interface></interfaces></data>`;
    const tree = parseXml(text);
    expect(shape(parseXml(serializeXml(tree)))).toEqual(shape(tree));
    // A subtree alone still declares the prefix its value uses.
    const type = tree.children[0]!.children[0]!.children[1]!;
    const again = parseXml(serializeXml(type));
    expect(again).toMatchObject({ ns: IF, text: 'ianaift:ethernetCsmacd', scope: { ianaift: 'urn:ietf:params:xml:ns:yang:iana-if-type' } });
  });

  it('escapes text and attributes, including "]]>"', () => {
    const s = serializeXml(xmlElement('a', undefined, 'x]]>y<&', { q: '"<' }));
    expect(s).toBe('<a q="&quot;&lt;">x]]&gt;y&lt;&amp;</a>');
    expect(parseXml(s).text).toBe('x]]>y<&');
  });
});

describe('NETCONF hello', () => {
  it('builds and reads hellos and negotiates the framing', () => {
    const server = parseHello(parseXml(helloXml({ capabilities: [NETCONF_BASE_1_0, NETCONF_BASE_1_1, 'urn:x?module=x'], sessionId: 42 })));
    expect(server).toEqual({ capabilities: [NETCONF_BASE_1_0, NETCONF_BASE_1_1, 'urn:x?module=x'], sessionId: 42 });
    expect(hasCapability(server.capabilities, 'urn:x')).toBe(true);
    expect(negotiateFraming([NETCONF_BASE_1_0, NETCONF_BASE_1_1], server.capabilities)).toBe('chunked');
    expect(negotiateFraming([NETCONF_BASE_1_0], server.capabilities)).toBe('eom');
  });

  it.each([
    ['<rpc xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"/>', /expected <hello>/],
    [`<hello xmlns="${NETCONF_BASE_NS}"><capabilities><capability>urn:x</capability></capabilities></hello>`, /neither base/],
    [`<hello xmlns="${NETCONF_BASE_NS}"><capabilities><capability>${NETCONF_BASE_1_0}</capability></capabilities><session-id>0</session-id></hello>`, /session-id/],
  ])('refuses a bad hello %#', (text, why) => {
    expect(() => parseHello(parseXml(text))).toThrow(why);
  });
});

describe('NETCONF rpc-error', () => {
  it('parses every field of a lock-denied error as netconfd sends it', () => {
    const reply = parseXml(
      `<rpc-reply xmlns="${NETCONF_BASE_NS}" message-id="3"><rpc-error><error-type>protocol</error-type><error-tag>lock-denied</error-tag>` +
        `<error-severity>error</error-severity><error-app-tag>no-access</error-app-tag><error-path>/nc:rpc/nc:lock</error-path>` +
        `<error-message xml:lang="en">lock denied</error-message><error-info><session-id>3</session-id><error-number>268</error-number></error-info></rpc-error></rpc-reply>`,
    );
    const [d] = parseRpcErrors(reply);
    expect(d).toMatchObject({ type: 'protocol', tag: 'lock-denied', severity: 'error', appTag: 'no-access', path: '/nc:rpc/nc:lock', message: 'lock denied' });
    expect(errorInfo(d!, 'session-id')).toBe('3');
    const err = new NetconfRpcError([d!], 'lock');
    expect(err.tag).toBe('lock-denied');
    expect(err.message).toBe('lock: rpc-error lock-denied (protocol): lock denied at /nc:rpc/nc:lock [held by session 3]');
  });

  it('builds an rpc-error that parses back to the same detail', () => {
    const el = rpcErrorElement({ type: 'rpc', tag: 'missing-attribute', message: 'no message-id', info: [xmlElement('bad-attribute', NETCONF_BASE_NS, 'message-id')] });
    const back = parseRpcErrors(parseXml(serializeXml(xmlElement('rpc-reply', NETCONF_BASE_NS, [el]))));
    expect(back[0]).toMatchObject({ type: 'rpc', tag: 'missing-attribute', severity: 'error', message: 'no message-id' });
    expect(errorInfo(back[0]!, 'bad-attribute')).toBe('message-id');
  });
});
