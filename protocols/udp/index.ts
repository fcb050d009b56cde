// UDP header and checksum.
export * from './udp.ts';
