// BFD control packet (RFC 5880 §4.1) with its optional authentication section (§4.2-4.4), carried on UDP (RFC 5881/5883).
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   |Vers |  Diag   |Sta|P|F|C|A|D|M|  Detect Mult  |    Length     |
//   |                       My Discriminator                        |
//   |                      Your Discriminator                       |
//   |                    Desired Min TX Interval                    |
//   |                   Required Min RX Interval                    |
//   |                 Required Min Echo RX Interval                 |
//   |   Auth Type   |   Auth Len    |  Auth Key ID  | password / Reserved ...
//
// Intervals are microseconds. The view checks lengths (Length, and Auth Len against its type),
// so no accessor throws; BfdControlHeader.parse applies the RFC 5880 §6.8.6 rules that concern
// the packet alone. Digests are carried, never computed or verified.
import { WireError, WireView, checkLen, checkUint, hex, type Field } from '../wire.ts';

const F = {
  VERS_DIAG: [0, 1], // version(3) diag(5)
  STA_FLAGS: [1, 2], // state(2) P F C A D M
  DETECT_MULT: [2, 3],
  LENGTH: [3, 4], // whole control packet, authentication section included
  MY_DISC: [4, 8],
  YOUR_DISC: [8, 12],
  DESIRED_MIN_TX: [12, 16],
  REQUIRED_MIN_RX: [16, 20],
  REQUIRED_MIN_ECHO_RX: [20, 24],
  // Authentication section (A bit), offsets from the start of the packet.
  AUTH_TYPE: [24, 25],
  AUTH_LEN: [25, 26], // whole section, type and length included
  AUTH_KEY_ID: [26, 27],
  AUTH_PASSWORD: [27, 43], // simple password: 1..16 bytes, up to 24 + Auth Len
  AUTH_RESERVED: [27, 28], // MD5 / SHA1: zero on transmit, ignored on receipt
  AUTH_SEQ: [28, 32],
  AUTH_DIGEST: [32, 52], // 16 bytes (MD5) or 20 (SHA1)
} as const satisfies Record<string, Field>;

const BFD = 'bfd';

export const BFD_CONTROL_LEN = F.REQUIRED_MIN_ECHO_RX[1];
/** RFC 5881 §4: single-hop control packets go to this UDP port. */
export const BFD_UDP_PORT_SINGLE_HOP = 3784;
export const BFD_UDP_PORT_ECHO = 3785;
/** RFC 5883 §5. */
export const BFD_UDP_PORT_MULTI_HOP = 4784;
export const BFD_VERSION = 1;

/** Session states (2 bits: all four defined). */
export const BFD_STATE = { ADMIN_DOWN: 0, DOWN: 1, INIT: 2, UP: 3 } as const;
export type BfdState = (typeof BFD_STATE)[keyof typeof BFD_STATE];

const STATE_NAMES = ['AdminDown', 'Down', 'Init', 'Up'] as const;

export function bfdStateName(s: number): string {
  return STATE_NAMES[s & 3];
}

/** Diagnostic codes (RFC 5880 §4.1); values 9-31 are unassigned and pass through as numbers. */
export const BFD_DIAG = {
  NONE: 0,
  CONTROL_DETECTION_TIME_EXPIRED: 1,
  ECHO_FUNCTION_FAILED: 2,
  NEIGHBOR_SIGNALED_SESSION_DOWN: 3,
  FORWARDING_PLANE_RESET: 4,
  PATH_DOWN: 5,
  CONCATENATED_PATH_DOWN: 6,
  ADMINISTRATIVELY_DOWN: 7,
  REVERSE_CONCATENATED_PATH_DOWN: 8,
} as const;

const DIAG_NAMES = [
  'No Diagnostic',
  'Control Detection Time Expired',
  'Echo Function Failed',
  'Neighbor Signaled Session Down',
  'Forwarding Plane Reset',
  'Path Down',
  'Concatenated Path Down',
  'Administratively Down',
  'Reverse Concatenated Path Down',
];

export function bfdDiagName(d: number): string {
  return DIAG_NAMES[d] ?? `diag ${d}`;
}

/** Bits of the state/flags byte below the state. */
export const BFD_FLAG = { P: 0x20, F: 0x10, C: 0x08, A: 0x04, D: 0x02, M: 0x01 } as const;

/** Auth Type values (RFC 5880 §4.1); 0 is reserved, 6-255 unassigned. */
export const BFD_AUTH_TYPE = {
  SIMPLE_PASSWORD: 1,
  KEYED_MD5: 2,
  METICULOUS_KEYED_MD5: 3,
  KEYED_SHA1: 4,
  METICULOUS_KEYED_SHA1: 5,
} as const;

export type BfdDigestAuthKind = 'keyed-md5' | 'meticulous-keyed-md5' | 'keyed-sha1' | 'meticulous-keyed-sha1';

/** The authentication section; `unknown` keeps other types (and the reserved 0) as raw bytes. */
export type BfdAuth =
  | { kind: 'simple-password'; keyId: number; password: Uint8Array }
  | { kind: BfdDigestAuthKind; keyId: number; sequence: number; digest: Uint8Array }
  | { kind: 'unknown'; raw: number; data: Uint8Array };

const DIGEST_KINDS: readonly BfdDigestAuthKind[] = ['keyed-md5', 'meticulous-keyed-md5', 'keyed-sha1', 'meticulous-keyed-sha1'];
const AUTH_NAMES = ['reserved', 'simple-password', ...DIGEST_KINDS];
/** RFC 5880 §4.3 (MD5: 24) and §4.4 (SHA1: 28), by Auth Type - 2. */
const DIGEST_AUTH_LEN = [24, 24, 28, 28];
const PASSWORD_MAX = F.AUTH_PASSWORD[1] - F.AUTH_PASSWORD[0];
const AUTH_HEAD = F.AUTH_PASSWORD[0] - F.AUTH_TYPE[0];

/** The Auth Type value written for `a`. */
export function bfdAuthTypeOf(a: BfdAuth): number {
  return a.kind === 'unknown' ? a.raw : AUTH_NAMES.indexOf(a.kind);
}

export function bfdAuthTypeName(t: number): string {
  return AUTH_NAMES[t] ?? `auth-${t}`;
}

function authSectionLen(a: BfdAuth): number {
  if (a.kind === 'unknown') return F.AUTH_KEY_ID[0] - F.AUTH_TYPE[0] + a.data.length;
  if (a.kind === 'simple-password') return AUTH_HEAD + a.password.length;
  return DIGEST_AUTH_LEN[DIGEST_KINDS.indexOf(a.kind)];
}

const rule = (field: string, detail: string) => new WireError('malformed', BFD, field, detail);

export class BfdControlView extends WireView {
  static unchecked(buf: Uint8Array): BfdControlView {
    return new BfdControlView(buf);
  }
  static checked(buf: Uint8Array): BfdControlView {
    const v = new BfdControlView(buf);
    v.checkLen();
    return v;
  }
  /**
   * Length is at least 24 (26 with A, RFC 5880 §6.8.6) and inside the buffer; with A, the
   * authentication section lies inside Length and Auth Len fits its type (§4.2-4.4).
   */
  checkLen(): void {
    checkLen(BFD, 'header', this.buffer.length, BFD_CONTROL_LEN);
    const len = this.length;
    const min = this.authPresent ? F.AUTH_LEN[1] : BFD_CONTROL_LEN;
    if (len < min) throw rule('length', `RFC 5880 §6.8.6: Length ${len} < ${min}${this.authPresent ? ' with the A bit' : ''}`);
    checkLen(BFD, 'length', this.buffer.length, len);
    if (!this.authPresent) return;
    const type = this.authType;
    const alen = this.authLen;
    const ok =
      type === BFD_AUTH_TYPE.SIMPLE_PASSWORD
        ? alen > AUTH_HEAD && alen <= AUTH_HEAD + PASSWORD_MAX
        : type >= BFD_AUTH_TYPE.KEYED_MD5 && type <= BFD_AUTH_TYPE.METICULOUS_KEYED_SHA1
          ? alen === DIGEST_AUTH_LEN[type - 2]
          : alen >= F.AUTH_KEY_ID[0] - F.AUTH_TYPE[0];
    if (!ok) throw rule('auth.len', `RFC 5880 §4.2-4.4: Auth Len ${alen} wrong for Auth Type ${type}`);
    if (BFD_CONTROL_LEN + alen > len) throw rule('auth.len', `Auth Len ${alen} runs past Length ${len}`);
  }
  get version(): number {
    return this.u8(F.VERS_DIAG) >> 5;
  }
  get diag(): number {
    return this.u8(F.VERS_DIAG) & 0x1f;
  }
  get state(): BfdState {
    return (this.u8(F.STA_FLAGS) >> 6) as BfdState;
  }
  /** The six flag bits P F C A D M as one number (BFD_FLAG masks). */
  get flags(): number {
    return this.u8(F.STA_FLAGS) & 0x3f;
  }
  get poll(): boolean {
    return (this.flags & BFD_FLAG.P) !== 0;
  }
  get final(): boolean {
    return (this.flags & BFD_FLAG.F) !== 0;
  }
  get controlPlaneIndependent(): boolean {
    return (this.flags & BFD_FLAG.C) !== 0;
  }
  get authPresent(): boolean {
    return (this.flags & BFD_FLAG.A) !== 0;
  }
  get demand(): boolean {
    return (this.flags & BFD_FLAG.D) !== 0;
  }
  get multipoint(): boolean {
    return (this.flags & BFD_FLAG.M) !== 0;
  }
  get detectMult(): number {
    return this.u8(F.DETECT_MULT);
  }
  get length(): number {
    return this.u8(F.LENGTH);
  }
  get myDiscriminator(): number {
    return this.u32(F.MY_DISC);
  }
  get yourDiscriminator(): number {
    return this.u32(F.YOUR_DISC);
  }
  get desiredMinTxUs(): number {
    return this.u32(F.DESIRED_MIN_TX);
  }
  get requiredMinRxUs(): number {
    return this.u32(F.REQUIRED_MIN_RX);
  }
  get requiredMinEchoRxUs(): number {
    return this.u32(F.REQUIRED_MIN_ECHO_RX);
  }
  /** With the A bit, as are the accessors below. */
  get authType(): number {
    return this.u8(F.AUTH_TYPE);
  }
  get authLen(): number {
    return this.u8(F.AUTH_LEN);
  }
  /** The section after Auth Type and Auth Len, in place. */
  get authData(): Uint8Array {
    return this.buffer.subarray(F.AUTH_LEN[1], BFD_CONTROL_LEN + this.authLen);
  }
  get authKeyId(): number {
    return this.u8(F.AUTH_KEY_ID);
  }
  /** Simple password (type 1) only. */
  get authPassword(): Uint8Array {
    return this.buffer.subarray(F.AUTH_PASSWORD[0], BFD_CONTROL_LEN + this.authLen);
  }
  /** MD5 and SHA1 types (2-5) only, as is authDigest. */
  get authSequence(): number {
    return this.u32(F.AUTH_SEQ);
  }
  get authDigest(): Uint8Array {
    return this.buffer.subarray(F.AUTH_DIGEST[0], BFD_CONTROL_LEN + this.authLen);
  }
  setVersionDiag(version: number, diag: number): void {
    this.setU8(F.VERS_DIAG, (version << 5) | diag);
  }
  setStateFlags(state: number, flags: number): void {
    this.setU8(F.STA_FLAGS, (state << 6) | flags);
  }
  setDetectMult(v: number): void {
    this.setU8(F.DETECT_MULT, v);
  }
  setLength(v: number): void {
    this.setU8(F.LENGTH, v);
  }
  setMyDiscriminator(v: number): void {
    this.setU32(F.MY_DISC, v);
  }
  setYourDiscriminator(v: number): void {
    this.setU32(F.YOUR_DISC, v);
  }
  setDesiredMinTxUs(v: number): void {
    this.setU32(F.DESIRED_MIN_TX, v);
  }
  setRequiredMinRxUs(v: number): void {
    this.setU32(F.REQUIRED_MIN_RX, v);
  }
  setRequiredMinEchoRxUs(v: number): void {
    this.setU32(F.REQUIRED_MIN_ECHO_RX, v);
  }
  setAuthType(v: number): void {
    this.setU8(F.AUTH_TYPE, v);
  }
  setAuthLen(v: number): void {
    this.setU8(F.AUTH_LEN, v);
  }
  /** Copies everything after Auth Type and Auth Len. */
  setAuthData(v: Uint8Array): void {
    this.buffer.set(v, F.AUTH_LEN[1]);
  }
  setAuthKeyId(v: number): void {
    this.setU8(F.AUTH_KEY_ID, v);
  }
  setAuthPassword(v: Uint8Array): void {
    this.buffer.set(v, F.AUTH_PASSWORD[0]);
  }
  setAuthReserved(v: number): void {
    this.setU8(F.AUTH_RESERVED, v);
  }
  setAuthSequence(v: number): void {
    this.setU32(F.AUTH_SEQ, v);
  }
  setAuthDigest(v: Uint8Array): void {
    this.buffer.set(v, F.AUTH_DIGEST[0]);
  }
  /** "BFD v1 Up diag 0 mult 3 my 0x1 your 0x2 tx 10000us rx 10000us", then echo, flags, auth if any. */
  summary(): string {
    const echo = this.requiredMinEchoRxUs ? ` echo ${this.requiredMinEchoRxUs}us` : '';
    const flags = (['P', 'F', 'C', 'A', 'D', 'M'] as const).filter((f) => this.flags & BFD_FLAG[f]);
    const auth = this.authPresent ? ` auth ${bfdAuthTypeName(this.authType)}` : '';
    return (
      `BFD v${this.version} ${bfdStateName(this.state)} diag ${this.diag} mult ${this.detectMult} ` +
      `my ${hex(this.myDiscriminator, 1)} your ${hex(this.yourDiscriminator, 1)} ` +
      `tx ${this.desiredMinTxUs}us rx ${this.requiredMinRxUs}us${echo}${flags.length ? ` flags [${flags.join(' ')}]` : ''}${auth}`
    );
  }
}

export interface BfdControlInit {
  /** Default 1; other values only to test a peer's §6.8.6 checks. */
  version?: number;
  /** BFD_DIAG; default 0. */
  diag?: number;
  state: BfdState;
  poll?: boolean;
  final?: boolean;
  controlPlaneIndependent?: boolean;
  demand?: boolean;
  /** Reserved for point-to-multipoint, MUST be 0 (§4.1); default false. */
  multipoint?: boolean;
  detectMult: number;
  myDiscriminator: number;
  /** Default 0 (remote unknown: allowed only in Down and AdminDown). */
  yourDiscriminator?: number;
  desiredMinTxUs: number;
  requiredMinRxUs: number;
  /** Default 0: echo not supported. */
  requiredMinEchoRxUs?: number;
  /** Sets the A bit; Length follows. */
  auth?: BfdAuth;
}

export class BfdControlHeader {
  readonly version: number;
  readonly diag: number;
  readonly state: BfdState;
  readonly poll: boolean;
  readonly final: boolean;
  readonly controlPlaneIndependent: boolean;
  readonly demand: boolean;
  readonly multipoint: boolean;
  readonly detectMult: number;
  readonly myDiscriminator: number;
  readonly yourDiscriminator: number;
  readonly desiredMinTxUs: number;
  readonly requiredMinRxUs: number;
  readonly requiredMinEchoRxUs: number;
  readonly auth: BfdAuth | undefined;
  constructor(init: BfdControlInit) {
    this.version = init.version ?? BFD_VERSION;
    this.diag = init.diag ?? BFD_DIAG.NONE;
    this.state = init.state;
    this.poll = init.poll ?? false;
    this.final = init.final ?? false;
    this.controlPlaneIndependent = init.controlPlaneIndependent ?? false;
    this.demand = init.demand ?? false;
    this.multipoint = init.multipoint ?? false;
    this.detectMult = init.detectMult;
    this.myDiscriminator = init.myDiscriminator;
    this.yourDiscriminator = init.yourDiscriminator ?? 0;
    this.desiredMinTxUs = init.desiredMinTxUs;
    this.requiredMinRxUs = init.requiredMinRxUs;
    this.requiredMinEchoRxUs = init.requiredMinEchoRxUs ?? 0;
    this.auth = init.auth;
  }

  /**
   * `view` must be checked. Applies the RFC 5880 §6.8.6 rules about the packet itself, in the
   * RFC's order (session-dependent ones are the caller's), plus Length = 24 + Auth Len (§4.1:
   * Length is the whole packet), and names the rule in a malformed WireError. Byte fields of
   * `auth` are subarrays of the view.
   */
  static parse(view: BfdControlView): BfdControlHeader {
    if (view.version !== BFD_VERSION) throw rule('version', `RFC 5880 §6.8.6: version ${view.version} != 1`);
    const expect = BFD_CONTROL_LEN + (view.authPresent ? view.authLen : 0);
    if (view.length !== expect) throw rule('length', `RFC 5880 §4.1: Length ${view.length} != ${expect}, the whole packet`);
    if (view.detectMult === 0) throw rule('detectMult', 'RFC 5880 §6.8.6: Detect Mult is zero');
    if (view.multipoint) throw rule('multipoint', 'RFC 5880 §6.8.6: M bit set');
    if (view.myDiscriminator === 0) throw rule('myDiscriminator', 'RFC 5880 §6.8.6: My Discriminator is zero');
    if (view.yourDiscriminator === 0 && view.state !== BFD_STATE.DOWN && view.state !== BFD_STATE.ADMIN_DOWN) {
      throw rule('yourDiscriminator', `RFC 5880 §6.8.6: Your Discriminator is zero in state ${bfdStateName(view.state)}`);
    }
    return new BfdControlHeader({
      version: view.version,
      diag: view.diag,
      state: view.state,
      poll: view.poll,
      final: view.final,
      controlPlaneIndependent: view.controlPlaneIndependent,
      demand: view.demand,
      multipoint: view.multipoint,
      detectMult: view.detectMult,
      myDiscriminator: view.myDiscriminator,
      yourDiscriminator: view.yourDiscriminator,
      desiredMinTxUs: view.desiredMinTxUs,
      requiredMinRxUs: view.requiredMinRxUs,
      requiredMinEchoRxUs: view.requiredMinEchoRxUs,
      auth: view.authPresent ? parseAuth(view) : undefined,
    });
  }

  /** 24, plus the authentication section. */
  bufferLen(): number {
    return BFD_CONTROL_LEN + (this.auth ? authSectionLen(this.auth) : 0);
  }

  /**
   * Writes the packet into a buffer of at least bufferLen() bytes. Checks only that values fit
   * their fields, so packets that break §6.8.6 (version, M bit, zero discriminators) can be sent.
   */
  emit(view: BfdControlView): void {
    checkUint(BFD, 'version', this.version, 7);
    checkUint(BFD, 'diag', this.diag, 0x1f);
    checkUint(BFD, 'state', this.state, 3);
    checkUint(BFD, 'detectMult', this.detectMult, 0xff);
    const u32s = ['myDiscriminator', 'yourDiscriminator', 'desiredMinTxUs', 'requiredMinRxUs', 'requiredMinEchoRxUs'] as const;
    for (const f of u32s) checkUint(BFD, f, this[f], 0xffffffff);
    const a = this.auth;
    if (a) checkAuth(a);
    const len = this.bufferLen();
    checkUint(BFD, 'length', len, 0xff);
    checkLen(BFD, 'header', view.buffer.length, len);
    const flag = (on: boolean, bit: number) => (on ? bit : 0);
    view.setVersionDiag(this.version, this.diag);
    view.setStateFlags(
      this.state,
      flag(this.poll, BFD_FLAG.P) |
        flag(this.final, BFD_FLAG.F) |
        flag(this.controlPlaneIndependent, BFD_FLAG.C) |
        flag(a !== undefined, BFD_FLAG.A) |
        flag(this.demand, BFD_FLAG.D) |
        flag(this.multipoint, BFD_FLAG.M),
    );
    view.setDetectMult(this.detectMult);
    view.setLength(len);
    view.setMyDiscriminator(this.myDiscriminator);
    view.setYourDiscriminator(this.yourDiscriminator);
    view.setDesiredMinTxUs(this.desiredMinTxUs);
    view.setRequiredMinRxUs(this.requiredMinRxUs);
    view.setRequiredMinEchoRxUs(this.requiredMinEchoRxUs);
    if (!a) return;
    view.setAuthType(bfdAuthTypeOf(a));
    view.setAuthLen(len - BFD_CONTROL_LEN);
    if (a.kind === 'unknown') return view.setAuthData(a.data);
    view.setAuthKeyId(a.keyId);
    if (a.kind === 'simple-password') return view.setAuthPassword(a.password);
    view.setAuthReserved(0);
    view.setAuthSequence(a.sequence);
    view.setAuthDigest(a.digest);
  }
}

function parseAuth(v: BfdControlView): BfdAuth {
  const type = v.authType;
  if (type === BFD_AUTH_TYPE.SIMPLE_PASSWORD) return { kind: 'simple-password', keyId: v.authKeyId, password: v.authPassword };
  if (type >= BFD_AUTH_TYPE.KEYED_MD5 && type <= BFD_AUTH_TYPE.METICULOUS_KEYED_SHA1) {
    return { kind: DIGEST_KINDS[type - 2], keyId: v.authKeyId, sequence: v.authSequence, digest: v.authDigest };
  }
  return { kind: 'unknown', raw: type, data: v.authData };
}

function checkAuth(a: BfdAuth): void {
  if (a.kind === 'unknown') {
    checkUint(BFD, 'auth.raw', a.raw, 0xff);
    return checkUint(BFD, 'auth.data', a.data.length, 0xff - BFD_CONTROL_LEN - 2);
  }
  checkUint(BFD, 'auth.keyId', a.keyId, 0xff);
  if (a.kind === 'simple-password') {
    if (a.password.length < 1 || a.password.length > PASSWORD_MAX) {
      throw rule('auth.password', `RFC 5880 §4.2.2: ${a.password.length} bytes, not 1..${PASSWORD_MAX}`);
    }
    return;
  }
  checkUint(BFD, 'auth.sequence', a.sequence, 0xffffffff);
  const want = authSectionLen(a) - (F.AUTH_DIGEST[0] - F.AUTH_TYPE[0]);
  if (a.digest.length !== want) throw rule('auth.digest', `${a.kind}: ${a.digest.length} bytes, not ${want}`);
}
