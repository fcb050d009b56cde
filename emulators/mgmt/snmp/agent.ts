// SNMP agent for lab-in-a-box: IF-MIB ifTable/ifXTable and system scalars, read live from a provider.
//
// Built on net-snmp's agent with the IF-MIB definitions bundled in the package (its module store
// turns IF-MIB into table providers). Guarantees:
// - every datagram that arrives first takes one snapshot of `provider.interfaces()`; rows are added
//   and removed to match it, and every cell of the answer is computed from that snapshot, so a walk
//   sees counters as they are when each request arrives (not when the row was added);
// - 64-bit counters (ifHC*) are encoded as minimal unsigned BER integers from numbers or bigints;
//   32-bit counters are the low 32 bits of the same values (RFC 2863 §3.1.6: they wrap);
// - everything is read-only: a SetRequest is answered notWritable;
// - v2c answers one community; v3 one USM user (authPriv by default: SHA and AES).
import dgram from 'node:dgram';
import { createRequire } from 'node:module';
import path from 'node:path';
import snmp from 'net-snmp';

export interface SnmpInterfaceCounters {
  inOctets: number | bigint;
  outOctets: number | bigint;
  inPkts: number | bigint;
  outPkts: number | bigint;
  inDiscards: number | bigint;
  outDiscards: number | bigint;
  inErrors: number | bigint;
  outErrors: number | bigint;
}

/** One interface as the agent serves it; `index` is its ifIndex (1 .. 2^31-1, unique). */
export interface SnmpInterface {
  name: string;
  index: number;
  operUp: boolean;
  adminUp: boolean;
  speedBps: number | bigint;
  /** Default 1500. */
  mtu?: number;
  /** Packets are served as unicast (ifHCInUcastPkts, ...); multicast and broadcast as 0. */
  counters: SnmpInterfaceCounters;
}

/** Called once per received datagram; must be quick and synchronous. */
export interface SnmpInterfaceProvider {
  interfaces(): readonly SnmpInterface[];
}

export type SnmpAgentAuthProtocol = 'md5' | 'sha' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
export type SnmpAgentPrivProtocol = 'des' | 'aes' | 'aes256b' | 'aes256r';

export interface SnmpAgentUser {
  name: string;
  /** Default 'sha'. */
  authProtocol?: SnmpAgentAuthProtocol;
  authKey: string;
  /** Default 'aes'. */
  privProtocol?: SnmpAgentPrivProtocol;
  /** Omit for authNoPriv. */
  privKey?: string;
}

export interface SnmpAgentOptions {
  provider: SnmpInterfaceProvider;
  sysDescr?: string;
  sysName?: string;
  /** v2c community; default 'public'. */
  community?: string;
  /** The v3 user; without it the agent answers v2c only. */
  user?: SnmpAgentUser;
  /** Hex engine ID; default random. */
  engineId?: string;
  /**
   * Milliseconds of uptime for sysUpTime. Time comes from outside (the twin passes its virtual
   * clock; a standalone agent passes wall time): the emulator reads no clock of its own.
   */
  upTimeMs: () => number;
  /** Errors the agent meets (bad packets, authentication failures, provider errors). Default: ignored. */
  onError?: (error: Error) => void;
}

export class SnmpAgentError extends Error {
  override readonly name = 'SnmpAgentError';
}

const IF_ENTRY = 'ifEntry';
const IF_X_ENTRY = 'ifXEntry';
const SCALARS = ['sysDescr', 'sysObjectID', 'sysUpTime', 'sysName', 'ifNumber'] as const;
/** net-snmp.sourceforge.net enterprise agent OID, as snmpd reports for Linux. */
const SYS_OBJECT_ID = '1.3.6.1.4.1.8072.3.2.10';
const IF_TYPE_ETHERNET_CSMACD = 6;
const UP = 1;
const DOWN = 2;
const TRUTH_VALUE = { true: 1, false: 2 } as const;
const U32 = 0xffff_ffffn;
const U64 = 0xffff_ffff_ffff_ffffn;

interface MibProviders {
  ifEntry: snmp.Provider;
  ifXEntry: snmp.Provider;
  scalars: Map<string, snmp.Provider>;
}

let cachedProviders: MibProviders | undefined;

/** Parses net-snmp's bundled IANAifType-MIB and IF-MIB once; callers get fresh copies. */
function mibProviders(): MibProviders {
  if (!cachedProviders) {
    const require = createRequire(import.meta.url);
    const mibDir = path.join(path.dirname(require.resolve('net-snmp')), 'lib', 'mibs');
    const store = snmp.createModuleStore();
    store.loadFromFile(path.join(mibDir, 'IANAifType-MIB.mib'));
    store.loadFromFile(path.join(mibDir, 'IF-MIB.mib'));
    const all = [...store.getProvidersForModule('SNMPv2-MIB'), ...store.getProvidersForModule('IF-MIB')];
    const byName = new Map(all.map((p) => [p.name, p]));
    const pick = (name: string): snmp.Provider => {
      const p = byName.get(name);
      if (!p) throw new SnmpAgentError(`net-snmp's bundled MIBs define no ${name}`);
      return p;
    };
    cachedProviders = {
      ifEntry: pick(IF_ENTRY),
      ifXEntry: pick(IF_X_ENTRY),
      scalars: new Map(SCALARS.map((n) => [n, pick(n)])),
    };
  }
  return structuredClone(cachedProviders);
}

/** The net-snmp MIB folder (IF-MIB, SNMPv2-MIB, ...), e.g. for `snmpwalk -M +<dir> -m IF-MIB`. */
export function netSnmpMibDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('net-snmp')), 'lib', 'mibs');
}

function big(v: number | bigint): bigint {
  return typeof v === 'bigint' ? v : BigInt(Math.max(0, Math.trunc(v)));
}

/** Low 32 bits, as a Counter32 / Gauge32 value. */
function low32(v: number | bigint): number {
  return Number(big(v) & U32);
}

/** Saturates at 2^32-1, as a Gauge32 does (ifSpeed, RFC 2863). */
function gauge32(v: number | bigint): number {
  const b = big(v);
  return Number(b > U32 ? U32 : b);
}

/** A Counter64 as the shortest unsigned big-endian BER content (a leading 0x00 keeps it positive). */
export function counter64Bytes(v: number | bigint): Buffer {
  let n = big(v) & U64;
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  } while (n > 0n);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return Buffer.from(bytes);
}

/** ifEntry column values (RFC 2863 ifTable), by column number. */
function ifEntryCell(column: number, i: SnmpInterface): unknown {
  const c = i.counters;
  switch (column) {
    case 1: return i.index;
    case 2: return i.name;
    case 3: return IF_TYPE_ETHERNET_CSMACD;
    case 4: return i.mtu ?? 1500;
    case 5: return gauge32(i.speedBps);
    case 6: return '';
    case 7: return i.adminUp ? UP : DOWN;
    case 8: return i.operUp ? UP : DOWN;
    case 9: return 0;
    case 10: return low32(c.inOctets);
    case 11: return low32(c.inPkts);
    case 13: return low32(c.inDiscards);
    case 14: return low32(c.inErrors);
    case 16: return low32(c.outOctets);
    case 17: return low32(c.outPkts);
    case 19: return low32(c.outDiscards);
    case 20: return low32(c.outErrors);
    case 22: return '0.0';
    default: return 0; // ifInNUcastPkts, ifInUnknownProtos, ifOutNUcastPkts, ifOutQLen
  }
}

/** ifXEntry column values (RFC 2863 ifXTable), by column number; `placeholder` gives valid row values. */
function ifXEntryCell(column: number, i: SnmpInterface, placeholder = false): unknown {
  const c = i.counters;
  const c64 = (v: number | bigint): unknown => (placeholder ? 0 : counter64Bytes(v));
  switch (column) {
    case 1: return i.name;
    case 6: return c64(c.inOctets);
    case 7: return c64(c.inPkts);
    case 8: case 9: case 12: case 13: return c64(0);
    case 10: return c64(c.outOctets);
    case 11: return c64(c.outPkts);
    case 14: return TRUTH_VALUE.false; // ifLinkUpDownTrapEnable: no traps
    case 15: return gauge32(big(i.speedBps) / 1_000_000n);
    case 16: return TRUTH_VALUE.false;
    case 17: return TRUTH_VALUE.true;
    case 18: return '';
    default: return 0; // 32-bit multicast/broadcast counters, ifCounterDiscontinuityTime
  }
}

function oidParts(oid: string): number[] {
  return oid.split('.').map(Number);
}

export class SnmpAgent {
  private agent: snmp.Agent | undefined;
  private socket: dgram.Socket | undefined;
  private snapshot = new Map<number, SnmpInterface>();
  private readonly rows = new Set<number>();
  private boundPort = 0;

  constructor(private readonly options: SnmpAgentOptions) {}

  /** The UDP port the agent listens on (0 before `start`). */
  get port(): number {
    return this.boundPort;
  }

  /** Binds (port 0: any free port) and returns the bound port. */
  async start({ address = '127.0.0.1', port = 0 }: { address?: string; port?: number } = {}): Promise<number> {
    if (this.agent) throw new SnmpAgentError('agent already started');
    const onError = (error: Error | null): void => {
      if (error) this.options.onError?.(error);
    };
    let created: dgram.Socket | undefined;
    // net-snmp reads port 0 as "161" and gives no hook before its own message handler, so the
    // agent hands it a socket factory: the socket binds where asked and refreshes the snapshot
    // before net-snmp sees each datagram (listeners run in the order they were added).
    const dgramModule = {
      createSocket: (type: 'udp4' | 'udp6'): dgram.Socket => {
        const socket = dgram.createSocket(type);
        socket.on('message', () => this.refresh());
        const bind = socket.bind.bind(socket) as (port: number, address: string) => dgram.Socket;
        socket.bind = ((_: number, addr: string) => bind(port, addr)) as typeof socket.bind;
        created = socket;
        return socket;
      },
    };
    const agent = snmp.createAgent(
      { address, port: port || 161, engineID: this.options.engineId, disableAuthorization: false, dgramModule },
      onError,
    );
    const socket = created!;
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error): void => {
        socket.off('listening', ok);
        reject(new SnmpAgentError(`cannot listen on udp ${address}:${port}: ${err.message}`));
      };
      const ok = (): void => {
        socket.off('error', fail);
        resolve();
      };
      socket.once('listening', ok);
      socket.once('error', fail);
    }).catch((err: unknown) => {
      agent.close();
      throw err;
    });
    this.agent = agent;
    this.socket = socket;
    this.boundPort = socket.address().port;
    this.configure(agent);
    return this.boundPort;
  }

  /** Closes the socket; idempotent. The agent may be started again. */
  async stop(): Promise<void> {
    const agent = this.agent;
    const socket = this.socket;
    this.agent = undefined;
    this.socket = undefined;
    this.rows.clear();
    this.snapshot = new Map();
    this.boundPort = 0;
    if (!agent || !socket) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      agent.close();
    });
  }

  private configure(agent: snmp.Agent): void {
    const { community = 'public', user } = this.options;
    const auth = agent.getAuthorizer();
    auth.addCommunity(community);
    if (user) {
      auth.addUser({
        name: user.name,
        level: snmp.SecurityLevel[user.privKey === undefined ? 'authNoPriv' : 'authPriv'],
        authProtocol: snmp.AuthProtocols[user.authProtocol ?? 'sha'],
        authKey: user.authKey,
        privProtocol: user.privKey === undefined ? undefined : snmp.PrivProtocols[user.privProtocol ?? 'aes'],
        privKey: user.privKey,
      });
    }

    const mib = agent.getMib();
    // For every table cell it answers, net-snmp also gathers the cell's whole row for the agent
    // callback, at O(rows) per column (a 1000-row ifTable walk took ~15 s); this agent's callback
    // never reads rows, so it skips that work.
    mib.getTableRowCells = () => [];
    const providers = mibProviders();
    const scalar = (name: string, value: unknown, live?: () => unknown): void => {
      const p = providers.scalars.get(name)!;
      mib.registerProvider({
        ...p,
        handler: (req) => {
          if (req.operation === snmp.PduType.SetRequest) return req.done({ errorStatus: snmp.ErrorStatus.NotWritable });
          if (live) req.instanceNode.value = live();
          req.done();
        },
      });
      mib.setScalarValue(name, value);
    };
    scalar('sysDescr', this.options.sysDescr ?? 'fabric-hil emulated device');
    scalar('sysObjectID', SYS_OBJECT_ID);
    scalar('sysUpTime', 0, () => Math.floor(this.upTimeMs() / 10) % 2 ** 32);
    scalar('sysName', this.options.sysName ?? 'fabric-hil');
    scalar('ifNumber', 0, () => this.snapshot.size);

    const table = (p: snmp.Provider, cell: (column: number, i: SnmpInterface) => unknown): snmp.Provider => {
      const depth = oidParts(p.oid).length;
      return {
        ...p,
        handler: (req) => {
          if (req.operation === snmp.PduType.SetRequest) return req.done({ errorStatus: snmp.ErrorStatus.NotWritable });
          const i = this.snapshot.get(req.address[depth + 1]!);
          req.instanceNode.value = i === undefined ? null : cell(req.address[depth]!, i);
          req.done();
        },
      };
    };
    mib.registerProvider(table(providers.ifEntry, ifEntryCell));
    mib.registerProvider(table(providers.ifXEntry, (column, i) => ifXEntryCell(column, i)));
    this.refresh();
  }

  private upTimeMs(): number {
    return this.options.upTimeMs();
  }

  /** Takes the provider's snapshot and makes the table rows match it. */
  private refresh(): void {
    const agent = this.agent;
    if (!agent) return;
    let list: readonly SnmpInterface[];
    try {
      list = this.options.provider.interfaces();
    } catch (err) {
      this.options.onError?.(new SnmpAgentError(`interface provider failed: ${(err as Error).message}`, { cause: err }));
      return;
    }
    const next = new Map<number, SnmpInterface>();
    for (const i of list) {
      if (!Number.isInteger(i.index) || i.index < 1 || i.index > 0x7fff_ffff || next.has(i.index)) {
        this.options.onError?.(new SnmpAgentError(`interface "${i.name}": ifIndex ${i.index} is not a unique integer in 1..2147483647`));
        continue;
      }
      next.set(i.index, i);
    }
    const mib = agent.getMib();
    for (const index of this.rows) {
      if (next.has(index)) continue;
      mib.deleteTableRow(IF_X_ENTRY, [index]);
      mib.deleteTableRow(IF_ENTRY, [index]);
      this.rows.delete(index);
    }
    for (const [index, i] of next) {
      if (this.rows.has(index)) continue;
      try {
        mib.addTableRow(IF_ENTRY, Array.from({ length: 22 }, (_, k) => ifEntryCell(k + 1, i)));
        mib.addTableRow(IF_X_ENTRY, [index, ...Array.from({ length: 19 }, (_, k) => ifXEntryCell(k + 1, i, true))]);
        this.rows.add(index);
      } catch (err) {
        this.options.onError?.(new SnmpAgentError(`interface "${i.name}" (ifIndex ${index}): ${(err as Error).message}`));
        next.delete(index);
      }
    }
    this.snapshot = next;
  }
}
