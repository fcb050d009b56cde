// BFD control packets (RFC 5880) on UDP (RFC 5881, RFC 5883).
export * from './control.ts';
