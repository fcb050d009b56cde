// Broadcom SUE (Scale-Up Ethernet): reliability header, AFH Gen2, packed PDUs, frames; the assumed-layout note the report shows.
export * from './rh.ts';
export * from './afh.ts';
export * from './pdu.ts';
export * from './frame.ts';

/** The AFH Gen2, transaction header and R-CRC layouts are this project's model; the reliability header is public. */
export const SUE_LAYOUT_ASSUMED = true;
export const sueLayoutNote =
  'SUE layouts partly assumed: the 8-byte reliability header follows two public sources (opcode values are a ' +
  'parameter); the AFH Gen2 header (6 or 12 bytes: version, TC, ECN, 10-bit destination and source XPU ids, entropy), ' +
  'the 16-byte transaction header of a packed PDU and the 4-byte R-CRC are fabric-hil\'s model.';
