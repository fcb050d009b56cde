// `fabric-hil lab up|down`: lab-in-a-box, the emulator served on loopback as real gear is reached, and the binding that points the lab drivers at it.
//
// `labUp` starts ONE detached process (emulators/mgmt/lab/serve.mjs) that builds the twin from the
// testbed and serves, per device, NETCONF over SSH, an SNMP agent, an OTG-like HTTP API (traffic
// and capture nodes) and a console on a socat pty pair per CMIS module port. Device time is stepped
// (default: it moves only when a client asks, through the emulator module's advance-time RPC, so
// the twin sees the operations of a run in the order the in-process emulator sees them) or paced
// (`timeScale` virtual seconds per wall second). It writes into `dir`:
//   lab-state.json   every PID started (the server, each socat), for `labDown`
//   lab.env          the credentials (mode 0600), `NAME=value` lines a shell can source
//   binding.yaml     the same topology, each device bound to [netconf, snmp, otg?, serial?] with
//                    credentials as ${env:...} references to lab.env
//   serve-spec.json, serve.log, ready.json, tty/   the server's input, log, endpoints and ptys
// `labDown` stops everything by PID (SIGTERM, then SIGKILL after a grace period) and removes the
// state file; it is idempotent. Secrets are never printed.
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { TwinTopology } from '../emulators/twin.ts';
import { LAB_ENV, type LabReady, type LabServeFile } from '../emulators/mgmt/lab/serve-spec.ts';
import { DEFAULT_TESTBED_FILE, PROJECT_ROOT } from './context.ts';
import { formatProblems, loadTestbed, TestbedError, type Testbed } from './testbed.ts';

export const LAB_STATE_FILE = 'lab-state.json';
export const LAB_ENV_FILE = 'lab.env';
export const LAB_BINDING_FILE = 'binding.yaml';
export const DEFAULT_TIME_SCALE = 0.01;
export type LabClockMode = 'stepped' | 'paced';
export const LAB_USERNAME = 'fabric-hil';
/** Environment variables the binding refers to (values in lab.env). */
export const LAB_ENV_VARS = LAB_ENV;

const SERVE_SCRIPT = path.join(PROJECT_ROOT, 'emulators', 'mgmt', 'lab', 'serve.mjs');

export class LabBoxError extends Error {
  override readonly name = 'LabBoxError';
}

export interface LabUpOptions {
  /** Testbed to serve (default config/testbeds/emulator.yaml); every device must be emulated. */
  testbedFile?: string;
  /** Folder for the state, env and binding files (created). */
  dir: string;
  /** How device time moves (default stepped). */
  clock?: LabClockMode;
  /** Paced clock only: virtual seconds per wall second (default 0.01: 1 ms of device time takes 100 ms). */
  timeScale?: number;
  /** Seed of the twin (default 1). */
  seed?: number;
  /** How long to wait for the server to be ready (default 120 000 ms). */
  readyTimeoutMs?: number;
}

export interface LabProcess {
  pid: number;
  what: string;
}

export interface LabState {
  version: 1;
  startedAt: string;
  testbedFile: string;
  bindingFile: string;
  envFile: string;
  clock: LabClockMode;
  /** Paced clock only. */
  timeScale?: number;
  seed: number;
  processes: LabProcess[];
}

export interface LabUpDevice {
  id: string;
  kind: string;
  drivers: string[];
  netconf: string;
  snmp?: string;
  otg?: string;
  consoles: number;
}

export interface LabUpResult {
  dir: string;
  bindingFile: string;
  envFile: string;
  stateFile: string;
  testbedName: string;
  clock: LabClockMode;
  /** Paced clock only. */
  timeScale?: number;
  seed: number;
  /** The server's PID first, then each socat's. */
  pids: number[];
  devices: LabUpDevice[];
}

export interface LabDownOptions {
  dir: string;
  /** Wait after SIGTERM before SIGKILL (default 3000 ms). */
  graceMs?: number;
}

export interface LabDownResult {
  dir: string;
  /** Whether a state file was there (false: nothing to stop). */
  found: boolean;
  /** Stopped by SIGTERM. */
  stopped: number[];
  /** Needed SIGKILL. */
  killed: number[];
  /** Already gone. */
  gone: number[];
}

/** Running (a zombie, exited and not yet reaped, is not). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return !fs.existsSync('/proc/self'); // without /proc, kill(0) is all we know
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function readState(file: string): LabState | null {
  if (!fs.existsSync(file)) return null;
  try {
    const s = JSON.parse(fs.readFileSync(file, 'utf8')) as LabState;
    if (!Array.isArray(s.processes)) throw new Error('no processes list');
    return s;
  } catch (e) {
    throw new LabBoxError(`${file}: not a lab state file (${(e as Error).message}); remove it by hand once you have checked no lab process runs`);
  }
}

function writeState(file: string, state: LabState): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** The twin topology of an all-emulated testbed. */
function twinTopology(tb: Testbed): TwinTopology {
  const notEmulated = tb.devices.filter((d) => !d.drivers.includes('emulator'));
  if (notEmulated.length > 0) {
    throw new LabBoxError(
      `${tb.file}: lab up serves emulated devices only; ${notEmulated.map((d) => `${d.id} (${d.drivers.join('+')})`).join(', ')} ${notEmulated.length === 1 ? 'is' : 'are'} bound to lab drivers`,
    );
  }
  return {
    devices: tb.devices.map((d) => ({ id: d.id, kind: d.kind, ports: [...d.ports], params: d.params, defects: [...d.defects] })),
    links: tb.links.map((l) => ({
      a: { ...l.a },
      b: { ...l.b },
      ...(l.rateBps !== undefined ? { rateBps: l.rateBps } : {}),
      ...(l.lengthKm !== undefined ? { lengthKm: l.lengthKm } : {}),
      ...(l.fibre !== undefined ? { fibre: l.fibre } : {}),
    })),
  };
}

function envRef(name: string): string {
  return `\${env:${name}}`;
}

/** The binding testbed: the same topology (fabrics expanded), each device bound to the lab drivers. */
function bindingYaml(tb: Testbed, ready: Extract<LabReady, { ok: true }>, sourceFile: string, envFile: string): { text: string; devices: LabUpDevice[] } {
  const byId = new Map(ready.endpoints.devices.map((d) => [d.id, d]));
  const devices: LabUpDevice[] = [];
  const binding: Record<string, unknown> = {};
  for (const d of tb.devices) {
    const ep = byId.get(d.id);
    if (!ep) throw new LabBoxError(`the lab server reported no endpoints for device "${d.id}"`);
    const drivers = ['netconf'];
    const entry: Record<string, unknown> = {
      netconf: { host: '127.0.0.1', port: ep.netconfPort, username: LAB_USERNAME, password: envRef(LAB_ENV_VARS.PASSWORD) },
    };
    if (ep.snmpPort !== undefined) {
      drivers.push('snmp');
      entry.snmp = { host: '127.0.0.1', port: ep.snmpPort, version: 'v2c', community: envRef(LAB_ENV_VARS.COMMUNITY) };
    }
    if (ep.otgUrl !== undefined) {
      drivers.push('otg');
      entry.otg = { url: ep.otgUrl, ...(ep.otgOffers && ep.otgOffers.length < 2 ? { offers: [...ep.otgOffers] } : {}) };
    }
    const consoles = Object.keys(ep.serial).length;
    if (consoles > 0) {
      drivers.push('serial');
      entry.serial = { ports: { ...ep.serial } };
    }
    if (d.deviations.length > 0) entry.deviations = d.deviations.map((x) => ({ ...x }));
    binding[d.id] = { driver: drivers, ...entry };
    devices.push({
      id: d.id,
      kind: d.kind,
      drivers,
      netconf: `127.0.0.1:${ep.netconfPort}`,
      ...(ep.snmpPort !== undefined ? { snmp: `127.0.0.1:${ep.snmpPort}` } : {}),
      ...(ep.otgUrl !== undefined ? { otg: ep.otgUrl } : {}),
      consoles,
    });
  }
  const doc = {
    name: `${tb.name}-lab`,
    description: `Lab-in-a-box of ${path.basename(sourceFile)}: every device served on loopback (NETCONF, SNMP, OTG, consoles). Credentials: ${envFile}.`,
    topology: {
      devices: tb.devices.map((d) => ({ id: d.id, kind: d.kind, ports: [...d.ports], ...(Object.keys(d.params).length > 0 ? { params: d.params } : {}) })),
      links: tb.links.map((l) => ({
        a: `${l.a.device}:${l.a.port}`,
        b: `${l.b.device}:${l.b.port}`,
        ...(l.rateBps !== undefined ? { rateBps: l.rateBps } : {}),
        ...(l.lengthKm !== undefined ? { lengthKm: l.lengthKm } : {}),
        ...(l.fibre !== undefined ? { fibre: l.fibre } : {}),
      })),
    },
    binding: { devices: binding },
  };
  const head = `# Written by fabric-hil lab up from ${sourceFile} (lab server pid ${ready.pid}).\n# Load ${envFile} into the environment before running: set -a; . ${envFile}; set +a\n`;
  return { text: head + stringify(doc, { lineWidth: 0 }), devices };
}

/** Is `pid` still the process we started (its command line names it)? Where /proc is missing, assume so. */
function isOurs(p: LabProcess): boolean {
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${p.pid}/cmdline`, 'utf8');
  } catch {
    return fs.existsSync('/proc/self') ? false : isAlive(p.pid);
  }
  return cmdline.includes(p.what === 'socat' ? 'socat' : 'serve.mjs');
}

/** Stops processes by PID: SIGTERM, then SIGKILL for those still alive after `graceMs`. */
async function stopPids(procs: LabProcess[], graceMs: number): Promise<Pick<LabDownResult, 'stopped' | 'killed' | 'gone'>> {
  const out = { stopped: [] as number[], killed: [] as number[], gone: [] as number[] };
  // Decided before any signal: the server stops its own socat pairs, which still count as stopped.
  // A PID reused by another process since is not ours to stop.
  const live = procs.filter((p) => isAlive(p.pid) && isOurs(p)).map((p) => p.pid);
  for (const p of procs) if (!live.includes(p.pid)) out.gone.push(p.pid);
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGTERM');
      process.kill(pid, 'SIGCONT'); // a stopped process acts on SIGTERM only once it runs again
    } catch {
      // exited meanwhile
    }
  }
  for (let i = 0; i < graceMs / 20 && live.some(isAlive); i++) await sleep(20);
  for (const pid of live) {
    if (!isAlive(pid)) {
      out.stopped.push(pid);
      continue;
    }
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
    out.killed.push(pid);
  }
  for (let i = 0; i < 100 && out.killed.some(isAlive); i++) await sleep(20);
  return out;
}

export async function labUp(opts: LabUpOptions): Promise<LabUpResult> {
  const dir = path.resolve(opts.dir);
  const clock = opts.clock ?? 'stepped';
  if (clock !== 'stepped' && clock !== 'paced') throw new LabBoxError(`clock must be stepped or paced, got ${String(clock)}`);
  if (clock === 'stepped' && opts.timeScale !== undefined) throw new LabBoxError('timeScale paces device time: it needs clock paced');
  const timeScale = clock === 'paced' ? (opts.timeScale ?? DEFAULT_TIME_SCALE) : undefined;
  const seed = opts.seed ?? 1;
  if (timeScale !== undefined && (!(timeScale > 0) || !Number.isFinite(timeScale))) throw new LabBoxError(`timeScale must be a number > 0, got ${timeScale}`);
  const paced = timeScale !== undefined ? { timeScale } : {};
  if (!Number.isInteger(seed)) throw new LabBoxError(`seed must be an integer, got ${seed}`);
  const testbedFile = path.resolve(opts.testbedFile ?? DEFAULT_TESTBED_FILE);
  let tb: Testbed;
  try {
    tb = loadTestbed(testbedFile);
  } catch (e) {
    if (e instanceof TestbedError) throw new LabBoxError(formatProblems(e.problems));
    throw e;
  }
  const topology = twinTopology(tb);

  fs.mkdirSync(dir, { recursive: true });
  const stateFile = path.join(dir, LAB_STATE_FILE);
  const previous = readState(stateFile);
  if (previous) {
    const alive = previous.processes.filter((p) => isAlive(p.pid));
    if (alive.length > 0) throw new LabBoxError(`a lab is already up in ${dir} (pids ${alive.map((p) => p.pid).join(', ')}): run lab down first`);
    fs.rmSync(stateFile, { force: true });
  }
  const readyFile = path.join(dir, 'ready.json');
  const ptyDir = path.join(dir, 'tty');
  fs.rmSync(readyFile, { force: true });
  fs.rmSync(ptyDir, { recursive: true, force: true });

  const password = randomBytes(18).toString('base64url');
  const community = `c${randomBytes(12).toString('hex')}`;
  const envFile = path.join(dir, LAB_ENV_FILE);
  fs.rmSync(envFile, { force: true });
  fs.writeFileSync(envFile, `${LAB_ENV_VARS.PASSWORD}=${password}\n${LAB_ENV_VARS.COMMUNITY}=${community}\n`, { mode: 0o600 });
  fs.chmodSync(envFile, 0o600);

  const specFile = path.join(dir, 'serve-spec.json');
  const spec: LabServeFile = { topology, seed, clock, ...paced, ptyDir, username: LAB_USERNAME, readyFile };
  fs.writeFileSync(specFile, `${JSON.stringify(spec)}\n`);
  const log = fs.openSync(path.join(dir, 'serve.log'), 'w');
  const child = spawn(process.execPath, [SERVE_SCRIPT, specFile], {
    cwd: PROJECT_ROOT,
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, [LAB_ENV_VARS.PASSWORD]: password, [LAB_ENV_VARS.COMMUNITY]: community },
  });
  fs.closeSync(log);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new LabBoxError('could not start the lab server process');
  const bindingFile = path.join(dir, LAB_BINDING_FILE);
  const state: LabState = {
    version: 1,
    startedAt: new Date().toISOString(),
    testbedFile,
    bindingFile,
    envFile,
    clock,
    ...paced,
    seed,
    processes: [{ pid, what: 'lab server' }],
  };
  writeState(stateFile, state);

  const fail = async (why: string): Promise<never> => {
    await labDown({ dir, graceMs: 1000 });
    const tail = fs.existsSync(path.join(dir, 'serve.log')) ? fs.readFileSync(path.join(dir, 'serve.log'), 'utf8').trim().split('\n').slice(-5).join('\n') : '';
    throw new LabBoxError(`lab up: ${why}${tail ? `\n${tail}` : ''}`);
  };
  const timeoutMs = opts.readyTimeoutMs ?? 120_000;
  let ready: LabReady | null = null;
  for (let waited = 0; ready === null; waited += 25) {
    if (fs.existsSync(readyFile)) ready = JSON.parse(fs.readFileSync(readyFile, 'utf8')) as LabReady;
    else if (child.exitCode !== null || !isAlive(pid)) return fail('the lab server exited before it was ready');
    else if (waited > timeoutMs) return fail(`the lab server was not ready within ${timeoutMs} ms`);
    else await sleep(25);
  }
  if (!ready.ok) return fail(ready.error);
  state.processes.push(...ready.endpoints.helperPids.map((p) => ({ pid: p, what: 'socat' })));
  writeState(stateFile, state);
  const { text, devices } = bindingYaml(tb, ready, testbedFile, envFile);
  fs.writeFileSync(bindingFile, text);
  return {
    dir,
    bindingFile,
    envFile,
    stateFile,
    testbedName: tb.name,
    clock,
    ...paced,
    seed,
    pids: state.processes.map((p) => p.pid),
    devices,
  };
}

export async function labDown(opts: LabDownOptions): Promise<LabDownResult> {
  const dir = path.resolve(opts.dir);
  const stateFile = path.join(dir, LAB_STATE_FILE);
  const state = readState(stateFile);
  if (!state) return { dir, found: false, stopped: [], killed: [], gone: [] };
  const r = await stopPids(state.processes, opts.graceMs ?? 3000);
  fs.rmSync(stateFile, { force: true });
  fs.rmSync(path.join(dir, 'ready.json'), { force: true });
  return { dir, found: true, ...r };
}

/** The `NAME=value` lines of an env file written by labUp (for a caller that loads it). */
export function readLabEnv(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

function clockText(r: LabUpResult): string {
  if (r.clock === 'stepped' || r.timeScale === undefined) return 'clock stepped (device time moves only when a test asks)';
  return `clock paced, time scale ${r.timeScale} (1 ms of device time takes ${(1 / r.timeScale).toFixed(r.timeScale > 1 ? 3 : 0)} ms)`;
}

export function formatLabUp(r: LabUpResult): string {
  const lines = [
    `lab up: ${r.testbedName}, ${r.devices.length} device${r.devices.length === 1 ? '' : 's'}, ${clockText(r)}, seed ${r.seed}`,
    ...r.devices.map(
      (d) =>
        `  ${d.id} (${d.kind}): ${d.drivers.join('+')}  netconf ${d.netconf}${d.snmp ? `  snmp ${d.snmp}` : ''}${d.otg ? `  otg ${d.otg}` : ''}${d.consoles ? `  ${d.consoles} console${d.consoles === 1 ? '' : 's'}` : ''}`,
    ),
    r.pids.length <= 8
      ? `processes: ${r.pids.join(', ')} (state ${r.stateFile})`
      : `processes: ${r.pids.length}, the lab server ${r.pids[0]} and ${r.pids.length - 1} socat (every pid in ${r.stateFile})`,
    `credentials: ${r.envFile} (load it: set -a; . ${r.envFile}; set +a)`,
    `Binding: ${r.bindingFile}`,
  ];
  return `${lines.join('\n')}\n`;
}

export function formatLabDown(r: LabDownResult): string {
  if (!r.found) return `lab down: nothing to stop in ${r.dir}\n`;
  const parts = [`${r.stopped.length} stopped`, ...(r.killed.length ? [`${r.killed.length} killed (${r.killed.join(', ')})`] : []), ...(r.gone.length ? [`${r.gone.length} already gone`] : [])];
  return `lab down: ${parts.join(', ')} in ${r.dir}\n`;
}
