// SNMP benchmark: how fast our manager walks an N-row ifTable from our agent, in-process on loopback.
import { SnmpAgent, type SnmpInterface } from '../../emulators/mgmt/snmp/agent.ts';
import { SnmpManager } from './manager.ts';

export interface SnmpBenchOptions {
  /** ifTable rows; default 1000. */
  rows?: number;
  /** GetBulk max-repetitions of the walk; default 25. */
  maxRepetitions?: number;
  version?: 'v2c' | 'v3';
}

export interface SnmpBenchResult {
  rows: number;
  version: 'v2c' | 'v3';
  maxRepetitions: number;
  walkMs: number;
  varbinds: number;
  varbindsPerSecond: number;
}

const IF_TABLE = '1.3.6.1.2.1.2.2';

/** Synthetic interfaces for a bench or a test: `port1..portN`, counters derived from the index. */
export function syntheticInterfaces(rows: number): SnmpInterface[] {
  return Array.from({ length: rows }, (_, k) => {
    const i = k + 1;
    const n = BigInt(i);
    return {
      name: `port${i}`,
      index: i,
      operUp: i % 7 !== 0,
      adminUp: true,
      speedBps: 800_000_000_000,
      counters: {
        inOctets: n * 1_000_000_007n,
        outOctets: n * 999_999_937n,
        inPkts: n * 1000n,
        outPkts: n * 999n,
        inDiscards: n,
        outDiscards: 0,
        inErrors: 0,
        outErrors: n % 3n,
      },
    };
  });
}

/** Walks the whole ifTable once (after one warm-up Get) and reports the rate. */
export async function benchSnmp({ rows = 1000, maxRepetitions = 25, version = 'v2c' }: SnmpBenchOptions = {}): Promise<SnmpBenchResult> {
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`benchSnmp: rows must be an integer >= 1, got ${rows}`);
  const list = syntheticInterfaces(rows);
  const user = { name: 'bench', authKey: 'bench-auth-key', privKey: 'bench-priv-key' };
  const t0 = performance.now();
  const agent = new SnmpAgent({ provider: { interfaces: () => list }, community: 'bench', user, upTimeMs: () => performance.now() - t0 });
  const port = await agent.start();
  const manager = await SnmpManager.open(
    version === 'v2c'
      ? { host: '127.0.0.1', port, version, community: 'bench' }
      : { host: '127.0.0.1', port, version, user: user.name, authKey: user.authKey, privKey: user.privKey },
    { timeoutMs: 5000, retries: 0 },
  );
  try {
    await manager.get(['1.3.6.1.2.1.1.3.0']);
    const t0 = performance.now();
    const varbinds = (await manager.subtree(IF_TABLE, { maxRepetitions })).length;
    const walkMs = performance.now() - t0;
    return {
      rows,
      version,
      maxRepetitions,
      walkMs: Math.round(walkMs * 1000) / 1000,
      varbinds,
      varbindsPerSecond: Math.round(varbinds / (walkMs / 1000)),
    };
  } finally {
    await manager.close();
    await agent.stop();
  }
}
