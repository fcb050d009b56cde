// Everything the emulator knows, registered: importing this module loads every device model,
// transport, topology generator and defect profile (each family registers itself on import).
import './build.ts';
import './generators.ts';
import './uec/register.ts';
import './gse/generators.ts';
import './optics/register.ts';
import './gse/register.ts';
import './router/register.ts';
import './uec/family.ts';
import './scaleup/register.ts';
