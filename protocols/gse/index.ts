// GSE (Global Scheduling Ethernet) N2N: the modelled GSE header and its Ethernet encapsulation.
export * from './frame.ts';
export * from './header.ts';
