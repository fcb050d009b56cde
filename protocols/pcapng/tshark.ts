// Runs tshark (Wireshark's CLI dissector) on a capture and returns its JSON, for interop tests and suites.
import { execa } from 'execa';

export interface TsharkOptions {
  /** Default 'tshark' from PATH. */
  binary?: string;
  /** Kill tshark after this long; default 60 s. */
  timeoutMs?: number;
  /** Display filter (-Y). */
  displayFilter?: string;
  /** Preferences (-o name:value), after the checksum defaults. */
  prefs?: Record<string, string>;
  /** Verify IPv4 and UDP checksums (tshark leaves them unverified by default). Default true. */
  checksums?: boolean;
  /**
   * Return what tshark decoded even when it reported problems (diagnostics on stderr, or a
   * non-zero exit after writing JSON, e.g. a capture cut short). Default false: they throw.
   */
  allowStderr?: boolean;
}

/** Layers by protocol name ('frame', 'eth', 'ip', ...); values are strings or nested trees. */
export type TsharkLayers = Record<string, unknown>;

export interface TsharkPacket {
  _index: string;
  _type: string;
  _source: { layers: TsharkLayers };
}

export class TsharkError extends Error {
  override readonly name = 'TsharkError';
  constructor(
    message: string,
    readonly stderr: string,
    readonly exitCode?: number,
  ) {
    super(message);
  }
}

// Printed on every run as root; not a diagnostic about the capture.
const ROOT_NOTICE = /^Running as user "root" and group "root"\. This could be dangerous\.$/;

function diagnostics(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !ROOT_NOTICE.test(l));
}

/** The version ("4.0.17"), or undefined when tshark does not run. */
export async function tsharkVersion(binary = 'tshark'): Promise<string | undefined> {
  const r = await execa(binary, ['--version'], { reject: false, timeout: 30_000 });
  if (r.failed) return undefined;
  return /TShark \(Wireshark\) (\S+)/.exec(String(r.stdout))?.[1] ?? 'unknown';
}

export async function tsharkAvailable(binary = 'tshark'): Promise<boolean> {
  return (await tsharkVersion(binary)) !== undefined;
}

/**
 * `tshark -r file -T json --no-duplicate-keys` (repeated keys merge into arrays). Throws
 * TsharkError when tshark cannot run, times out, writes no JSON, or (unless allowStderr) exits
 * non-zero or reports anything on stderr, e.g. a capture cut short.
 */
export async function tsharkJson(file: string, opts: TsharkOptions = {}): Promise<TsharkPacket[]> {
  const args = ['-r', file, '-T', 'json', '--no-duplicate-keys'];
  if (opts.checksums ?? true) args.push('-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE');
  for (const [k, v] of Object.entries(opts.prefs ?? {})) args.push('-o', `${k}:${v}`);
  if (opts.displayFilter) args.push('-Y', opts.displayFilter);
  const r = await execa(opts.binary ?? 'tshark', args, {
    reject: false,
    timeout: opts.timeoutMs ?? 60_000,
    maxBuffer: 1 << 30,
  });
  const stderr = String(r.stderr ?? '');
  const out = String(r.stdout ?? '').trim();
  if (r.timedOut) throw new TsharkError(`tshark timed out on ${file}`, stderr);
  if (r.failed && (r.exitCode === undefined || !opts.allowStderr || !out)) {
    throw new TsharkError(`tshark failed on ${file}: ${r.shortMessage}\n${stderr}`, stderr, r.exitCode);
  }
  const diag = diagnostics(stderr);
  if (diag.length && !opts.allowStderr) {
    throw new TsharkError(`tshark reported on ${file}:\n${diag.join('\n')}`, stderr, r.exitCode);
  }
  try {
    return out ? (JSON.parse(out) as TsharkPacket[]) : [];
  } catch (e) {
    throw new TsharkError(`tshark wrote no valid JSON for ${file}: ${String(e)}`, stderr, r.exitCode);
  }
}

/** Every value of field `name` anywhere in a packet's layer tree, depth first (arrays flattened). */
export function tsharkFields(node: unknown, name: string): string[] {
  const out: string[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      for (const [k, v] of Object.entries(n)) {
        if (k === name) {
          for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string') out.push(x);
        }
        walk(v);
      }
    }
  };
  walk(node);
  return out;
}

/** The first value of field `name` in a packet (or any subtree), or undefined. */
export function tsharkField(node: unknown, name: string): string | undefined {
  return tsharkFields(node, name)[0];
}
