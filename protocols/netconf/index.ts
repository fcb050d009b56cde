// NETCONF wire parts shared by the client and the server: framing, XML, hello, rpc-error, errors, ietf-interfaces.
export * from './channel.ts';
export * from './errors.ts';
export * from './framing.ts';
export * from './hello.ts';
export * from './ietf-interfaces.ts';
export * from './rpc-error.ts';
export * from './xml.ts';
