// The datastore provider behind the NETCONF server, and an in-memory ietf-interfaces provider for tests.
//
// A provider owns the running configuration and the operational state; the server owns the
// candidate, locks and sessions. Lab-in-a-box backs a provider with an emulated device: state
// from live counters, `applyConfig` turning `enabled` into the port's admin state.
import {
  IANA_IF_TYPE_NS,
  IETF_INTERFACES_COUNTERS,
  IETF_INTERFACES_NS,
  childElement,
  childElements,
  cloneXml,
  xmlElement,
  type XmlElement,
} from '../../../protocols/netconf/index.ts';
import { DEFAULT_LIST_KEYS, rpcFail, type NetconfListKeys } from './datastore.ts';

/** Does a request select top-level nodes of this name and namespace? */
export type TopLevelFilter = (name: string, ns: string | undefined) => boolean;

export interface NetconfDatastoreProvider {
  /**
   * Operational (config false) data as top-level nodes; <get> merges it over the running config.
   * `wanted`, when given, says which top-level nodes the request's filter can select: a provider
   * may leave the others out (they would be filtered away).
   */
  getState(wanted?: TopLevelFilter): XmlElement[] | Promise<XmlElement[]>;
  /** The running configuration as top-level nodes (the server copies it before changing anything). */
  getConfig(): XmlElement[] | Promise<XmlElement[]>;
  /**
   * Makes `config` the running configuration. Throw a NetconfRpcError (e.g. via `rpcFail`) to
   * refuse it; the server then leaves everything unchanged and returns the error to the client.
   */
  applyConfig(config: XmlElement[]): void | Promise<void>;
  /** List element name -> key leaves of the provider's model (default: `interface` by `name`). */
  readonly listKeys?: NetconfListKeys;
  /**
   * Operations of the provider's own YANG modules (an element outside the base namespace): return
   * the <rpc-reply> content (no elements for <ok/>), or undefined when the operation is not the
   * provider's (the server then answers operation-not-supported). Throw a NetconfRpcError to refuse.
   */
  rpc?(operation: XmlElement): XmlElement[] | undefined | Promise<XmlElement[] | undefined>;
}

export interface MemoryInterface {
  name: string;
  /** iana-if-type identity (default `ethernetCsmacd`). */
  type?: string;
  operStatus?: 'up' | 'down' | 'testing' | 'unknown' | 'dormant' | 'not-present' | 'lower-layer-down';
  speedBps?: bigint;
  /** ietf-interfaces statistics by leaf name (`in-octets`, ...); missing ones read 0. */
  counters?: Partial<Record<string, bigint>>;
}

export interface MemoryInterfacesOptions {
  /** Where state is served: RFC 8343 `interfaces`, RFC 7223 `interfaces-state`, or both (default). */
  stateTree?: 'nmda' | 'legacy' | 'both';
  /** Initial running configuration (default: each interface with its type, enabled). */
  config?: XmlElement[];
}

const BOOT_TIME = '2024-01-01T00:00:00Z';

function typeLeaf(identity: string): XmlElement {
  return { ...xmlElement('type', IETF_INTERFACES_NS, `ianaift:${identity}`), scope: { ianaift: IANA_IF_TYPE_NS } };
}

/** ietf-interfaces in memory: admin state follows `enabled` in the running config, counters are settable. */
export class MemoryInterfacesProvider implements NetconfDatastoreProvider {
  readonly listKeys = DEFAULT_LIST_KEYS;
  private running: XmlElement[];
  private readonly ifs = new Map<string, Required<Omit<MemoryInterface, 'counters'>> & { counters: Record<string, bigint> }>();

  constructor(
    interfaces: MemoryInterface[],
    private readonly options: MemoryInterfacesOptions = {},
  ) {
    for (const i of interfaces) {
      const counters: Record<string, bigint> = {};
      for (const c of IETF_INTERFACES_COUNTERS) counters[c] = i.counters?.[c] ?? 0n;
      this.ifs.set(i.name, { name: i.name, type: i.type ?? 'ethernetCsmacd', operStatus: i.operStatus ?? 'up', speedBps: i.speedBps ?? 100_000_000_000n, counters });
    }
    this.running = options.config ?? [
      xmlElement(
        'interfaces',
        IETF_INTERFACES_NS,
        interfaces.map((i) =>
          xmlElement('interface', IETF_INTERFACES_NS, [
            xmlElement('name', IETF_INTERFACES_NS, i.name),
            typeLeaf(i.type ?? 'ethernetCsmacd'),
            xmlElement('enabled', IETF_INTERFACES_NS, 'true'),
          ]),
        ),
      ),
    ];
  }

  /** Sets (or adds to, with `add`) a counter of an interface. */
  setCounter(name: string, leaf: string, value: bigint, add = false): void {
    const i = this.ifs.get(name);
    if (!i) throw new Error(`no interface "${name}"`);
    i.counters[leaf] = add ? (i.counters[leaf] ?? 0n) + value : value;
  }

  /** Admin state from the running config: `enabled` defaults to true (RFC 8343). */
  adminUp(name: string): boolean {
    const entry = this.configEntries().find((e) => childElement(e, 'name')?.text.trim() === name);
    return childElement(entry ?? xmlElement('x', undefined), 'enabled')?.text.trim() !== 'false';
  }

  getConfig(): XmlElement[] {
    return this.running.map(cloneXml);
  }

  applyConfig(config: XmlElement[]): void {
    for (const top of config) {
      if (top.name !== 'interfaces' || top.ns !== IETF_INTERFACES_NS) continue;
      for (const e of childElements(top, 'interface')) {
        const enabled = childElement(e, 'enabled')?.text.trim();
        if (enabled !== undefined && enabled !== 'true' && enabled !== 'false') {
          rpcFail('invalid-value', `enabled must be true or false, got "${enabled}"`, {
            path: `/interfaces/interface[name='${childElement(e, 'name')?.text.trim()}']/enabled`,
          });
        }
      }
    }
    this.running = config.map(cloneXml);
  }

  getState(wanted: TopLevelFilter = () => true): XmlElement[] {
    const tree = this.options.stateTree ?? 'both';
    const out: XmlElement[] = [];
    if (tree !== 'legacy' && wanted('interfaces', IETF_INTERFACES_NS)) out.push(xmlElement('interfaces', IETF_INTERFACES_NS, [...this.ifs.values()].map((i) => this.stateEntry(i.name))));
    if (tree !== 'nmda' && wanted('interfaces-state', IETF_INTERFACES_NS)) out.push(xmlElement('interfaces-state', IETF_INTERFACES_NS, [...this.ifs.values()].map((i) => this.stateEntry(i.name))));
    return out;
  }

  private configEntries(): XmlElement[] {
    return this.running.filter((t) => t.name === 'interfaces' && t.ns === IETF_INTERFACES_NS).flatMap((t) => childElements(t, 'interface'));
  }

  private stateEntry(name: string): XmlElement {
    const i = this.ifs.get(name)!;
    const up = this.adminUp(name);
    const leaf = (n: string, v: string) => xmlElement(n, IETF_INTERFACES_NS, v);
    return xmlElement('interface', IETF_INTERFACES_NS, [
      leaf('name', name),
      typeLeaf(i.type),
      leaf('admin-status', up ? 'up' : 'down'),
      leaf('oper-status', up ? i.operStatus : 'down'),
      leaf('speed', String(i.speedBps)),
      xmlElement('statistics', IETF_INTERFACES_NS, [
        leaf('discontinuity-time', BOOT_TIME),
        ...IETF_INTERFACES_COUNTERS.map((c) => leaf(c, String(i.counters[c]))),
      ]),
    ]);
  }
}
