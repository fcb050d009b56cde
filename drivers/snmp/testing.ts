// Interop test helpers: find a peer binary (fail under CI, skip otherwise), run it by PID, snmpd per peers.md.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { accessSync, constants, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'vitest';
import { SnmpManager } from './manager.ts';

/** Where a Debian binary may be even when PATH lacks the sbin folders. */
export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/sbin', '/usr/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The reason to skip a suite when `binary` is missing, or undefined when present. Under CI=true a
 * missing peer is a failure: this registers a failing test that names the Debian package.
 */
export function peerMissing(binary: string, debianPackage: string, purpose: string): string | undefined {
  if (findBinary(binary)) return undefined;
  const reason = `${binary} not found: install the Debian package ${debianPackage} (apt-get install -y --no-install-recommends ${debianPackage}) for ${purpose}`;
  if (process.env.CI === 'true') {
    test(`${binary} is installed (required when CI=true)`, () => {
      throw new Error(reason);
    });
  } else {
    console.warn(`skipping: ${reason}`);
  }
  return reason;
}

/** A suite title that carries the skip reason when the peer is missing. */
export function peerTitle(title: string, missing: string | undefined): string {
  return missing === undefined ? title : `${title} (skipped: ${missing})`;
}

/** Polls `condition` until it holds; throws naming `what` after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A free UDP port on 127.0.0.1 (bound then released: good enough for loopback tests). */
export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** A child process that is stopped by its PID. */
export class PeerProcess {
  readonly stderr: string[] = [];
  private exited: Promise<void>;

  constructor(readonly child: ChildProcess) {
    child.stderr?.setEncoding('utf8').on('data', (d: string) => this.stderr.push(d));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static spawn(file: string, args: string[], env?: NodeJS.ProcessEnv): PeerProcess {
    return new PeerProcess(spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } }));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM by PID, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 2000): Promise<void> {
    if (!this.running) return;
    process.kill(this.pid, 'SIGTERM');
    const timer = setTimeout(() => this.running && process.kill(this.pid, 'SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** peers.md's snmpd credentials. */
export const SNMPD_COMMUNITY = 'public';
export const SNMPD_USER = { user: 'tester', authKey: 'authpass123', privKey: 'privpass123' } as const;

export interface Snmpd {
  process: PeerProcess;
  port: number;
  dir: string;
}

/** Starts Debian's snmpd on 127.0.0.1 with the peers.md config in `dir`; resolves once it answers. */
export async function startSnmpd(dir: string): Promise<Snmpd> {
  const port = await freeUdpPort();
  mkdirSync(path.join(dir, 'state'), { recursive: true });
  const conf = path.join(dir, 'snmpd.conf');
  writeFileSync(
    conf,
    [
      `agentAddress  udp:127.0.0.1:${port}`,
      'view ifview included .1.3.6.1.2.1.1',
      'view ifview included .1.3.6.1.2.1.2',
      'view ifview included .1.3.6.1.2.1.31',
      `rocommunity   ${SNMPD_COMMUNITY} 127.0.0.1 -V ifview`,
      `createUser    ${SNMPD_USER.user} SHA ${SNMPD_USER.authKey} AES ${SNMPD_USER.privKey}`,
      `rouser        ${SNMPD_USER.user} priv -V ifview`,
      `[snmp] persistentDir ${path.join(dir, 'state')}`,
      'master        no',
      '',
    ].join('\n'),
  );
  const file = findBinary('snmpd')!;
  const args = ['-f', '-C', '-c', conf, '-I', '-smux', '-Lf', path.join(dir, 'snmpd.log'), '-p', path.join(dir, 'snmpd.pid')];
  const proc = PeerProcess.spawn(file, args, { MIBS: '' });
  const probe = await SnmpManager.open({ host: '127.0.0.1', port, version: 'v2c', community: SNMPD_COMMUNITY }, { timeoutMs: 200, retries: 0 });
  try {
    await until(
      async () => {
        if (!proc.running) throw new Error(`snmpd exited at start-up: ${proc.stderr.join('')}`);
        return probe.get(['1.3.6.1.2.1.1.3.0']).then(
          () => true,
          () => false,
        );
      },
      `snmpd to answer on udp 127.0.0.1:${port}`,
      10_000,
    );
  } catch (err) {
    await proc.stop();
    throw err;
  } finally {
    await probe.close();
  }
  return { process: proc, port, dir };
}
