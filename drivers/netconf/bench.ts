// NETCONF benchmark: sequential <get> round trips against our in-process server, by our client and by ncclient.
import { MemoryInterfacesProvider } from '../../emulators/mgmt/netconf/provider.ts';
import { NetconfServer } from '../../emulators/mgmt/netconf/server.ts';
import { NetconfClient } from './client.ts';
import { missingNcclient, runPython } from './peers.ts';

export interface NetconfBenchResult {
  rpcs: number;
  /** Interfaces served (each <get> returns config and both state trees for all of them). */
  interfaces: number;
  ourClient: { medianRttMs: number; p99RttMs: number; rpcsPerSecond: number };
  /** null when ncclient is not installed (see `ncclientSkipped`). */
  ncclient: { medianRttMs: number; rpcsPerSecond: number } | null;
  ncclientSkipped?: string;
}

const WARMUP = 20;
const INTERFACES = 8;
const PASSWORD = 'bench';

const NCCLIENT_SCRIPT = String.raw`
import json, sys, time
from ncclient import manager
a = json.loads(sys.argv[1])
m = manager.connect(host='127.0.0.1', port=a['port'], username='bench', password=a['password'],
                    hostkey_verify=False, allow_agent=False, look_for_keys=False, timeout=30)
for _ in range(a['warmup']):
    m.get()
rtts = []
t0 = time.perf_counter()
for _ in range(a['rpcs']):
    t = time.perf_counter()
    m.get()
    rtts.append((time.perf_counter() - t) * 1000)
total = time.perf_counter() - t0
m.close_session()
print(json.dumps({'rtts': rtts, 'seconds': total}))
`;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** Default 500 RPCs each; stock ncclient sends at most one request per 100 ms poll tick (its TICK), so its run takes rpcs / 10 s. */
export async function benchNetconf(opts: { rpcs?: number } = {}): Promise<NetconfBenchResult> {
  const rpcs = opts.rpcs ?? 500;
  if (!Number.isInteger(rpcs) || rpcs < 1) throw new RangeError(`rpcs must be a positive integer, got ${rpcs}`);
  const provider = new MemoryInterfacesProvider(
    Array.from({ length: INTERFACES }, (_, i) => ({ name: `eth${i}`, counters: { 'in-octets': 2n ** 60n + BigInt(i) } })),
  );
  const server = new NetconfServer({ provider, users: [{ username: 'bench', password: PASSWORD }] });
  const port = await server.start();
  try {
    const client = await NetconfClient.connect({ host: '127.0.0.1', port, username: 'bench', password: PASSWORD });
    const rtts: number[] = [];
    let seconds: number;
    try {
      for (let i = 0; i < WARMUP; i++) await client.get();
      const t0 = performance.now();
      for (let i = 0; i < rpcs; i++) {
        const t = performance.now();
        await client.get();
        rtts.push(performance.now() - t);
      }
      seconds = (performance.now() - t0) / 1000;
    } finally {
      await client.close();
    }
    rtts.sort((a, b) => a - b);
    const result: NetconfBenchResult = {
      rpcs,
      interfaces: INTERFACES,
      ourClient: { medianRttMs: round(quantile(rtts, 0.5)), p99RttMs: round(quantile(rtts, 0.99)), rpcsPerSecond: round(rpcs / seconds) },
      ncclient: null,
    };
    const missing = missingNcclient();
    if (missing) {
      result.ncclientSkipped = missing;
      return result;
    }
    const py = (await runPython(NCCLIENT_SCRIPT, { port, password: PASSWORD, rpcs, warmup: WARMUP }, 120_000 + rpcs * 100)) as { rtts: number[]; seconds: number };
    const sorted = [...py.rtts].sort((a, b) => a - b);
    result.ncclient = { medianRttMs: round(quantile(sorted, 0.5)), rpcsPerSecond: round(rpcs / py.seconds) };
    return result;
  } finally {
    await server.stop();
  }
}
