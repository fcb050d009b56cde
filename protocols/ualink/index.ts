// UALink 200G: UPLI message headers, TL flits (64 B) and DL flits (640 B), with the assumed-layout note the report shows.
export * from './upli.ts';
export * from './tl.ts';
export * from './dl.ts';

/** The bit layouts of this folder are this project's model, not the (non-public) specification's. */
export const UALINK_LAYOUT_ASSUMED = true;
export const ualinkLayoutNote =
  'UALink layouts assumed: UALink 200G 1.0 is not public here, so fabric-hil models a 16-byte UPLI header ' +
  '(opcode, size code, status, 10-bit source and destination ids, 12-bit tag, 57-bit address), control TL flits of four ' +
  'headers followed by their data flits, and a 640-byte DL flit (3-byte header with op, 9-bit sequence number and ' +
  'acknowledgement, five segment headers marking nine 64-byte TL slots, CRC-32 last); verdicts on header bits hold ' +
  'for the model and the emulator, sizes and rules follow the public material.';
