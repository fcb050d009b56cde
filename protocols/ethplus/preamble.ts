// ETH+ compressed preamble: one byte `1010xx11` (clock sync, frame type in the two x bits, start of data).
//
// ETHP-2: the preamble is compressed to one byte with the pattern 1010xx11. Which type each value
// of the x bits means is not public here; fabric-hil assigns (ETHPLUS_LAYOUT_ASSUMED): 00 data,
// 01 control, 10 collective, 11 reserved (kept). A byte without the pattern is not an ETH+ frame.
import { WireError, checkUint } from '../wire.ts';

const ETHPLUS = 'ethplus';

export const ETHPLUS_PREAMBLE_LEN = 1;
export const ETHPLUS_PREAMBLE_MASK = 0xf3;
export const ETHPLUS_PREAMBLE_PATTERN = 0xa3;
export const ETHPLUS_FRAME_TYPE = { DATA: 0, CONTROL: 1, COLLECTIVE: 2, RESERVED: 3 } as const;

const NAMES = ['data', 'control', 'collective', 'reserved'];
export function ethplusFrameTypeName(t: number): string {
  return NAMES[t & 3];
}

/** The preamble byte for a frame type (0-3). */
export function ethplusPreamble(frameType: number): number {
  checkUint(ETHPLUS, 'frameType', frameType, 3);
  return ETHPLUS_PREAMBLE_PATTERN | (frameType << 2);
}

/** The frame type a preamble byte carries; throws unless the byte matches 1010xx11. */
export function ethplusFrameTypeOf(preamble: number): number {
  if ((preamble & ETHPLUS_PREAMBLE_MASK) !== ETHPLUS_PREAMBLE_PATTERN) {
    throw new WireError('malformed', ETHPLUS, 'preamble', `0b${preamble.toString(2).padStart(8, '0')} does not match 1010xx11`);
  }
  return (preamble >> 2) & 3;
}
