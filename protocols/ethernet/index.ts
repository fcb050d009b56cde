// Ethernet II, 802.1Q tag, MAC addresses, EtherTypes and PFC (802.1Qbb).
export * from './ethernet.ts';
export * from './ethertype.ts';
export * from './mac.ts';
export * from './pfc.ts';
