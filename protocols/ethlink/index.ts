// ByteDance EthLink: the 6-byte OEFH and EthLink frames; the assumed-layout note the report shows.
export * from './oefh.ts';
export * from './frame.ts';

export const ETHLINK_LAYOUT_ASSUMED = true;
export const ethlinkLayoutNote =
  'EthLink layouts assumed: fabric-hil models the 6-byte OEFH as version(2) semantic(2: TMA or LSU) TC(3) ' +
  '10-bit destination and source ids and a 16-bit entropy, replacing the Ethernet header, followed by an 8-byte ' +
  'transaction header (opcode, flags, length, 32-bit address).';
