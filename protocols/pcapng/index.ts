// pcapng writer and reader, and the tshark helper (block layouts in format.ts stay internal).
export { PCAPNG_BLOCK, PCAPNG_BYTE_ORDER_MAGIC, PCAPNG_LINKTYPE_ETHERNET, PCAPNG_OPTION } from './format.ts';
export * from './reader.ts';
export * from './tshark.ts';
export * from './writer.ts';
