// IPv4 header and addresses.
export * from './address.ts';
export * from './ipv4.ts';
