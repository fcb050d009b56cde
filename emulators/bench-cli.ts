// Command line for the benchmark: npx tsx emulators/bench-cli.ts --cm FILE [--paths N]
// [--transport uet|roce] [--seed S] [--k K] [--cwnd PKTS] [--no-trim] — prints the result as JSON.
import { runBench, type BenchOptions } from './bench.ts';

function main(argv: string[]): void {
  const opts: Partial<BenchOptions> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const num = (): number => {
      const raw = next();
      const v = Number(raw);
      if (!Number.isFinite(v)) throw new Error(`${a} expects a number, got '${raw}'`);
      return v;
    };
    switch (a) {
      case '--cm':
        opts.cmFile = next();
        break;
      case '--paths':
        opts.paths = num();
        break;
      case '--transport': {
        const t = next();
        if (t !== 'uet' && t !== 'roce') throw new Error(`--transport expects uet or roce, got '${t}'`);
        opts.transport = t;
        break;
      }
      case '--seed':
        opts.seed = num();
        break;
      case '--k':
        opts.k = num();
        break;
      case '--cwnd':
        opts.cwndPackets = num();
        break;
      case '--queue':
        opts.queueBytes = num();
        break;
      case '--no-trim':
        opts.trimming = false;
        break;
      case '--json':
        break;
      default:
        throw new Error(`unknown option '${a}'`);
    }
  }
  if (opts.cmFile === undefined) throw new Error('usage: bench-cli --cm FILE [--paths N] [--transport uet|roce] [--seed S] [--k K] [--cwnd PKTS] [--queue BYTES] [--no-trim]');
  process.stdout.write(JSON.stringify(runBench(opts as BenchOptions)) + '\n');
}

try {
  main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exit(2);
}
