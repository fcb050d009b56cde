// Emulated optics: CMIS modules, external laser sources, technology profiles, link budgets and defect switches.
export * from './budget.ts';
export * from './defects.ts';
export * from './els.ts';
export * from './link.ts';
export * from './module.ts';
export * from './profiles.ts';
