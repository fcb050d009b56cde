// ETH+ (high-throughput Ethernet): compressed preamble, UID base header, collective header, frames with optional FCS; the assumed-layout note.
export * from './preamble.ts';
export * from './uid.ts';
export * from './collective.ts';
export * from './frame.ts';

export const ETHPLUS_LAYOUT_ASSUMED = true;
export const ethplusLayoutNote =
  'ETH+ layouts assumed: the 1-byte preamble 1010xx11 is public (frame types 00 data, 01 control, 10 collective are ' +
  'fabric-hil\'s choice); the 8-byte UID base header (16-bit destination and source UIDs, semantic, flags, length), ' +
  'the 16-byte collective header and a 12-byte inter-frame gap are fabric-hil\'s model.';
