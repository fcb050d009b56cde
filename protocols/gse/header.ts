// GSE header (a modelled layout, not the published one): data containers, request, grant and control, 32 bytes, big-endian.
//
// The GSE standards (GSE 1.0/2.0, draft-zhuang-rtgwg-aidc-gse-architecture) do not publish the
// header layout, so this one is defined here (protocol-facts "China Mobile GSE": "model it") from the
// roles the sources give the header: container-based spraying (GSE-CON-2), request/grant scheduling
// (GSE-CON-3), forwarding on the destination GSP and DPORT (GSE-ROLE-2, -4). Gear that implements
// the real header will not match it: reports show `gseLayoutNote`.
//
//   byte  field             bits  meaning
//   0     version | type    4|4   version 1; type 0 data container, 1 request, 2 grant, 3 control
//   1     flags             8     0x80 FIRST packet of the container, 0x40 LAST; others reserved, kept
//   2-3   next protocol     16    EtherType of the packet that follows (0x0800 IPv4, 0x86dd IPv6);
//                                 0 = nothing follows (request, grant, control)
//   4-7   container id      32    per (source GSP, destination GSP) container number
//   8-9   sequence          16    packet number within the container, from 0
//   10-11 packet count      16    packets in the container; 0 = not yet known (LAST ends it)
//   12-13 source GSP id     16    GSPID of the ingress GSP (distributed by BGP, GSE-ROLE-4)
//   14-15 destination GSP   16    GSPID of the egress GSP: what GSFs forward on
//   16-17 DPORT             16    egress port on the destination GSP (GSE-ROLE-4)
//   18    priority          3|5   traffic class 0-7 in the top bits; low 5 bits reserved (zero)
//   19    subtype           8     control message code (type control); 0 otherwise, kept raw
//   20-23 requested bytes   32    request: bytes the source asks to send to (dst GSP, DPORT)
//   24-27 granted bytes     32    grant: bytes authorised
//   28-31 grant id          32    grant: its id (non-zero); data: the grant the container uses
//
// Checks beyond lengths (Header.parse and emit alike): version 1 (else unsupported); data carries a
// packet (next protocol non-zero) and, with a known count, sequence < count; request, grant and
// control carry none (next protocol 0); a grant has a non-zero grant id.
import { WireError, WireView, checkLen, checkUint, hex, type Field } from '../wire.ts';
import { ethertypeName } from '../ethernet/ethertype.ts';

const F = {
  VER_TYPE: [0, 1], // version(4) type(4)
  FLAGS: [1, 2],
  NEXT_PROTOCOL: [2, 4],
  CONTAINER_ID: [4, 8],
  SEQ: [8, 10],
  PACKET_COUNT: [10, 12],
  SRC_GSP: [12, 14],
  DST_GSP: [14, 16],
  DPORT: [16, 18],
  PRIORITY: [18, 19], // priority(3) reserved(5)
  SUBTYPE: [19, 20],
  REQUESTED_BYTES: [20, 24],
  GRANTED_BYTES: [24, 28],
  GRANT_ID: [28, 32],
} as const satisfies Record<string, Field>;

const GSE = 'gse';

export const GSE_HEADER_LEN = F.GRANT_ID[1];
export const GSE_VERSION = 1;

/** The layout above is this project's model, not the standard's. */
export const GSE_LAYOUT_ASSUMED = true;
export const gseLayoutNote =
  'GSE header layout assumed: the GSE standards do not publish it, so fabric-hil models a 32-byte header ' +
  '(version, type, flags, next protocol, container id, sequence, packet count, source/destination GSP id, ' +
  'DPORT, priority, requested/granted bytes, grant id) over EtherType 0x88b5 (IEEE local experimental); ' +
  'verdicts on header bytes hold for the model and the emulator, not for gear with the real layout.';

export const GSE_TYPE = { DATA: 0, REQUEST: 1, GRANT: 2, CONTROL: 3 } as const;

const TYPE_NAMES = ['data', 'request', 'grant', 'control'];

/** Type names; values 4-15 are unknown and pass through as numbers. */
export function gseTypeName(t: number): string {
  return TYPE_NAMES[t] ?? `type-${t}`;
}

export const GSE_FLAG = { FIRST: 0x80, LAST: 0x40 } as const;

export class GseView extends WireView {
  static unchecked(buf: Uint8Array): GseView {
    return new GseView(buf);
  }
  static checked(buf: Uint8Array): GseView {
    const v = new GseView(buf);
    v.checkLen();
    return v;
  }
  checkLen(): void {
    checkLen(GSE, 'header', this.buffer.length, GSE_HEADER_LEN);
  }
  get version(): number {
    return this.u8(F.VER_TYPE) >> 4;
  }
  get type(): number {
    return this.u8(F.VER_TYPE) & 0x0f;
  }
  get flags(): number {
    return this.u8(F.FLAGS);
  }
  get first(): boolean {
    return (this.flags & GSE_FLAG.FIRST) !== 0;
  }
  get last(): boolean {
    return (this.flags & GSE_FLAG.LAST) !== 0;
  }
  get nextProtocol(): number {
    return this.u16(F.NEXT_PROTOCOL);
  }
  get containerId(): number {
    return this.u32(F.CONTAINER_ID);
  }
  get seq(): number {
    return this.u16(F.SEQ);
  }
  get packetCount(): number {
    return this.u16(F.PACKET_COUNT);
  }
  get srcGsp(): number {
    return this.u16(F.SRC_GSP);
  }
  get dstGsp(): number {
    return this.u16(F.DST_GSP);
  }
  get dport(): number {
    return this.u16(F.DPORT);
  }
  get priority(): number {
    return this.u8(F.PRIORITY) >> 5;
  }
  get subtype(): number {
    return this.u8(F.SUBTYPE);
  }
  get requestedBytes(): number {
    return this.u32(F.REQUESTED_BYTES);
  }
  get grantedBytes(): number {
    return this.u32(F.GRANTED_BYTES);
  }
  get grantId(): number {
    return this.u32(F.GRANT_ID);
  }
  /** What follows the header (the carried packet), in place. */
  get payload(): Uint8Array {
    return this.buffer.subarray(GSE_HEADER_LEN);
  }
  setVersionType(version: number, type: number): void {
    this.setU8(F.VER_TYPE, ((version & 0x0f) << 4) | (type & 0x0f));
  }
  setFlags(v: number): void {
    this.setU8(F.FLAGS, v);
  }
  setNextProtocol(v: number): void {
    this.setU16(F.NEXT_PROTOCOL, v);
  }
  setContainerId(v: number): void {
    this.setU32(F.CONTAINER_ID, v);
  }
  setSeq(v: number): void {
    this.setU16(F.SEQ, v);
  }
  setPacketCount(v: number): void {
    this.setU16(F.PACKET_COUNT, v);
  }
  setSrcGsp(v: number): void {
    this.setU16(F.SRC_GSP, v);
  }
  setDstGsp(v: number): void {
    this.setU16(F.DST_GSP, v);
  }
  setDport(v: number): void {
    this.setU16(F.DPORT, v);
  }
  /** Writes the priority and zeroes the reserved bits. */
  setPriority(v: number): void {
    this.setU8(F.PRIORITY, (v & 7) << 5);
  }
  setSubtype(v: number): void {
    this.setU8(F.SUBTYPE, v);
  }
  setRequestedBytes(v: number): void {
    this.setU32(F.REQUESTED_BYTES, v);
  }
  setGrantedBytes(v: number): void {
    this.setU32(F.GRANTED_BYTES, v);
  }
  setGrantId(v: number): void {
    this.setU32(F.GRANT_ID, v);
  }
  summary(): string {
    const head = `GSE ${gseTypeName(this.type)} gsp ${this.srcGsp} > ${this.dstGsp} dport ${this.dport} pri ${this.priority}`;
    const fl = [this.first && 'F', this.last && 'L'].filter(Boolean).join('');
    switch (this.type) {
      case GSE_TYPE.DATA: {
        const count = this.packetCount || '?';
        return `${head} ctr ${hex(this.containerId, 8)} seq ${this.seq}/${count}${fl ? ` [${fl}]` : ''} grant ${this.grantId} next ${ethertypeName(this.nextProtocol)}`;
      }
      case GSE_TYPE.REQUEST:
        return `${head} request ${this.requestedBytes} bytes`;
      case GSE_TYPE.GRANT:
        return `${head} grant ${this.grantId} ${this.grantedBytes} bytes`;
      default:
        return `${head} subtype ${this.subtype}`;
    }
  }
}

export interface GseInit {
  /** GSE_TYPE value; unknown values (4-15) are kept. */
  type: number;
  /** Raw 8-bit flags (GSE_FLAG); default 0. */
  flags?: number;
  /** EtherType of the carried packet; default 0 (nothing). */
  nextProtocol?: number;
  containerId?: number;
  seq?: number;
  packetCount?: number;
  srcGsp: number;
  dstGsp: number;
  dport?: number;
  priority?: number;
  subtype?: number;
  requestedBytes?: number;
  grantedBytes?: number;
  grantId?: number;
}

/** A GSE header as plain values; every field is kept raw so that unknown types and flags round-trip. */
export class GseHeader {
  readonly type: number;
  readonly flags: number;
  readonly nextProtocol: number;
  readonly containerId: number;
  readonly seq: number;
  readonly packetCount: number;
  readonly srcGsp: number;
  readonly dstGsp: number;
  readonly dport: number;
  readonly priority: number;
  readonly subtype: number;
  readonly requestedBytes: number;
  readonly grantedBytes: number;
  readonly grantId: number;
  constructor(init: GseInit) {
    this.type = init.type;
    this.flags = init.flags ?? 0;
    this.nextProtocol = init.nextProtocol ?? 0;
    this.containerId = init.containerId ?? 0;
    this.seq = init.seq ?? 0;
    this.packetCount = init.packetCount ?? 0;
    this.srcGsp = init.srcGsp;
    this.dstGsp = init.dstGsp;
    this.dport = init.dport ?? 0;
    this.priority = init.priority ?? 0;
    this.subtype = init.subtype ?? 0;
    this.requestedBytes = init.requestedBytes ?? 0;
    this.grantedBytes = init.grantedBytes ?? 0;
    this.grantId = init.grantId ?? 0;
  }
  /** `view` must be checked; applies the rules of the file header. */
  static parse(view: GseView): GseHeader {
    if (view.version !== GSE_VERSION) throw new WireError('unsupported', GSE, 'version', `${view.version}, expected ${GSE_VERSION}`);
    const h = new GseHeader({
      type: view.type,
      flags: view.flags,
      nextProtocol: view.nextProtocol,
      containerId: view.containerId,
      seq: view.seq,
      packetCount: view.packetCount,
      srcGsp: view.srcGsp,
      dstGsp: view.dstGsp,
      dport: view.dport,
      priority: view.priority,
      subtype: view.subtype,
      requestedBytes: view.requestedBytes,
      grantedBytes: view.grantedBytes,
      grantId: view.grantId,
    });
    h.checkRules();
    return h;
  }
  bufferLen(): number {
    return GSE_HEADER_LEN;
  }
  /** Writes the header at the start of the view; the carried packet follows at bufferLen(). */
  emit(view: GseView): void {
    checkUint(GSE, 'type', this.type, 0x0f);
    checkUint(GSE, 'flags', this.flags, 0xff);
    for (const k of ['nextProtocol', 'seq', 'packetCount', 'srcGsp', 'dstGsp', 'dport'] as const) checkUint(GSE, k, this[k], 0xffff);
    for (const k of ['containerId', 'requestedBytes', 'grantedBytes', 'grantId'] as const) checkUint(GSE, k, this[k], 0xffffffff);
    checkUint(GSE, 'priority', this.priority, 7);
    checkUint(GSE, 'subtype', this.subtype, 0xff);
    this.checkRules();
    checkLen(GSE, 'header', view.buffer.length, GSE_HEADER_LEN);
    view.setVersionType(GSE_VERSION, this.type);
    view.setFlags(this.flags);
    view.setNextProtocol(this.nextProtocol);
    view.setContainerId(this.containerId);
    view.setSeq(this.seq);
    view.setPacketCount(this.packetCount);
    view.setSrcGsp(this.srcGsp);
    view.setDstGsp(this.dstGsp);
    view.setDport(this.dport);
    view.setPriority(this.priority);
    view.setSubtype(this.subtype);
    view.setRequestedBytes(this.requestedBytes);
    view.setGrantedBytes(this.grantedBytes);
    view.setGrantId(this.grantId);
  }
  private checkRules(): void {
    const bad = (field: string, detail: string) => new WireError('malformed', GSE, field, detail);
    if (this.type === GSE_TYPE.DATA) {
      if (this.nextProtocol === 0) throw bad('nextProtocol', 'a data container packet carries a packet');
      if (this.packetCount !== 0 && this.seq >= this.packetCount) throw bad('seq', `${this.seq} not below the packet count ${this.packetCount}`);
    } else if (this.nextProtocol !== 0 && this.type <= GSE_TYPE.CONTROL) {
      throw bad('nextProtocol', `${gseTypeName(this.type)} carries no packet, got ${hex(this.nextProtocol)}`);
    }
    if (this.type === GSE_TYPE.GRANT && this.grantId === 0) throw bad('grantId', 'a grant needs a non-zero id');
  }
}
