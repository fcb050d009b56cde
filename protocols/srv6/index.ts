// SRv6: the Segment Routing Header (RFC 8754) and SIDs with their endpoint behaviours (RFC 8986).
export * from './sid.ts';
export * from './srh.ts';
