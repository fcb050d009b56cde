// Interop test helper: a socat pseudo-terminal pair (peers.md recipe), started and stopped by PID.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { findBinary, PeerProcess, until } from '../snmp/testing.ts';

export interface SocatPair {
  process: PeerProcess;
  /** Link paths of the two ends. */
  a: string;
  b: string;
}

/** Starts `socat -d -d pty,raw,echo=0,link=<dir>/<a> pty,raw,echo=0,link=<dir>/<b>`; resolves once both links exist and data flows. */
export async function startSocatPair(dir: string, names: [string, string] = ['ttyA', 'ttyB']): Promise<SocatPair> {
  const [a, b] = names.map((n) => path.join(dir, n)) as [string, string];
  const proc = PeerProcess.spawn(findBinary('socat')!, ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`]);
  try {
    await until(
      () => {
        if (!proc.running) throw new Error(`socat exited at start-up: ${proc.stderr.join('')}`);
        return proc.stderr.join('').includes('starting data transfer loop') && existsSync(a) && existsSync(b);
      },
      `socat to link ${a} and ${b}`,
      5000,
    );
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { process: proc, a, b };
}
