// Registers the GSE family with the emulator: device models, defect profiles and topology generators.
import './models.ts';
import './defects.ts';
import './generators.ts';
