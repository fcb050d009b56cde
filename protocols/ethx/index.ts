// ETH-X (ODCC): the 12-byte PRI header and ETH-X frames; the assumed-layout note the report shows.
export * from './pri.ts';
export * from './frame.ts';

/** PRI sizes are public; the EtherType and the transaction header are this project's model. */
export const ETHX_LAYOUT_ASSUMED = true;
export const ethxLayoutNote =
  'ETH-X layouts partly assumed: the 12-byte PRI header (2-byte network device id, 10-byte user-defined address) ' +
  'is public; the EtherType (0x88b5, IEEE local experimental) and the 8-byte memory-access transaction header ' +
  '(opcode, flags, length, source device id) are fabric-hil\'s model.';
