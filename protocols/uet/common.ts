// Shared by the UET codecs: the protocol name in WireErrors, range checks for 16/64-bit fields, layout options.
//
// Sources for every layout under protocols/uet/ (see protocol-facts.md, "UET"):
// - Wireshark `epan/dissectors/packet-uet.c` (cites UE-Specification-1.0.1), "the dissector";
// - the UEC reference libfabric provider `uet_pkt_hdr.h` / `uet_pds.c`, "the provider".
// Where they disagree on a length, the choice is a `UetLayoutOptions` member whose default follows
// the dissector (as protocol-facts does for the UDP port); other differences are settled, with the
// reason, in the comment at the top of the header's file.
import { WireError, checkUint } from '../wire.ts';

export const UET = 'uet';

export function uetMalformed(field: string, detail: string): WireError {
  return new WireError('malformed', UET, field, detail);
}

export function checkU(field: string, value: number, bits: number): void {
  checkUint(UET, field, value, 2 ** bits - 1);
}

/** Signed 16-bit offsets (clear PSN offset, ACK PSN offset, SACK PSN offset). */
export function checkI16(field: string, value: number): void {
  if (!Number.isInteger(value) || value < -0x8000 || value > 0x7fff) {
    throw uetMalformed(field, `${value} not an integer in -32768..32767`);
  }
}

export function checkBig(field: string, value: bigint, bits: number): void {
  if (typeof value !== 'bigint' || value < 0n || value >= 1n << BigInt(bits)) {
    throw uetMalformed(field, `${String(value)} not an unsigned ${bits}-bit bigint`);
  }
}

/** Source disagreements, resolved per testbed (protocol-facts: "make the value a parameter"). */
export interface UetLayoutOptions {
  /**
   * The provider sends a 0-RTT closing ACK (type ACK only) with prologue flag 0x40 (EPSN) and a
   * 4-byte expected-PSN payload after the 12 bytes (`uet_pds_ack_epsn`); the dissector treats 0x40
   * as reserved and an ACK as 12 bytes. Default false (dissector): 0x40 is ignored.
   */
  ackEpsn?: boolean;
  /**
   * SES small response with data (next header 6): the dissector reads 4 bytes (opcode, return
   * code, 14-bit payload length); the provider's `uet_ses_rsp_ds` has 12 (adds resource-index
   * generation, job ID and the original request PSN). Default 'dissector'.
   */
  smallResponseWithData?: 'dissector' | 'provider';
}

export type UetLayout = Required<UetLayoutOptions>;

export const UET_LAYOUT_DEFAULTS: UetLayout = { ackEpsn: false, smallResponseWithData: 'dissector' };

export function uetLayout(o: UetLayoutOptions = {}): UetLayout {
  return { ...UET_LAYOUT_DEFAULTS, ...o };
}

/** `[A B]` from the names whose flag is set, or '' when none is. */
export function flagList(flags: Array<[boolean, string]>): string {
  const on = flags.filter(([b]) => b).map(([, n]) => n);
  return on.length ? ` [${on.join(' ')}]` : '';
}
