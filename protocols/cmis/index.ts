// CMIS 5.x module memory map: field tables per page, page views, application descriptors, codes, the address space.
export * from './application.ts';
export * from './codes.ts';
export * from './common.ts';
export * from './els.ts';
export * from './lower.ts';
export * from './memory.ts';
export * from './page01.ts';
export * from './page02.ts';
export * from './page10.ts';
export * from './page11.ts';
export * from './upper00.ts';
