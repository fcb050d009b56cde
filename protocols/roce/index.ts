// RoCEv2: the InfiniBand transport headers over UDP 4791 (BTH, AETH) and the invariant CRC.
export * from './aeth.ts';
export * from './bth.ts';
export * from './icrc.ts';
