// Everything the emulator knows, registered: importing this module loads every device model,
// transport, topology generator and defect profile (each family registers itself on import).
import './build.ts';
import './generators.ts';
import './uec/register.ts';
import './gse/generators.ts';
