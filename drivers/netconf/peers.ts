// Real NETCONF peers on loopback for interop tests and the benchmark: netconfd behind sshd, ncclient scripts.
//
// Follows shared/spec/peers.md. Every process is started in its own process group and stopped by
// that id (SIGTERM, then SIGKILL after a bound); a start that fails stops what it had started.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

export const PYTHON = '/usr/bin/python3';
const NETCONFD = '/usr/sbin/netconfd';
const SUBSYSTEM = '/usr/sbin/netconf-subsystem';
const SSHD = '/usr/sbin/sshd';

/** Why netconfd behind sshd cannot run here (naming the Debian package), or null. */
export function missingNetconfd(): string | null {
  if (!fs.existsSync(NETCONFD) || !fs.existsSync(SUBSYSTEM)) return `${NETCONFD} not found: install the Debian package netconfd`;
  const lib = fs.readdirSync('/usr/lib').some((d) => fs.existsSync(`/usr/lib/${d}/yuma/libietf-interfaces.so`));
  if (!lib) return 'the ietf-interfaces module of netconfd is missing: install the Debian package netconfd-module-ietf-interfaces';
  if (!fs.existsSync(SSHD)) return `${SSHD} not found: install the Debian package openssh-server`;
  if (spawnSync('ssh-keygen', ['-?'], { stdio: 'ignore' }).error) return 'ssh-keygen not found: install the Debian package openssh-client';
  if (process.getuid?.() !== 0) return 'sshd must run as root for the netconfd recipe (shared/spec/peers.md)';
  return null;
}

/** Why ncclient cannot run here (naming the Debian package), or null. */
export function missingNcclient(): string | null {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} not found: install the Debian package python3-ncclient`;
  const r = spawnSync(PYTHON, ['-c', 'import ncclient'], { stdio: 'ignore', timeout: 20_000 });
  return r.status === 0 ? null : 'python module ncclient not importable by /usr/bin/python3: install the Debian package python3-ncclient';
}

/** A TCP port free on 127.0.0.1 at the time of the call. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Polls `check` every 50 ms until it holds, or throws after `timeoutMs`. */
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, log?: string): Promise<void> {
  const tail = () => (log && fs.existsSync(log) ? `\n--- ${log} ---\n${fs.readFileSync(log, 'utf8').slice(-2000)}` : '');
  const end = Date.now() + timeoutMs;
  for (;;) {
    let ok: boolean;
    try {
      ok = await check();
    } catch (e) {
      throw new Error(`${e instanceof Error ? e.message : String(e)}${tail()}`);
    }
    if (ok) return;
    if (Date.now() > end) throw new Error(`${what} not ready within ${timeoutMs} ms${tail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** True while the child runs; throws once it has exited (so a start-up crash fails at once). */
function running(child: ChildProcess, what: string): boolean {
  if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited during start-up (${child.exitCode ?? child.signalCode})`);
  return true;
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Stops a process group we started: SIGTERM, then SIGKILL if it has not exited within 3 s. */
export async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  tryKill(-child.pid, 'SIGTERM');
  const timer = setTimeout(() => tryKill(-child.pid!, 'SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

export interface NetconfdPeer {
  port: number;
  /** netconfd and sshd (listener) process ids. */
  pids: number[];
  dir: string;
  username: string;
  clientKeyFile: string;
  stop(): Promise<void>;
}

/** netconfd with ietf-interfaces behind sshd on 127.0.0.1, in a fresh temp dir (peers.md recipe). */
export async function startNetconfd(): Promise<NetconfdPeer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhil-netconfd-'));
  const port = await freePort();
  const children: ChildProcess[] = [];
  // Should the test process end without afterAll (worker killed), take the peers with it.
  const onExit = () => children.forEach((c) => c.exitCode === null && c.pid && tryKill(-c.pid, 'SIGKILL'));
  process.once('exit', onExit);
  const stop = async () => {
    for (const c of [...children].reverse()) await stopProcess(c);
    process.off('exit', onExit);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const k of ['hostkey', 'clientkey']) {
      const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, k)], { stdio: 'pipe' });
      if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
    }
    fs.copyFileSync(path.join(dir, 'clientkey.pub'), path.join(dir, 'authorized_keys'));
    // netconfd's ietf-interfaces module runs this helper and aborts without it (peers.md step 3).
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin', 'get-interface-ipv4'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const sock = path.join(dir, 'ncxserver.sock');
    fs.writeFileSync(
      path.join(dir, 'sshd_config'),
      [
        'ListenAddress 127.0.0.1',
        `Port ${port}`,
        `HostKey ${dir}/hostkey`,
        `PidFile ${dir}/sshd.pid`,
        `AuthorizedKeysFile ${dir}/authorized_keys`,
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        `Subsystem netconf "${SUBSYSTEM} --ncxserver-sockname=${port}@${sock}"`,
        '',
      ].join('\n'),
    );
    const out = fs.openSync(path.join(dir, 'netconfd.out'), 'a');
    children.push(
      spawn(
        NETCONFD,
        [`--ncxserver-sockname=${sock}`, `--port=${port}`, '--module=ietf-interfaces', '--no-startup', '--superuser=root', `--log=${dir}/netconfd.log`],
        // cwd: netconfd writes backup-cfg.xml into its working folder on commit
        { detached: true, cwd: dir, stdio: ['ignore', out, out], env: { ...process.env, PATH: `${dir}/bin:${process.env.PATH}`, HOME: dir } },
      ),
    );
    fs.closeSync(out);
    await until('netconfd', () => running(children[0]!, 'netconfd') && fs.existsSync(sock), 15_000, path.join(dir, 'netconfd.log'));
    fs.mkdirSync('/run/sshd', { recursive: true });
    children.push(spawn(SSHD, ['-D', '-f', path.join(dir, 'sshd_config'), '-E', path.join(dir, 'sshd.log')], { detached: true, stdio: 'ignore' }));
    await until('sshd', () => running(children[1]!, 'sshd') && canConnect(port), 15_000, path.join(dir, 'sshd.log'));
    return { port, pids: children.map((c) => c.pid!), dir, username: 'root', clientKeyFile: path.join(dir, 'clientkey'), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * Runs a Python script (ncclient available) with `args` as JSON in argv[1] and returns the JSON
 * it prints on its last stdout line. The process is killed after `timeoutMs`.
 */
export async function runPython(script: string, args: unknown, timeoutMs = 60_000): Promise<unknown> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhil-ncclient-'));
  try {
    const file = path.join(dir, 'script.py');
    fs.writeFileSync(file, script);
    const r = await execa(PYTHON, [file, JSON.stringify(args)], { timeout: timeoutMs, reject: false, cwd: dir });
    if (r.exitCode !== 0 || r.timedOut) {
      throw new Error(`python script ${r.timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${r.exitCode}`}:\n${String(r.stderr).slice(-3000)}`);
    }
    const lines = String(r.stdout).trim().split('\n');
    return JSON.parse(lines[lines.length - 1]!);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
