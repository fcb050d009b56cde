// A NETCONF datastore provider backed by one twin node: ietf-interfaces from the node's ports and counters, and the fabric-hil-emulator module.
//
// Guarantees:
// - <get> serves ietf-interfaces state in both trees (RFC 8343 `interfaces`, RFC 7223
//   `interfaces-state`) read from the node when the request arrives: admin and oper status,
//   speed, and statistics from the node's live counters (counter32 leaves wrap at 2^32);
// - the running configuration lists every port (name, type, enabled); `enabled` is the port's
//   administrative state in the twin, so a change made through the module's RPCs shows here too.
//   Committing `enabled false` takes the port administratively down (the node's
//   `/interfaces/interface[name=P]/enabled` config, or a link-down fault on models without it);
//   other top-level configuration is kept as given;
// - the module's RPCs (fabric-hil-emulator.yang) answer with the node's own `state.get`,
//   `config.get/edit`, `faults` and port counters (values as JSON text, value-json.ts) and its `emulator`
//   container gives the twin's device time and clock mode, so suites see the same values as
//   in-process;
// - the twin is read through a ServedTwin (served-twin.ts), never kept: `advance-time` moves a
//   stepped clock and answers once the twin has run that far; `reset` rebuilds the whole twin
//   (every device of it) and this provider forgets what it kept of the old one (configuration
//   outside ietf-interfaces, ports it held down);
// - a twin error becomes an <rpc-error> (operation-failed with the model's message); a port the
//   node does not have is invalid-value.
import {
  IANA_IF_TYPE_NS,
  IETF_INTERFACES_COUNTERS,
  IETF_INTERFACES_LEAF_TYPES,
  IETF_INTERFACES_NS,
  childElement,
  childElements,
  cloneXml,
  xmlElement,
  type XmlElement,
} from '../../../protocols/netconf/index.ts';
import type { TwinFault, TwinNode, TwinPortCounters } from '../../twin.ts';
import { DEFAULT_LIST_KEYS, rpcFail } from '../netconf/datastore.ts';
import type { NetconfDatastoreProvider, TopLevelFilter } from '../netconf/provider.ts';
import { decodeTwinValue, encodeTwinValue, TwinValueError } from './value-json.ts';
import { ServedTwinError, type ServedTwin } from './served-twin.ts';
import { EMULATOR_NS, EMULATOR_RPC, EMULATOR_RPC_LEAF, EMULATOR_STATE } from './yang.ts';

const BOOT_TIME = '1970-01-01T00:00:00Z';
const U32 = 2 ** 32;
const FAULT_KINDS = new Set(['link-down', 'loss', 'bit-errors', 'laser-off', 'queue-bytes']);

/** ietf-interfaces statistics leaf -> the twin counter it reads (absent: always 0). */
const COUNTER_OF: Readonly<Record<string, keyof TwinPortCounters>> = {
  'in-octets': 'inOctets',
  'in-unicast-pkts': 'inPkts',
  'in-discards': 'inDiscards',
  'in-errors': 'inErrors',
  'out-octets': 'outOctets',
  'out-unicast-pkts': 'outPkts',
  'out-discards': 'outDiscards',
  'out-errors': 'outErrors',
};

export interface TwinNetconfOptions {
  served: ServedTwin;
  /** The device this provider serves (a node of the served twin). */
  deviceId: string;
  /** Served as `twin-id`: the same for every device of one served twin. */
  twinId: string;
}

const leaf = (name: string, text: string, ns = IETF_INTERFACES_NS): XmlElement => xmlElement(name, ns, text);
const typeLeaf = (): XmlElement => ({ ...leaf('type', 'ianaift:ethernetCsmacd'), scope: { ianaift: IANA_IF_TYPE_NS } });
const ifPath = (port: string, leafName: string): string => `/interfaces/interface[name=${port}]/${leafName}`;

export class TwinNetconfProvider implements NetconfDatastoreProvider {
  readonly listKeys = DEFAULT_LIST_KEYS;
  /** Top-level configuration other than ietf-interfaces, kept as clients wrote it. */
  private other: XmlElement[] = [];
  /** Ports held administratively down by a link-down fault (models without the `enabled` config). */
  private readonly adminFaults = new Map<string, string>();

  constructor(private readonly opts: TwinNetconfOptions) {
    opts.served.node(opts.deviceId); // a device the twin lacks is an error now, not at the first request
    opts.served.onReset(() => {
      this.other = [];
      this.adminFaults.clear();
    });
  }

  private get node(): TwinNode {
    return this.opts.served.node(this.opts.deviceId);
  }

  /** Administrative state of a port: the node's `enabled` when it has one, else our own fault. */
  adminUp(port: string): boolean {
    const v = this.node.state?.get(ifPath(port, 'enabled'));
    if (typeof v === 'boolean') return v;
    return !this.adminFaults.has(port);
  }

  getConfig(): XmlElement[] {
    const entries = this.node.ports.map((p) =>
      xmlElement('interface', IETF_INTERFACES_NS, [leaf('name', p), typeLeaf(), leaf('enabled', String(this.adminUp(p)))]),
    );
    return [xmlElement('interfaces', IETF_INTERFACES_NS, entries), ...this.other.map(cloneXml)];
  }

  applyConfig(config: XmlElement[]): void {
    const wanted = new Map<string, boolean>(this.node.ports.map((p) => [p, true]));
    for (const top of config) {
      if (top.name !== 'interfaces' || top.ns !== IETF_INTERFACES_NS) continue;
      for (const e of childElements(top, 'interface')) {
        const name = childElement(e, 'name')?.text.trim() ?? '';
        const at = `/interfaces/interface[name='${name}']`;
        if (!wanted.has(name)) rpcFail('invalid-value', `device "${this.node.id}" has no interface "${name}"`, { path: at });
        const enabled = childElement(e, 'enabled')?.text.trim();
        if (enabled !== undefined && enabled !== 'true' && enabled !== 'false') {
          rpcFail('invalid-value', `enabled must be true or false, got "${enabled}"`, { path: `${at}/enabled` });
        }
        wanted.set(name, enabled !== 'false');
      }
    }
    for (const [port, up] of wanted) if (up !== this.adminUp(port)) this.setAdmin(port, up);
    this.other = config.filter((t) => !(t.name === 'interfaces' && t.ns === IETF_INTERFACES_NS)).map(cloneXml);
  }

  /** State trees, built only where the request's filter can select them (a clock read needs no interfaces). */
  getState(wanted: TopLevelFilter = () => true): XmlElement[] {
    const entries = (): XmlElement[] => this.node.ports.map((p) => this.stateEntry(p));
    return [
      ...(wanted('interfaces', IETF_INTERFACES_NS) ? [xmlElement('interfaces', IETF_INTERFACES_NS, entries())] : []),
      ...(wanted('interfaces-state', IETF_INTERFACES_NS) ? [xmlElement('interfaces-state', IETF_INTERFACES_NS, entries())] : []),
      ...(wanted(EMULATOR_STATE.CONTAINER, EMULATOR_NS) ? [xmlElement(EMULATOR_STATE.CONTAINER, EMULATOR_NS, this.emulatorState())] : []),
    ];
  }

  rpc(op: XmlElement): XmlElement[] | undefined {
    if (op.ns !== EMULATOR_NS) return undefined;
    const arg = (name: string): string | undefined => childElement(op, name, EMULATOR_NS)?.text;
    const required = (name: string): string => {
      const v = arg(name);
      if (v === undefined) rpcFail('missing-element', `${op.name} needs <${name}>`, { type: 'protocol', info: [xmlElement('bad-element', undefined, name)] });
      return v;
    };
    const value = (v: unknown): XmlElement[] => {
      const text = encodeTwinValue(v);
      return text === undefined ? [] : [xmlElement('value', EMULATOR_NS, text)];
    };
    const json = (name: string): unknown => {
      try {
        return decodeTwinValue(required(name));
      } catch (e) {
        if (e instanceof TwinValueError) rpcFail('invalid-value', `<${name}>: ${e.message}`);
        throw e;
      }
    };
    switch (op.name) {
      case EMULATOR_RPC.GET_STATE:
        return value(this.node.state?.get(required('path')));
      case EMULATOR_RPC.GET_COUNTERS: {
        const counters = this.node.counters ?? rpcFail('operation-not-supported', `device "${this.node.id}" (kind ${this.node.kind}) counts nothing`);
        const port = arg('port')?.trim();
        if (port !== undefined) this.checkPort(port);
        const ports = port === undefined ? this.node.ports : [port];
        return value(Object.fromEntries(ports.map((p) => [p, counters.port(p)])));
      }
      case EMULATOR_RPC.GET_CONFIG_VALUE:
        return value(this.needConfig().get(arg('path')));
      case EMULATOR_RPC.EDIT_CONFIG_VALUE: {
        const operation = arg('operation')?.trim() ?? 'merge';
        if (operation !== 'merge' && operation !== 'replace' && operation !== 'delete') {
          rpcFail('invalid-value', `operation must be merge, replace or delete, got "${operation}"`);
        }
        const v = arg('value') === undefined ? undefined : json('value');
        this.needConfig().edit(required('path'), v, operation);
        return [];
      }
      case EMULATOR_RPC.INJECT_FAULT: {
        const fault = json('fault') as TwinFault;
        if (typeof fault !== 'object' || fault === null || !FAULT_KINDS.has(fault.kind) || typeof fault.port !== 'string') {
          rpcFail('invalid-value', `<fault> must be { kind: ${[...FAULT_KINDS].join(' | ')}, port, ... }`);
        }
        this.checkPort(fault.port);
        return [xmlElement('handle', EMULATOR_NS, this.needFaults().inject({ ...fault }))];
      }
      case EMULATOR_RPC.CLEAR_FAULT:
        this.needFaults().clear(required('handle').trim());
        return [];
      case EMULATOR_RPC.CLEAR_ALL_FAULTS:
        this.needFaults().clearAll();
        return [];
      case EMULATOR_RPC.ADVANCE_TIME: {
        const text = required(EMULATOR_RPC_LEAF.DURATION_PS).trim();
        const ps = /^[0-9]{1,20}$/.test(text) ? Number(text) : NaN;
        if (!Number.isSafeInteger(ps)) rpcFail('invalid-value', `<${EMULATOR_RPC_LEAF.DURATION_PS}> must be a whole number of picoseconds up to 2^53, got "${text}"`);
        try {
          return [xmlElement(EMULATOR_RPC_LEAF.DEVICE_TIME_PS, EMULATOR_NS, String(Math.floor(this.opts.served.advance(ps))))];
        } catch (e) {
          if (e instanceof ServedTwinError) rpcFail('operation-failed', e.message);
          throw e;
        }
      }
      case EMULATOR_RPC.RESET:
        this.opts.served.reset();
        return [xmlElement(EMULATOR_RPC_LEAF.GENERATION, EMULATOR_NS, String(this.opts.served.generation))];
      default:
        return rpcFail('operation-not-supported', `${op.name} is not an operation of fabric-hil-emulator`, {
          type: 'protocol',
          info: [xmlElement('bad-element', undefined, op.name)],
        });
    }
  }

  private emulatorState(): XmlElement[] {
    const { served } = this.opts;
    const clock = served.clock;
    return [
      leaf(EMULATOR_STATE.DEVICE_ID, this.opts.deviceId, EMULATOR_NS),
      leaf(EMULATOR_STATE.DEVICE_TIME_PS, String(Math.floor(served.twin.nowPs())), EMULATOR_NS),
      leaf(EMULATOR_STATE.CLOCK_MODE, clock.mode, EMULATOR_NS),
      ...(clock.mode === 'paced' ? [leaf(EMULATOR_STATE.TIME_SCALE, String(clock.timeScale), EMULATOR_NS)] : []),
      leaf(EMULATOR_STATE.TWIN_ID, this.opts.twinId, EMULATOR_NS),
    ];
  }

  private needConfig(): NonNullable<TwinNode['config']> {
    return this.node.config ?? rpcFail('operation-not-supported', `device "${this.node.id}" (kind ${this.node.kind}) has no configuration model`);
  }

  private needFaults(): NonNullable<TwinNode['faults']> {
    return this.node.faults ?? rpcFail('operation-not-supported', `device "${this.node.id}" (kind ${this.node.kind}) cannot inject faults`);
  }

  private checkPort(port: string): void {
    if (!this.node.ports.includes(port)) rpcFail('invalid-value', `device "${this.node.id}": no port "${port}" (ports: ${this.node.ports.join(', ')})`);
  }

  private setAdmin(port: string, up: boolean): void {
    if (this.node.config && typeof this.node.state?.get(ifPath(port, 'enabled')) === 'boolean') {
      this.node.config.edit(ifPath(port, 'enabled'), up, 'replace');
      return;
    }
    const held = this.adminFaults.get(port);
    if (up && held !== undefined) {
      this.node.faults?.clear(held);
      this.adminFaults.delete(port);
    } else if (!up && held === undefined) {
      this.adminFaults.set(port, this.needFaults().inject({ kind: 'link-down', port }));
    }
  }

  private stateEntry(port: string): XmlElement {
    const oper = this.node.state?.get(ifPath(port, 'oper-status'));
    const speed = this.node.state?.get(ifPath(port, 'speed'));
    const c = this.node.counters?.port(port);
    const stat = (name: string): string => {
      const key = COUNTER_OF[name];
      const v = key === undefined || c === undefined ? 0 : Math.max(0, Math.trunc(c[key] ?? 0));
      return String(IETF_INTERFACES_LEAF_TYPES[name] === 'counter32' ? v % U32 : v);
    };
    const up = this.adminUp(port);
    return xmlElement('interface', IETF_INTERFACES_NS, [
      leaf('name', port),
      typeLeaf(),
      leaf('admin-status', up ? 'up' : 'down'),
      leaf('oper-status', !up ? 'down' : oper === 'up' || oper === 'down' ? oper : 'unknown'),
      leaf('speed', String(typeof speed === 'number' && speed >= 0 ? Math.trunc(speed) : 0)),
      xmlElement('statistics', IETF_INTERFACES_NS, [leaf('discontinuity-time', BOOT_TIME), ...IETF_INTERFACES_COUNTERS.map((n) => leaf(n, stat(n)))]),
    ]);
  }
}
