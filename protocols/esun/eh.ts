// ESUN EH header (4 bytes, a parameterised layout): EH-ECN with IP ECN semantics, EH-QoS (a reduced DSCP), next header, flow label.
//
// ESUN-2: ESUN drops the 20-byte IP header for a 4-byte EH header holding EH-ECN (same semantics as
// IP ECN), EH-QOS and a flow label for load balancing. The bit layout is not public here
// (protocol-facts "OCP ESUN": define it as a parameterised codec), so every field's position is a
// parameter (`EsunEhLayout`, default ESUN_EH_LAYOUT_DEFAULT, MSB = bit 31):
//
//   bits   field          default
//   31-30  version        0
//   29-26  EH-QoS         traffic class 0-15 (DSCP reduced to 4 bits)
//   25-24  EH-ECN         Not-ECT 00, ECT(1) 01, ECT(0) 10, CE 11 (RFC 3168 §5, protocols/ip.ts)
//   23-20  next header    0 = SUE-T reliability header (SUE-6: the recommended transport)
//   19-0   flow label     entropy switches hash, as the IPv6 flow label
//
// Checks: version 0 (else unsupported); emit refuses values wider than their field.
import { WireError, WireView, checkLen, checkUint, type Field } from '../wire.ts';
import { IP_ECN, ipEcnName } from '../ip.ts';

const F = { EH: [0, 4] } as const satisfies Record<string, Field>;
const ESUN = 'esun';

export const ESUN_EH_LEN = F.EH[1];
export const ESUN_EH_VERSION = 0;
export const ESUN_NEXT_HEADER = { SUE_T: 0 } as const;

/** A field's position in the 32-bit header: [shift of its lowest bit, width in bits]. */
export type EsunBitField = readonly [shift: number, bits: number];

export interface EsunEhLayout {
  version: EsunBitField;
  qos: EsunBitField;
  /** Always two bits (IP ECN). */
  ecn: EsunBitField;
  nextHeader: EsunBitField;
  flowLabel: EsunBitField;
}

export const ESUN_EH_LAYOUT_DEFAULT: EsunEhLayout = {
  version: [30, 2],
  qos: [26, 4],
  ecn: [24, 2],
  nextHeader: [20, 4],
  flowLabel: [0, 20],
};

/** Throws unless the fields fit in 32 bits without overlapping and ECN has two bits. */
export function esunCheckLayout(layout: EsunEhLayout): void {
  let used = 0;
  for (const [name, [shift, bits]] of Object.entries(layout) as Array<[string, EsunBitField]>) {
    if (!(Number.isInteger(shift) && Number.isInteger(bits) && bits >= 1 && shift >= 0 && shift + bits <= 32)) {
      throw new WireError('malformed', ESUN, `layout.${name}`, `[${shift}, ${bits}] does not fit 32 bits`);
    }
    const mask = bits === 32 ? 0xffffffff : ((1 << bits) - 1) * 2 ** shift;
    if ((used & mask) !== 0) throw new WireError('malformed', ESUN, `layout.${name}`, 'overlaps another field');
    used = (used | mask) >>> 0;
  }
  if (layout.ecn[1] !== 2) throw new WireError('malformed', ESUN, 'layout.ecn', 'EH-ECN has two bits (IP ECN semantics)');
}

function get(word: number, [shift, bits]: EsunBitField): number {
  return Math.floor(word / 2 ** shift) % 2 ** bits;
}

function put(word: number, [shift, bits]: EsunBitField, v: number): number {
  const old = get(word, [shift, bits]);
  return word - old * 2 ** shift + (v % 2 ** bits) * 2 ** shift;
}

export class EsunEhView extends WireView {
  constructor(
    buffer: Uint8Array,
    readonly layout: EsunEhLayout = ESUN_EH_LAYOUT_DEFAULT,
  ) {
    super(buffer);
  }
  static unchecked(buf: Uint8Array, layout?: EsunEhLayout): EsunEhView {
    return new EsunEhView(buf, layout);
  }
  static checked(buf: Uint8Array, layout?: EsunEhLayout): EsunEhView {
    const v = new EsunEhView(buf, layout);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(ESUN, 'eh', this.buffer.length, ESUN_EH_LEN);
  }
  get word(): number {
    return this.u32(F.EH);
  }
  get version(): number {
    return get(this.word, this.layout.version);
  }
  get qos(): number {
    return get(this.word, this.layout.qos);
  }
  get ecn(): number {
    return get(this.word, this.layout.ecn);
  }
  get nextHeader(): number {
    return get(this.word, this.layout.nextHeader);
  }
  get flowLabel(): number {
    return get(this.word, this.layout.flowLabel);
  }
  get payload(): Uint8Array {
    return this.buffer.subarray(ESUN_EH_LEN);
  }
  /** Rewrites EH-ECN in place (what a congested switch does to ECT packets). */
  setEcn(v: number): void {
    this.setU32(F.EH, put(this.word, this.layout.ecn, v));
  }
  setWord(v: number): void {
    this.setU32(F.EH, v >>> 0);
  }
  summary(): string {
    return `ESUN EH v${this.version} qos ${this.qos} ${ipEcnName(this.ecn)} next ${this.nextHeader} flow ${this.flowLabel}`;
  }
}

export interface EsunEhInit {
  qos?: number;
  ecn?: number;
  nextHeader?: number;
  flowLabel?: number;
}

export class EsunEhHeader {
  readonly qos: number;
  readonly ecn: number;
  readonly nextHeader: number;
  readonly flowLabel: number;
  constructor(init: EsunEhInit) {
    this.qos = init.qos ?? 0;
    this.ecn = init.ecn ?? IP_ECN.NOT_ECT;
    this.nextHeader = init.nextHeader ?? ESUN_NEXT_HEADER.SUE_T;
    this.flowLabel = init.flowLabel ?? 0;
  }
  /** `view` must be checked. Bits outside the layout's fields are ignored. */
  static parse(view: EsunEhView): EsunEhHeader {
    if (view.version !== ESUN_EH_VERSION) throw new WireError('unsupported', ESUN, 'version', `${view.version}, expected ${ESUN_EH_VERSION}`);
    return new EsunEhHeader({ qos: view.qos, ecn: view.ecn, nextHeader: view.nextHeader, flowLabel: view.flowLabel });
  }
  bufferLen(): number {
    return ESUN_EH_LEN;
  }
  emit(view: EsunEhView): void {
    const l = view.layout;
    esunCheckLayout(l);
    checkUint(ESUN, 'qos', this.qos, 2 ** l.qos[1] - 1);
    checkUint(ESUN, 'ecn', this.ecn, 3);
    checkUint(ESUN, 'nextHeader', this.nextHeader, 2 ** l.nextHeader[1] - 1);
    checkUint(ESUN, 'flowLabel', this.flowLabel, 2 ** l.flowLabel[1] - 1);
    checkLen(ESUN, 'eh', view.buffer.length, ESUN_EH_LEN);
    let w = put(0, l.version, ESUN_EH_VERSION);
    w = put(w, l.qos, this.qos);
    w = put(w, l.ecn, this.ecn);
    w = put(w, l.nextHeader, this.nextHeader);
    w = put(w, l.flowLabel, this.flowLabel);
    view.setWord(w);
  }
}
