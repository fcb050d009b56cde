// The fabric-hil command line: run, list, validate, report (and the commands later issues add).
//
// Exit codes: 0 all selected tests passed (blocked allowed); 1 a test failed or was broken, or
// nothing ran; 2 usage or configuration error. Errors name the file, line or field at fault.
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
// Commands import what they need when they run: `bench` must not carry vitest and the report
// builders in its memory figures, and `--help` stays quick.
import { availableSuites } from './suites-dir.ts';
import { formatSummaryTable } from './summary-table.ts';
import { TOOL_VERSION } from './version.ts';
import { DEFAULT_TESTBED_FILE, PROJECT_ROOT } from './context.ts';
import type { TopoGseOptions } from './topo.ts';

/** Bench defaults, repeated here for --help (emulators/bench.ts BENCH_DEFAULTS; a test keeps them equal). */
export const BENCH_HELP_DEFAULTS = {
  paths: 128,
  transport: 'uet' as const,
  seed: 1,
  rateBps: 100e9,
  linkDelayPs: 1_000_000,
  mtuBytes: 4150,
  queueBytes: 178_450,
  ecnMinBytes: 37_350,
  ecnMaxBytes: 145_250,
};

/** Errors that are the user's to fix: printed without a stack, exit code 2. */
const USER_ERRORS = new Set(['LabBoxError', 'RunConfigError', 'UsageError', 'ConnectionMatrixError', 'ResultsLoadError', 'SizingError', 'TestbedError', 'GeneratorError']);

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A command line that parses but asks for something impossible; exit code 2. */
class UsageError extends Error {
  override name = 'UsageError';
}

function parseSeed(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number >= 0');
  return n;
}

function parseShard(v: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(v);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new InvalidArgumentError('expected i/n with 1 <= i <= n, e.g. 2/4');
  return { index, count };
}

function parseList(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

function parseClockMode(v: string): 'stepped' | 'paced' {
  if (v !== 'stepped' && v !== 'paced') throw new InvalidArgumentError('expected stepped or paced');
  return v;
}

function parsePositive(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number > 0');
  return n;
}

export function buildProgram(out: (s: string) => void, err: (s: string) => void, setCode: (c: number) => void): Command {
  const program = new Command('fabric-hil')
    .description('Conformance lab for AI-cluster networking gear: runs the suites against lab devices or the built-in emulator.')
    .version(TOOL_VERSION)
    .configureOutput({ writeOut: out, writeErr: err })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('run')
    .description('Run the conformance suites against a testbed and write the reports')
    .option('--testbed <file>', 'testbed YAML', path.relative(process.cwd(), DEFAULT_TESTBED_FILE))
    .option('--suite <names>', `suites to run, comma-separated (default: all)`, parseList)
    .option('--grep <regex>', 'run only tests whose name matches')
    .option('--out <dir>', 'output folder; each run gets a sub-folder', path.relative(process.cwd(), path.join(PROJECT_ROOT, 'reports', 'out')) || '.')
    .option('--seed <n>', 'emulator random seed', parseSeed, 1)
    .option('--shard <i/n>', 'run shard i of n (merge with `report`)', parseShard)
    .option('--driver-timeout <ms>', 'bound on each device call before the test is broken', parsePositive, 30000)
    .option('--no-allure', 'skip the single-file Allure report')
    .addHelpText('after', `\nSuites: ${safeSuites()}\nExit codes: 0 passed (blocked allowed), 1 failed/broken/nothing ran, 2 usage or configuration error.`)
    .action(async (o: { testbed: string; suite?: string[]; grep?: string; out: string; seed: number; shard?: { index: number; count: number }; driverTimeout: number; allure: boolean }) => {
      const { runSuites } = await import('./run.ts');
      const outcome = await runSuites({
        testbedFile: o.testbed,
        suites: o.suite,
        grep: o.grep,
        outDir: o.out,
        seed: o.seed,
        shard: o.shard,
        driverTimeoutMs: o.driverTimeout,
        allure: o.allure,
      });
      out(`\n${formatSummaryTable(outcome.results)}\n`);
      if (outcome.interrupted) out('Run interrupted: the report shows what was recorded.\n');
      out(`Report: ${outcome.indexHtml}\n`);
      if (outcome.allureHtml) out(`Allure: ${outcome.allureHtml}\n`);
      setCode(outcome.exitCode);
    });

  program
    .command('list')
    .description('List suites, tests and the requirement IDs they check')
    .option('--suite <names>', 'only these suites', parseList)
    .option('--json', 'print JSON')
    .action(async (o: { suite?: string[]; json?: boolean }) => {
      const { listTests, formatList } = await import('./list.ts');
      const tests = await listTests(o.suite);
      out(o.json ? `${JSON.stringify(tests, null, 2)}\n` : formatList(tests));
    });

  program
    .command('validate')
    .description('Check testbed files: prints FILE:LINE:COL: field: problem, or a one-line summary')
    .argument('<files...>', 'testbed YAML files')
    .action(async (files: string[]) => {
      const { validateFiles } = await import('./testbed.ts');
      const r = validateFiles(files);
      out(r.output.endsWith('\n') ? r.output : `${r.output}\n`);
      setCode(r.ok ? EXIT.ok : EXIT.usage);
    });

  program
    .command('report')
    .description('Rebuild the HTML reports from one or more run folders (merging shards)')
    .argument('<dirs...>', 'run folders holding results.json')
    .option('--out <dir>', 'where to write (default: the run folder, or a merged-* folder beside the first)')
    .option('--no-allure', 'skip the single-file Allure report')
    .action(async (dirs: string[], o: { out?: string; allure: boolean }) => {
      const { buildReports } = await import('../reports/build.ts');
      const outDir = o.out ?? (dirs.length === 1 ? dirs[0]! : path.join(path.dirname(path.resolve(dirs[0]!)), `merged-${Date.now()}`));
      const built = await buildReports(dirs.length === 1 ? dirs[0]! : dirs, outDir, { allure: o.allure });
      out(`Report: ${built.indexHtml}\n`);
      if (built.allureHtml) out(`Allure: ${built.allureHtml}\n`);
    });

  program
    .command('audit')
    .description('Run each suite once per defect profile it should catch; report caught/escaped and the share caught')
    .option('--suite <names>', 'suites to audit, comma-separated (default: all)', parseList)
    .option('--testbed <file>', 'emulator testbed the variants start from', path.relative(process.cwd(), DEFAULT_TESTBED_FILE))
    .option('--seed <n>', 'emulator random seed', parseSeed, 1)
    .option('--out <dir>', 'output folder (an audit-* sub-folder holds every variant run)')
    .option('--json', 'print JSON: {suite, defects: [{id, caught, failedTests}], caught, total} (an array for several suites)')
    .addHelpText('after', '\nExit codes: 0 every defect caught, 1 a defect escaped (the suite is too weak), 2 usage or configuration error.')
    .action(async (o: { suite?: string[]; testbed: string; seed: number; out?: string; json?: boolean }) => {
      const { audit, formatAudit } = await import('./audit.ts');
      const audits = await audit({
        suites: o.suite,
        testbedFile: o.testbed,
        seed: o.seed,
        outDir: o.out,
        onVariant: (suite, d, i, n) => err(`audit ${suite}: ${i + 1}/${n} ${d.id}\n`),
      });
      if (o.json) {
        const json = audits.map((a) => ({
          suite: a.suite,
          defects: a.defects.map((d) => ({ id: d.id, caught: d.caught, failedTests: d.failedTests })),
          caught: a.caught,
          total: a.total,
        }));
        out(`${JSON.stringify(json.length === 1 ? json[0] : json, null, 2)}\n`);
      } else {
        out(formatAudit(audits));
      }
      setCode(audits.every((a) => a.caught === a.total) ? EXIT.ok : EXIT.failed);
    });

  program
    .command('bench')
    .description('Measure speed and print JSON: a connection-matrix workload on the reference fabric (default), or a management protocol')
    .argument('[workload]', 'fabric (needs --cm) | gse-pod | uec-loss-sweep | netconf | snmp | scaleup', 'fabric')
    .option('--gse-mode <m>', 'gse-pod: gse-n2n (default) | ip-ecmp (the RoCEv2 flow-hash baseline on the same PoD)')
    .option('--protocol <p>', 'scaleup: ualink | sue | esun | ethlink | ethplus | ethx')
    .option('--accelerators <n>', 'scaleup: accelerators in the supernode', parsePositive)
    .option('--scaleup-workload <w>', 'scaleup: all-reduce (ETH+, in-switch vs ring) | permutation')
    .option('--cm <file>', "connection matrix in the reference simulator's format")
    .option('--rows <n>', 'snmp: ifTable rows to walk', parsePositive, 1000)
    .option('--rpcs <n>', 'netconf: get round trips per client', parsePositive, 500)
    .option('--paths <n>', 'entropies per flow: 128 sprays, 1 is per-flow ECMP', parsePositive, BENCH_HELP_DEFAULTS.paths)
    .option('--transport <t>', 'uet or roce', parseTransport, BENCH_HELP_DEFAULTS.transport)
    .option('--seed <n>', 'random seed', parseSeed, BENCH_HELP_DEFAULTS.seed)
    .option('--k <n>', 'fat-tree k (default: sized from the matrix)', parsePositive)
    .option('--rate-bps <n>', 'link rate', parsePositive, BENCH_HELP_DEFAULTS.rateBps)
    .option('--link-delay-ps <n>', 'propagation per link', parsePositive, BENCH_HELP_DEFAULTS.linkDelayPs)
    .option('--mtu <bytes>', 'MTU on the wire', parsePositive, BENCH_HELP_DEFAULTS.mtuBytes)
    .option('--queue <bytes>', 'switch port queue size', parsePositive, BENCH_HELP_DEFAULTS.queueBytes)
    .option('--ecn-min <bytes>', 'ECN marking starts', parsePositive, BENCH_HELP_DEFAULTS.ecnMinBytes)
    .option('--ecn-max <bytes>', 'ECN marking reaches certainty', parsePositive, BENCH_HELP_DEFAULTS.ecnMaxBytes)
    .option('--no-trim', 'drop instead of trimming at a full queue')
    .option('--cwnd <packets>', 'initial and maximum window in MTU packets (default 1.5 x BDP)', parsePositive)
    .option('--json', 'print JSON (the only format; accepted for scripts)')
    .action(async (workload: string, o: { cm?: string; rows: number; rpcs: number; protocol?: string; accelerators?: number; scaleupWorkload?: string; gseMode?: string; paths: number; transport: 'uet' | 'roce'; seed: number; k?: number; rateBps: number; linkDelayPs: number; mtu: number; queue: number; ecnMin: number; ecnMax: number; trim: boolean; cwnd?: number }) => {
      if (workload === 'uec-loss-sweep') {
        const { runLossSweep } = await import('../emulators/uec/loss-bench.ts');
        out(`${JSON.stringify(runLossSweep({ seed: o.seed }))}\n`);
        return;
      }
      if (workload === 'gse-pod') {
        const { runGsePodBench } = await import('../emulators/gse/bench.ts');
        const m = o.gseMode;
        if (m !== undefined && m !== 'gse-n2n' && m !== 'ip-ecmp') throw new UsageError(`bench gse-pod: --gse-mode expects gse-n2n or ip-ecmp, got '${m}'`);
        out(`${JSON.stringify(runGsePodBench({ mode: m, seed: o.seed }))}\n`);
        return;
      }
      if (workload === 'scaleup') {
        const { runScaleupBench } = await import('../emulators/scaleup/bench.ts');
        const w = o.scaleupWorkload;
        if (w !== undefined && w !== 'all-reduce' && w !== 'permutation') throw new UsageError(`bench scaleup: --scaleup-workload expects all-reduce or permutation, got '${w}'`);
        out(`${JSON.stringify(runScaleupBench({ workload: w, protocol: o.protocol, accelerators: o.accelerators, seed: o.seed }))}\n`);
        return;
      }
      if (workload === 'netconf') {
        const { benchNetconf } = await import('../drivers/netconf/bench.ts');
        out(`${JSON.stringify(await benchNetconf({ rpcs: o.rpcs }))}\n`);
        return;
      }
      if (workload === 'snmp') {
        const { benchSnmp } = await import('../drivers/snmp/bench.ts');
        out(`${JSON.stringify(await benchSnmp({ rows: o.rows }))}\n`);
        return;
      }
      if (workload !== 'fabric') throw new UsageError(`bench: unknown workload '${workload}' (expected fabric, gse-pod, uec-loss-sweep, netconf, snmp or scaleup)`);
      if (!o.cm) throw new UsageError('bench: the fabric workload needs --cm FILE (a connection matrix)');
      const { runBench } = await import('../emulators/bench.ts');
      const r = runBench({
        cmFile: o.cm,
        paths: o.paths,
        transport: o.transport,
        seed: o.seed,
        k: o.k,
        rateBps: o.rateBps,
        linkDelayPs: o.linkDelayPs,
        mtuBytes: o.mtu,
        queueBytes: o.queue,
        ecnMinBytes: o.ecnMin,
        ecnMaxBytes: o.ecnMax,
        trimming: o.trim,
        cwndPackets: o.cwnd,
      });
      out(`${JSON.stringify(r)}\n`);
    });

  program
    .command('model')
    .description('Analytic-and-emulated models: crossdc = the cross-DC LLaMA2-70B training model of WAN-3/WAN-4')
    .argument('<name>', 'crossdc')
    .option('--formula-only', 'closed formula only, no emulated WAN runs')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { formulaOnly?: boolean; json?: boolean }) => {
      if (name !== 'crossdc') throw new UsageError(`model: unknown model '${name}' (expected crossdc)`);
      const { crossDcModel, formatCrossDc } = await import('../emulators/wan/crossdc.ts');
      const r = crossDcModel({ formulaOnly: Boolean(o.formulaOnly) });
      const text = o.json ? JSON.stringify(r, null, 2) : formatCrossDc(r);
      out(text.endsWith('\n') ? text : `${text}\n`);
    });

  const lab = program.command('lab').description('Lab-in-a-box: serve the emulated testbed over NETCONF, SNMP, serial ptys and an OTG-like API on loopback');
  const defaultLabDir = path.relative(process.cwd(), path.join(PROJECT_ROOT, 'reports', 'out', 'lab')) || '.';
  lab
    .command('up')
    .description('Build the twin in a background process, start its management endpoints, write and print a binding testbed')
    .option('--testbed <file>', 'emulator testbed to serve', path.relative(process.cwd(), DEFAULT_TESTBED_FILE))
    .option('--dir <dir>', 'folder for the binding, its env file (0600), the state file and logs', defaultLabDir)
    .option('--clock <mode>', 'stepped: device time moves only when a test asks; paced: it runs on with the wall clock', parseClockMode, 'stepped')
    .option('--time-scale <x>', 'with --clock paced: virtual seconds per wall second (default 0.01)', parsePositive)
    .option('--seed <n>', 'emulator random seed', parseSeed, 1)
    .addHelpText('after', '\nThen: set -a; . <dir>/lab.env; set +a; fabric-hil run --testbed <dir>/binding.yaml\nStop with: fabric-hil lab down --dir <dir>')
    .action(async (o: { testbed: string; dir: string; clock: 'stepped' | 'paced'; timeScale?: number; seed: number }) => {
      if (o.timeScale !== undefined && o.clock !== 'paced') throw new UsageError('--time-scale paces device time: it needs --clock paced');
      const { labUp, formatLabUp } = await import('./lab-box.ts');
      const r = await labUp({ testbedFile: o.testbed, dir: o.dir, clock: o.clock, ...(o.timeScale !== undefined ? { timeScale: o.timeScale } : {}), seed: o.seed });
      const text = formatLabUp(r);
      out(text.endsWith('\n') ? text : `${text}\n`);
    });
  lab
    .command('down')
    .description('Stop every process `lab up` started (by PID); safe to repeat')
    .option('--dir <dir>', 'the folder given to lab up', defaultLabDir)
    .action(async (o: { dir: string }) => {
      const { labDown, formatLabDown } = await import('./lab-box.ts');
      const text = formatLabDown(await labDown({ dir: o.dir }));
      out(text.endsWith('\n') ? text : `${text}\n`);
    });

  const topo = program.command('topo').description('Size fabrics: devices per role, links, optics and the computed oversubscription of every stage');
  topo
    .command('gse')
    .description('Size a GSE N2N fabric (GSE-TOPO-*): refuses an infeasible request with the reason')
    .requiredOption('--gpus <n>', 'GPUs to cover (whole PoDs are built)', parsePositive)
    .option('--design <d>', 'three-tier | border | gsp-direct', 'three-tier')
    .option('--rail', 'rail-optimised GSF-T2 (three-tier only)')
    .option('--oversub <1:K>', 'oversubscription at GSF-T2 -> GSF-T1 (three-tier), BORDER -> CORE, or GSP -> CORE', '1:1')
    .option('--radix <n>', 'ports per switch, 400GE each', parsePositive, 128)
    .option('--json', 'print JSON')
    .action(async (o: { gpus: number; design: string; rail?: boolean; oversub: string; radix: number; json?: boolean }) => {
      const { topoGse, formatTopo, SizingError } = await import('./topo.ts');
      try {
        const r = topoGse({ gpus: o.gpus, design: o.design as TopoGseOptions['design'], rail: o.rail, oversub: o.oversub, radix: o.radix });
        const text = o.json ? JSON.stringify(r, null, 2) : formatTopo(r);
        out(text.endsWith("\n") ? text : `${text}\n`);
      } catch (e) {
        if (e instanceof SizingError) throw new UsageError(`topo gse: ${e.message}`);
        throw e;
      }
    });

  return program;
}

function parseTransport(v: string): 'uet' | 'roce' {
  if (v !== 'uet' && v !== 'roce') throw new InvalidArgumentError('expected uet or roce');
  return v;
}

function safeSuites(): string {
  try {
    return availableSuites().join(', ');
  } catch {
    return '(none found)';
  }
}

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(
    (s) => process.stdout.write(s),
    (s) => process.stderr.write(s),
    (c) => {
      code = c;
    },
  );
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with exit code 0
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (USER_ERRORS.has((e as Error).name)) {
      process.stderr.write(`fabric-hil: ${(e as Error).name === 'RunConfigError' ? 'configuration error:\n' : ''}${(e as Error).message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`fabric-hil: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT.failed;
  }
}
