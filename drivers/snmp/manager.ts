// SNMP manager (v2c, v3 USM) on net-snmp: typed varbinds, Counter64 as bigint, typed errors without secrets.
//
// Guarantees: every request settles within timeoutMs x (retries + 1) plus scheduling slack, with
// SnmpTimeoutError when nothing answered; an error-status in a response becomes SnmpError whose
// `status` is the RFC 3416 name (`noSuchName`, `genErr`, ...); a USM report (wrong key, unknown
// user, ...) becomes SnmpAuthError with the RFC 3414 counter name (`wrongDigests`, ...). No error
// message or property carries the community or a key, and net-snmp's own error objects (whose
// details can hold the user's keys) are never attached as causes.
import snmp from 'net-snmp';

export type SnmpAuthProtocol = 'md5' | 'sha' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
export type SnmpPrivProtocol = 'des' | 'aes' | 'aes256b' | 'aes256r';

export type SnmpTarget = { host: string; port?: number } & (
  | { version: 'v2c'; community: string }
  | {
      version: 'v3';
      user: string;
      /** Without authKey: noAuthNoPriv; with authKey only: authNoPriv; with both: authPriv. */
      authProtocol?: SnmpAuthProtocol;
      authKey?: string;
      privProtocol?: SnmpPrivProtocol;
      privKey?: string;
    }
);

export interface SnmpRequestOptions {
  /** Per try; default 2000. */
  timeoutMs?: number;
  /** Extra tries after the first; default 1. */
  retries?: number;
}

type Oid = string;
/** A varbind with its value decoded by type; exceptions (noSuchObject, ...) carry null. */
export type SnmpVarbind =
  | { oid: Oid; type: 'Integer'; value: number }
  | { oid: Oid; type: 'Counter32' | 'Gauge32' | 'TimeTicks'; value: number }
  | { oid: Oid; type: 'Counter64'; value: bigint }
  | { oid: Oid; type: 'OctetString' | 'Opaque'; value: Uint8Array }
  | { oid: Oid; type: 'OID' | 'IpAddress'; value: string }
  | { oid: Oid; type: 'Boolean'; value: boolean }
  | { oid: Oid; type: 'Null' | SnmpExceptionType; value: null };

export type SnmpExceptionType = 'NoSuchObject' | 'NoSuchInstance' | 'EndOfMibView';
export type SnmpVarbindType = SnmpVarbind['type'];

const TYPE_NAMES: Record<number, SnmpVarbindType> = {
  1: 'Boolean',
  2: 'Integer',
  4: 'OctetString',
  5: 'Null',
  6: 'OID',
  64: 'IpAddress',
  65: 'Counter32',
  66: 'Gauge32',
  67: 'TimeTicks',
  68: 'Opaque',
  70: 'Counter64',
  128: 'NoSuchObject',
  129: 'NoSuchInstance',
  130: 'EndOfMibView',
};

/** RFC 3416 error-status names, by code. */
const ERROR_STATUS = [
  'noError', 'tooBig', 'noSuchName', 'badValue', 'readOnly', 'genErr', 'noAccess', 'wrongType',
  'wrongLength', 'wrongEncoding', 'wrongValue', 'noCreation', 'inconsistentValue',
  'resourceUnavailable', 'commitFailed', 'undoFailed', 'authorizationError', 'notWritable',
  'inconsistentName',
] as const;

/** RFC 3414 usmStats counter names, keyed by net-snmp's report texts. */
const USM_REPORTS: Record<string, string> = {
  'Unsupported Security Level': 'unsupportedSecLevels',
  'Not In Time Window': 'notInTimeWindows',
  'Unknown User Name': 'unknownUserNames',
  'Unknown Engine ID': 'unknownEngineIDs',
  'Wrong Digest (incorrect password, community or key)': 'wrongDigests',
  'Decryption Error': 'decryptionErrors',
};

/** No answer after every try. */
export class SnmpTimeoutError extends Error {
  override readonly name = 'SnmpTimeoutError';
  constructor(
    readonly target: string,
    readonly timeoutMs: number,
    readonly tries: number,
    what: string,
  ) {
    super(`snmp ${target}: ${what}: no answer within ${timeoutMs} ms (${tries} ${tries === 1 ? 'try' : 'tries'})`);
  }
}

/** The agent answered with an error, or the exchange failed; `status` names the error. */
export class SnmpError extends Error {
  override name = 'SnmpError';
  constructor(
    /** RFC 3416 error-status name, an RFC 3414 usmStats name, or 'closed' / 'protocolError'. */
    readonly status: string,
    readonly target: string,
    message: string,
  ) {
    super(`snmp ${target}: ${message}`);
  }
}

/** SNMPv3 authentication or privacy failed (wrong key, unknown user, ...). */
export class SnmpAuthError extends SnmpError {
  override name = 'SnmpAuthError';
}

/** Is this varbind an SNMPv2 exception (noSuchObject, noSuchInstance, endOfMibView)? */
export function isSnmpException(vb: SnmpVarbind): vb is Extract<SnmpVarbind, { type: SnmpExceptionType }> {
  return vb.type === 'NoSuchObject' || vb.type === 'NoSuchInstance' || vb.type === 'EndOfMibView';
}

/** Is `oid` inside the subtree rooted at `base` (or equal to it)? */
export function oidInSubtree(base: string, oid: string): boolean {
  return oid === base || oid.startsWith(`${base}.`);
}

/** Unsigned big-endian bytes (as net-snmp hands over Counter64 values) to a bigint. */
export function bytesToBigint(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

/** net-snmp's varbind to ours; undefined for a type this manager does not decode. */
function decodeVarbind(vb: snmp.Varbind): SnmpVarbind | undefined {
  const type = TYPE_NAMES[vb.type];
  const oid = vb.oid;
  switch (type) {
    case 'Counter64':
      return { oid, type, value: bytesToBigint(vb.value as Buffer) };
    case 'OctetString':
    case 'Opaque':
      return { oid, type, value: new Uint8Array(vb.value as Buffer) };
    case 'Integer':
    case 'Counter32':
    case 'Gauge32':
    case 'TimeTicks':
      return { oid, type, value: vb.value as number };
    case 'OID':
    case 'IpAddress':
      return { oid, type, value: vb.value as string };
    case 'Boolean':
      return { oid, type, value: Boolean(vb.value) };
    case 'Null':
    case 'NoSuchObject':
    case 'NoSuchInstance':
    case 'EndOfMibView':
      return { oid, type, value: null };
    default:
      return undefined;
  }
}

/** A request as error messages show it: the first OIDs and how many more. */
function requestText(op: string, oids: string[]): string {
  const more = oids.length > 3 ? ` (+${oids.length - 3} more)` : '';
  return `${op} ${oids.slice(0, 3).join(' ')}${more}`;
}

export class SnmpManager {
  private closed = false;

  private constructor(
    private readonly session: snmp.Session,
    /** `host:port`, plus the v3 user name: what error messages show. */
    readonly target: string,
    private readonly secrets: readonly string[],
    private readonly timeoutMs: number,
    private readonly tries: number,
  ) {
    // net-snmp emits socket errors; without a listener they would crash the process.
    session.on('error', () => {});
  }

  static async open(target: SnmpTarget, options: SnmpRequestOptions = {}): Promise<SnmpManager> {
    const { timeoutMs = 2000, retries = 1 } = options;
    if (!Number.isInteger(retries) || retries < 0) throw new RangeError(`snmp: retries must be an integer >= 0, got ${retries}`);
    if (!(timeoutMs > 0)) throw new RangeError(`snmp: timeoutMs must be > 0, got ${timeoutMs}`);
    const port = target.port ?? 161;
    const sessionOptions: snmp.SessionOptions = { port, timeout: timeoutMs, retries, backoff: 1, transport: target.host.includes(':') ? 'udp6' : 'udp4' };
    if (target.version === 'v2c') {
      const session = snmp.createSession(target.host, target.community, { ...sessionOptions, version: snmp.Version2c });
      return new SnmpManager(session, `${target.host}:${port} v2c`, [target.community], timeoutMs, retries + 1);
    }
    if (target.privKey !== undefined && target.authKey === undefined) {
      throw new SnmpError('protocolError', `${target.host}:${port} v3 user ${target.user}`, 'a privKey needs an authKey (authPriv)');
    }
    const level = target.authKey === undefined ? 'noAuthNoPriv' : target.privKey === undefined ? 'authNoPriv' : 'authPriv';
    const user: snmp.User = { name: target.user, level: snmp.SecurityLevel[level] };
    if (target.authKey !== undefined) {
      user.authProtocol = snmp.AuthProtocols[target.authProtocol ?? 'sha'];
      user.authKey = target.authKey;
    }
    if (target.privKey !== undefined) {
      user.privProtocol = snmp.PrivProtocols[target.privProtocol ?? 'aes'];
      user.privKey = target.privKey;
    }
    const session = snmp.createV3Session(target.host, user, sessionOptions);
    const secrets = [target.authKey, target.privKey].filter((s): s is string => !!s);
    return new SnmpManager(session, `${target.host}:${port} v3 user ${target.user}`, secrets, timeoutMs, retries + 1);
  }

  /** Gets exact instances; exceptions (noSuchObject, ...) come back as varbinds, in request order. */
  async get(oids: string[]): Promise<SnmpVarbind[]> {
    const what = requestText('get', oids);
    const vbs = await this.call<snmp.Varbind[]>(what, (cb) => this.session.get(oids, cb));
    return vbs.map((vb) => this.decode(vb, what));
  }

  /** GetBulk; one flat list: the non-repeaters' varbinds, then each repeater's in request order. */
  async getBulk(oids: string[], nonRepeaters = 0, maxRepetitions = 20): Promise<SnmpVarbind[]> {
    const what = requestText('getBulk', oids);
    const vbs = await this.call<Array<snmp.Varbind | snmp.Varbind[]>>(what, (cb) =>
      this.session.getBulk(oids, nonRepeaters, maxRepetitions, cb),
    );
    return vbs.flat().map((vb) => this.decode(vb, what));
  }

  /** Every instance under `oid`: a GetBulk walk that stops at the subtree's end (never past it). */
  async subtree(oid: string, { maxRepetitions = 20 }: { maxRepetitions?: number } = {}): Promise<SnmpVarbind[]> {
    const what = `walk ${oid}`;
    const out: SnmpVarbind[] = [];
    let bad: Error | undefined;
    await this.call<void>(what, (cb) =>
      this.session.subtree(
        oid,
        maxRepetitions,
        (vbs) => {
          try {
            for (const vb of vbs) out.push(this.decode(vb, what));
          } catch (err) {
            bad = err as Error;
            return true; // stops the walk
          }
        },
        (err) => cb(err ?? bad ?? null, undefined),
      ),
    );
    return out;
  }

  /** Closes the socket; pending requests fail with SnmpError status 'closed'. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => {
      this.session.once('close', () => resolve());
      this.session.close();
    });
  }

  private decode(vb: snmp.Varbind, what: string): SnmpVarbind {
    const decoded = decodeVarbind(vb);
    if (!decoded) throw new SnmpError('protocolError', this.target, `${what}: varbind ${vb.oid} has unsupported type ${vb.type}`);
    return decoded;
  }

  private call<T>(what: string, start: (cb: (err: Error | null, value: T) => void) => void): Promise<T> {
    if (this.closed) return Promise.reject(new SnmpError('closed', this.target, `${what}: manager is closed`));
    return new Promise<T>((resolve, reject) => {
      try {
        start((err, value) => (err ? reject(this.translate(err, what)) : resolve(value)));
      } catch (err) {
        reject(this.translate(err, what));
      }
    });
  }

  /** net-snmp's errors to ours, with any secret scrubbed from the text. */
  private translate(err: unknown, what: string): Error {
    if (err instanceof SnmpError) return err;
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof snmp.RequestTimedOutError) {
      return new SnmpTimeoutError(this.target, this.timeoutMs, this.tries, what);
    }
    if (err instanceof snmp.RequestFailedError) {
      const status = ERROR_STATUS[err.status] ?? 'genErr';
      return new SnmpError(status, this.target, `${what}: agent answered ${status} (${this.redact(message)})`);
    }
    if (err instanceof snmp.ResponseInvalidError && err.code === snmp.ResponseInvalidCode.EAuthFailure) {
      const status = USM_REPORTS[message] ?? 'authenticationFailure';
      const hint = status === 'wrongDigests' ? ' (wrong auth key or protocol)' : status === 'unknownUserNames' ? ' (unknown user)' : '';
      return new SnmpAuthError(status, this.target, `${what}: authentication failed: ${status}${hint}`);
    }
    if (message === 'Socket forcibly closed') return new SnmpError('closed', this.target, `${what}: manager closed while waiting`);
    return new SnmpError('protocolError', this.target, `${what}: ${this.redact(message)}`);
  }

  private redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('***');
    return out;
  }
}
