// Datastore semantics: RFC 6241 §6 subtree filtering and §7.2 edit-config operations on element trees.
import { describe, expect, it } from 'vitest';
import { NETCONF_BASE_NS, NetconfRpcError, parseXml, serializeXml, type XmlElement } from '../../../protocols/netconf/index.ts';
import { applyEdit, mergeData, subtreeFilter } from './datastore.ts';

const IF = 'urn:ietf:params:xml:ns:yang:ietf-interfaces';
const SYS = 'urn:example:system';

/** Top-level nodes of `<x>...</x>`, parsed with the base namespace declared as nc. */
function nodes(inner: string): XmlElement[] {
  return parseXml(`<x xmlns:nc="${NETCONF_BASE_NS}">${inner}</x>`).children;
}

/** Serialized nodes without the nc prefix declaration they inherit from `nodes()`. */
function text(list: XmlElement[]): string {
  return list.map((n) => serializeXml(n)).join('').replaceAll(` xmlns:nc="${NETCONF_BASE_NS}"`, '');
}

const DATA = nodes(
  `<interfaces xmlns="${IF}">` +
    `<interface><name>eth0</name><enabled>true</enabled><statistics><in-octets>5</in-octets><out-octets>6</out-octets></statistics></interface>` +
    `<interface><name>eth1</name><enabled>false</enabled><statistics><in-octets>7</in-octets><out-octets>8</out-octets></statistics></interface>` +
    `</interfaces><system xmlns="${SYS}"><hostname>dut</hostname></system>`,
);

function rpcError(f: () => unknown): NetconfRpcError {
  try {
    f();
  } catch (e) {
    if (e instanceof NetconfRpcError) return e;
    throw e;
  }
  throw new Error('expected a NetconfRpcError');
}

describe('subtree filter (RFC 6241 §6)', () => {
  it('selects everything without a filter and nothing with an empty one', () => {
    expect(subtreeFilter(DATA, undefined)).toHaveLength(2);
    expect(subtreeFilter(DATA, [])).toEqual([]);
  });

  it('selects a whole subtree by namespace', () => {
    expect(text(subtreeFilter(DATA, nodes(`<system xmlns="${SYS}"/>`)))).toBe(`<system xmlns="${SYS}"><hostname>dut</hostname></system>`);
    expect(subtreeFilter(DATA, nodes(`<system xmlns="urn:other"/>`))).toEqual([]);
  });

  it('matches list entries by content match nodes and returns the selected leaves', () => {
    const got = subtreeFilter(DATA, nodes(`<interfaces xmlns="${IF}"><interface><name>eth1</name><statistics><in-octets/></statistics></interface></interfaces>`));
    expect(text(got)).toBe(`<interfaces xmlns="${IF}"><interface><name>eth1</name><statistics><in-octets>7</in-octets></statistics></interface></interfaces>`);
  });

  it('returns whole entries when the filter has only content match nodes', () => {
    const got = subtreeFilter(DATA, nodes(`<interfaces xmlns="${IF}"><interface><enabled>false</enabled></interface></interfaces>`));
    expect(got[0]!.children).toHaveLength(1);
    expect(got[0]!.children[0]!.children.map((c) => c.name)).toEqual(['name', 'enabled', 'statistics']);
  });

  it('keeps the key of an entry whose selected leaf is absent, and drops entries that do not match', () => {
    const got = subtreeFilter(DATA, nodes(`<interfaces xmlns="${IF}"><interface><name>eth0</name><oper-status/></interface></interfaces>`));
    expect(text(got)).toBe(`<interfaces xmlns="${IF}"><interface><name>eth0</name></interface></interfaces>`);
    expect(subtreeFilter(DATA, nodes(`<interfaces xmlns="${IF}"><interface><name>eth9</name></interface></interfaces>`))).toEqual([]);
  });
});

describe('edit-config (RFC 6241 §7.2)', () => {
  const edit = (inner: string, op?: 'merge' | 'replace' | 'none') => applyEdit(DATA, nodes(inner), op);

  it('merges leaves into an existing entry and creates missing ones', () => {
    const out = edit(`<interfaces xmlns="${IF}"><interface><name>eth0</name><enabled>false</enabled><description>up</description></interface><interface><name>eth2</name></interface></interfaces>`);
    const eth0 = out[0]!.children[0]!;
    expect(eth0.children.find((c) => c.name === 'enabled')!.text).toBe('false');
    expect(eth0.children.find((c) => c.name === 'description')!.text).toBe('up');
    expect(out[0]!.children.map((c) => c.children[0]!.text)).toEqual(['eth0', 'eth1', 'eth2']);
    expect(DATA[0]!.children[0]!.children[1]!.text).toBe('true'); // the original is untouched
  });

  it('replaces, deletes, removes and creates by nc:operation', () => {
    const replaced = edit(`<interfaces xmlns="${IF}"><interface nc:operation="replace"><name>eth0</name><description>new</description></interface></interfaces>`);
    expect(replaced[0]!.children[0]!.children.map((c) => c.name)).toEqual(['name', 'description']);
    const deleted = edit(`<interfaces xmlns="${IF}"><interface nc:operation="delete"><name>eth1</name></interface></interfaces>`);
    expect(deleted[0]!.children).toHaveLength(1);
    expect(edit(`<interfaces xmlns="${IF}"><interface nc:operation="remove"><name>eth7</name></interface></interfaces>`)[0]!.children).toHaveLength(2);
    const created = edit(`<interfaces xmlns="${IF}"><interface nc:operation="create"><name>eth3</name></interface></interfaces>`);
    expect(created[0]!.children).toHaveLength(3);
    expect(created[0]!.children[2]!.attrs).not.toHaveProperty('nc:operation');
  });

  it.each([
    [`<interfaces xmlns="${IF}"><interface nc:operation="delete"><name>eth7</name></interface></interfaces>`, 'data-missing', "/interfaces/interface[name='eth7']"],
    [`<interfaces xmlns="${IF}"><interface nc:operation="create"><name>eth0</name></interface></interfaces>`, 'data-exists', "/interfaces/interface[name='eth0']"],
    [`<interfaces xmlns="${IF}"><interface><enabled>true</enabled></interface></interfaces>`, 'missing-element', undefined],
    [`<interfaces xmlns="${IF}" nc:operation="frobnicate"/>`, 'bad-attribute', undefined],
  ])('refuses a bad edit with the right error-tag %#', (inner, tag, path) => {
    const e = rpcError(() => edit(inner));
    expect(e.tag).toBe(tag);
    if (path) expect(e.errors[0]!.path).toBe(path);
  });

  it('replaces the whole datastore with default-operation replace', () => {
    expect(text(edit(`<system xmlns="${SYS}"><hostname>x</hostname></system>`, 'replace'))).toBe(`<system xmlns="${SYS}"><hostname>x</hostname></system>`);
  });

  it('changes only nodes with an operation under default-operation none', () => {
    const out = edit(`<interfaces xmlns="${IF}"><interface><name>eth0</name><enabled>false</enabled><mtu nc:operation="merge">9000</mtu></interface><interface><name>eth5</name><mtu>1</mtu></interface></interfaces>`, 'none');
    const eth0 = out[0]!.children[0]!;
    expect(eth0.children.find((c) => c.name === 'enabled')!.text).toBe('true');
    expect(eth0.children.find((c) => c.name === 'mtu')!.text).toBe('9000');
    expect(out[0]!.children).toHaveLength(2);
  });

  it('merges state into config for <get>', () => {
    const merged = mergeData(nodes(`<interfaces xmlns="${IF}"><interface><name>eth0</name><enabled>true</enabled></interface></interfaces>`), nodes(`<interfaces xmlns="${IF}"><interface><name>eth0</name><oper-status>up</oper-status></interface></interfaces>`));
    expect(merged[0]!.children[0]!.children.map((c) => c.name)).toEqual(['name', 'enabled', 'oper-status']);
  });
});
