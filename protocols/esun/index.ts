// OCP ESUN: the 4-byte EH header (parameterised layout) and ESUN frames carrying SUE-T; the assumed-layout note the report shows.
export * from './eh.ts';
export * from './frame.ts';

/** The EH bit layout and the EtherType are this project's parameters, not the (non-public) specification's. */
export const ESUN_LAYOUT_ASSUMED = true;
export const esunLayoutNote =
  'ESUN EH layout assumed: the ESUN 1.0 bit layout is not public here, so fabric-hil models the 4-byte EH header as ' +
  'version(2) EH-QoS(4) EH-ECN(2, IP ECN semantics) next header(4) flow label(20), every position a parameter, over ' +
  'EtherType 0x88b6 (IEEE local experimental), carrying the SUE-T reliability header and PDU.';
