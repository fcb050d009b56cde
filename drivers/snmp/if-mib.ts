// IF-MIB helpers: walks ifTable/ifXTable columns into per-interface records keyed by name, and maps them to PortCounters.
//
// Each column is walked on its own (subtree, in parallel), so only the columns listed here travel.
// A device without ifXTable still gives records: the name falls back to ifDescr and the 64-bit
// counters to the 32-bit ifTable ones (RFC 2863 §3.1.6 allows agents to omit ifHC* below 20 Mb/s).
import type { PortCounters } from '../device.ts';
import { isSnmpException, type SnmpManager, type SnmpVarbind } from './manager.ts';

const IF_ENTRY = '1.3.6.1.2.1.2.2.1';
const IF_X_ENTRY = '1.3.6.1.2.1.31.1.1.1';

/** The IF-MIB columns the helpers read (RFC 2863). */
export const IF_MIB = {
  ifDescr: `${IF_ENTRY}.2`,
  ifSpeed: `${IF_ENTRY}.5`,
  ifAdminStatus: `${IF_ENTRY}.7`,
  ifOperStatus: `${IF_ENTRY}.8`,
  ifInOctets: `${IF_ENTRY}.10`,
  ifInUcastPkts: `${IF_ENTRY}.11`,
  ifInDiscards: `${IF_ENTRY}.13`,
  ifInErrors: `${IF_ENTRY}.14`,
  ifOutOctets: `${IF_ENTRY}.16`,
  ifOutUcastPkts: `${IF_ENTRY}.17`,
  ifOutDiscards: `${IF_ENTRY}.19`,
  ifOutErrors: `${IF_ENTRY}.20`,
  ifName: `${IF_X_ENTRY}.1`,
  ifHCInOctets: `${IF_X_ENTRY}.6`,
  ifHCInUcastPkts: `${IF_X_ENTRY}.7`,
  ifHCOutOctets: `${IF_X_ENTRY}.10`,
  ifHCOutUcastPkts: `${IF_X_ENTRY}.11`,
  ifHighSpeed: `${IF_X_ENTRY}.15`,
} as const;
export type IfMibColumn = keyof typeof IF_MIB;

/** ifAdminStatus / ifOperStatus as RFC 8343 names them (ietf-interfaces oper-status). */
export type IfStatus = 'up' | 'down' | 'testing' | 'unknown' | 'dormant' | 'not-present' | 'lower-layer-down';
const IF_STATUS: Record<number, IfStatus> = {
  1: 'up',
  2: 'down',
  3: 'testing',
  4: 'unknown',
  5: 'dormant',
  6: 'not-present',
  7: 'lower-layer-down',
};

/** One row of ifTable + ifXTable. Counters are bigints whatever their SNMP width. */
export interface IfMibInterface {
  index: number;
  /** ifName, or ifDescr where the agent has no ifXTable. */
  name: string;
  descr: string;
  adminStatus: IfStatus;
  operStatus: IfStatus;
  /** ifHighSpeed x 10^6, or ifSpeed when ifHighSpeed is missing. */
  speedBps: number;
  inOctets: bigint;
  outOctets: bigint;
  inUcastPkts: bigint;
  outUcastPkts: bigint;
  inDiscards: bigint;
  outDiscards: bigint;
  inErrors: bigint;
  outErrors: bigint;
  /** True when the octet and packet counters are the 64-bit ifHC* ones. */
  highCapacity: boolean;
}

/** A column's values by ifIndex. */
type Column = Map<number, SnmpVarbind>;

async function walkColumn(manager: SnmpManager, oid: string, maxRepetitions: number): Promise<Column> {
  const column: Column = new Map();
  for (const vb of await manager.subtree(oid, { maxRepetitions })) {
    if (isSnmpException(vb)) continue;
    const index = Number(vb.oid.slice(oid.length + 1));
    if (Number.isInteger(index)) column.set(index, vb);
  }
  return column;
}

function text(vb: SnmpVarbind | undefined): string | undefined {
  return vb?.type === 'OctetString' ? Buffer.from(vb.value).toString('utf8') : undefined;
}

function int(vb: SnmpVarbind | undefined): bigint | undefined {
  switch (vb?.type) {
    case 'Integer':
    case 'Counter32':
    case 'Gauge32':
    case 'TimeTicks':
      return BigInt(vb.value);
    case 'Counter64':
      return vb.value;
    default:
      return undefined;
  }
}

/** One interface's record from its column values. */
function toRecord(index: number, get: (c: IfMibColumn) => SnmpVarbind | undefined): IfMibInterface {
  const counter = (high: IfMibColumn, low: IfMibColumn): bigint => int(get(high)) ?? int(get(low)) ?? 0n;
  const status = (c: IfMibColumn): IfStatus => IF_STATUS[Number(int(get(c)) ?? 4n)] ?? 'unknown';
  const descr = text(get('ifDescr')) ?? '';
  const highSpeed = int(get('ifHighSpeed'));
  return {
    index,
    name: text(get('ifName')) || descr || `if${index}`,
    descr,
    adminStatus: status('ifAdminStatus'),
    operStatus: status('ifOperStatus'),
    speedBps: highSpeed !== undefined && highSpeed > 0n ? Number(highSpeed) * 1e6 : Number(int(get('ifSpeed')) ?? 0n),
    inOctets: counter('ifHCInOctets', 'ifInOctets'),
    outOctets: counter('ifHCOutOctets', 'ifOutOctets'),
    inUcastPkts: counter('ifHCInUcastPkts', 'ifInUcastPkts'),
    outUcastPkts: counter('ifHCOutUcastPkts', 'ifOutUcastPkts'),
    inDiscards: int(get('ifInDiscards')) ?? 0n,
    outDiscards: int(get('ifOutDiscards')) ?? 0n,
    inErrors: int(get('ifInErrors')) ?? 0n,
    outErrors: int(get('ifOutErrors')) ?? 0n,
    highCapacity: int(get('ifHCInOctets')) !== undefined,
  };
}

async function walkColumns(manager: SnmpManager, names: IfMibColumn[], maxRepetitions: number): Promise<Record<IfMibColumn, Column>> {
  const columns = await Promise.all(names.map((n) => walkColumn(manager, IF_MIB[n], maxRepetitions)));
  const empty = new Map() as Column;
  const out = Object.fromEntries((Object.keys(IF_MIB) as IfMibColumn[]).map((n) => [n, empty]));
  names.forEach((n, i) => (out[n] = columns[i]!));
  return out as Record<IfMibColumn, Column>;
}

export interface IfMibWalkOptions {
  /** GetBulk max-repetitions per request; default 25. */
  maxRepetitions?: number;
}

/** Walks the IF-MIB columns and returns the interfaces keyed by name (ifName, else ifDescr). */
export async function walkIfMib(manager: SnmpManager, { maxRepetitions = 25 }: IfMibWalkOptions = {}): Promise<Map<string, IfMibInterface>> {
  const col = await walkColumns(manager, Object.keys(IF_MIB) as IfMibColumn[], maxRepetitions);
  const indexes = new Set([...col.ifDescr.keys(), ...col.ifName.keys()]);
  const out = new Map<string, IfMibInterface>();
  for (const index of [...indexes].sort((a, b) => a - b)) {
    const record = toRecord(index, (c) => col[c].get(index));
    out.set(record.name, record);
  }
  return out;
}

/** Interface names (ifName, else ifDescr) to ifIndex, from two column walks. */
export async function walkIfIndexes(manager: SnmpManager, { maxRepetitions = 25 }: IfMibWalkOptions = {}): Promise<Map<string, number>> {
  const col = await walkColumns(manager, ['ifName', 'ifDescr'], maxRepetitions);
  const out = new Map<string, number>();
  for (const index of [...new Set([...col.ifDescr.keys(), ...col.ifName.keys()])].sort((a, b) => a - b)) {
    out.set(text(col.ifName.get(index)) || text(col.ifDescr.get(index)) || `if${index}`, index);
  }
  return out;
}

/** One interface by ifIndex, with a single Get; undefined when the agent has no such row. */
export async function getIfMibRow(manager: SnmpManager, index: number): Promise<IfMibInterface | undefined> {
  const names = Object.keys(IF_MIB) as IfMibColumn[];
  const vbs = await manager.get(names.map((n) => `${IF_MIB[n]}.${index}`));
  const byName = new Map(names.map((n, i) => [n, vbs[i]]));
  const get = (c: IfMibColumn): SnmpVarbind | undefined => {
    const vb = byName.get(c);
    return vb && !isSnmpException(vb) ? vb : undefined;
  };
  if (get('ifDescr') === undefined && get('ifName') === undefined) return undefined;
  return toRecord(index, get);
}

/** IF-MIB record to the harness's PortCounters; packets are the unicast counts. */
export function toPortCounters(i: IfMibInterface): PortCounters {
  return {
    inOctets: i.inOctets,
    outOctets: i.outOctets,
    inPkts: i.inUcastPkts,
    outPkts: i.outUcastPkts,
    inDiscards: i.inDiscards,
    outDiscards: i.outDiscards,
    inErrors: i.inErrors,
    outErrors: i.outErrors,
  };
}
