// IPv6 fixed header, addresses and the extension-header chain.
export * from './address.ts';
export * from './ext.ts';
export * from './ipv6.ts';
