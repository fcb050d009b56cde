// Pseudo-terminal pairs for lab-in-a-box consoles: one `socat` process per pair, known by its PID.
//
// `socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B` joins two ptys; the console server
// opens A and the serial driver B. socat's log goes to a file (not a pipe), so a pair outlives the
// process that started it until it is stopped by PID (lab down does that).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface PtyPair {
  pid: number;
  /** The end the console server opens. */
  serverPath: string;
  /** The end given to the serial driver. */
  clientPath: string;
}

export class PtyError extends Error {
  override readonly name = 'PtyError';
}

/** Where socat is (PATH, then the usual Debian folders), or undefined. */
export function findSocat(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/bin', '/bin', '/usr/local/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const file = path.join(dir, 'socat');
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts a pair linked at `<base>.srv` and `<base>`; resolves once socat transfers data. */
export async function startPtyPair(base: string, opts: { socat?: string; timeoutMs?: number } = {}): Promise<PtyPair> {
  const socat = opts.socat ?? findSocat();
  if (!socat) throw new PtyError('socat not found: install the Debian package socat (apt-get install -y socat) for lab-in-a-box consoles');
  const serverPath = `${base}.srv`;
  const clientPath = base;
  const log = `${base}.socat.log`;
  const fd = fs.openSync(log, 'w');
  const child = spawn(socat, ['-d', '-d', `pty,raw,echo=0,link=${serverPath}`, `pty,raw,echo=0,link=${clientPath}`], {
    stdio: ['ignore', 'ignore', fd],
  });
  fs.closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw new PtyError(`socat did not start for ${clientPath}`);
  child.unref();
  const deadline = (opts.timeoutMs ?? 5000) / 10;
  for (let i = 0; ; i++) {
    const text = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
    if (text.includes('starting data transfer loop') && fs.existsSync(serverPath) && fs.existsSync(clientPath)) break;
    if (!alive(pid) || i > deadline) {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
      throw new PtyError(`socat did not link ${serverPath} and ${clientPath}: ${text.trim().split('\n').slice(-3).join(' | ') || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return { pid, serverPath, clientPath };
}
