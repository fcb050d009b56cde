// Emulated optics: CMIS modules, external laser sources, technology profiles, link budgets, defect switches, and their place on the fabric's ports.
export * from './budget.ts';
export * from './console.ts';
export * from './defects.ts';
export * from './els.ts';
export * from './fabric.ts';
export * from './link.ts';
export * from './module.ts';
export * from './profiles.ts';
