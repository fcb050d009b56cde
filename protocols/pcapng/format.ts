// pcapng constants (draft-ietf-opsawg-pcapng): block types, option codes; block layouts for reader and writer only.
import type { Field } from '../wire.ts';

export const PCAPNG_BLOCK = {
  SHB: 0x0a0d0d0a,
  IDB: 0x00000001,
  SPB: 0x00000003,
  NRB: 0x00000004,
  ISB: 0x00000005,
  EPB: 0x00000006,
  DSB: 0x0000000a,
} as const;

export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

export const PCAPNG_OPTION = {
  END: 0,
  COMMENT: 1,
  SHB_HARDWARE: 2,
  SHB_OS: 3,
  SHB_USERAPPL: 4,
  IF_NAME: 2,
  IF_DESCRIPTION: 3,
  IF_TSRESOL: 9,
  IF_TSOFFSET: 14,
} as const;

/** LINKTYPE_ETHERNET: Ethernet II without FCS. */
export const PCAPNG_LINKTYPE_ETHERNET = 1;

/** Every block: type, total length, body, total length again. */
export const BLOCK = { TYPE: [0, 4], LENGTH: [4, 8] } as const satisfies Record<string, Field>;
export const BLOCK_OVERHEAD = 12;

/** Section Header Block body, after type and length. */
export const SHB = { MAGIC: [8, 12], MAJOR: [12, 14], MINOR: [14, 16], SECTION_LEN: [16, 24] } as const satisfies Record<string, Field>;
export const SHB_FIXED_LEN = SHB.SECTION_LEN[1];

/** Interface Description Block. */
export const IDB = { LINKTYPE: [8, 10], RESERVED: [10, 12], SNAPLEN: [12, 16] } as const satisfies Record<string, Field>;
export const IDB_FIXED_LEN = IDB.SNAPLEN[1];

/** Enhanced Packet Block; packet data follows at CAPLEN's end, padded to 32 bits, then options. */
export const EPB = {
  INTERFACE: [8, 12],
  TS_HIGH: [12, 16],
  TS_LOW: [16, 20],
  CAPLEN: [20, 24],
  ORIGLEN: [24, 28],
} as const satisfies Record<string, Field>;
export const EPB_FIXED_LEN = EPB.ORIGLEN[1];

export function pad4(n: number): number {
  return (n + 3) & ~3;
}
