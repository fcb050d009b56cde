// Registers the scale-up family: the `scaleup-switch` and `accelerator` models, the protocol cores, the supernode generator, the defect profiles.
import { registerModel } from '../build.ts';
import './ualink.ts';
import './sue.ts';
import './ethlink.ts';
import './ethplus.ts';
import './generators.ts';
import './defects.ts';
import { ACCELERATOR_KIND, SCALEUP_SWITCH_KIND } from './fabric.ts';
import { AcceleratorModel, ScaleupSwitchModel } from './models.ts';

registerModel(SCALEUP_SWITCH_KIND, { role: 'switch', create: (ctx) => new ScaleupSwitchModel(ctx) });
registerModel(ACCELERATOR_KIND, { role: 'endpoint', create: (ctx) => new AcceleratorModel(ctx) });
