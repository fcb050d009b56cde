// Registers the reliable transports (UET RUD with NSCC, RoCEv2-style go-back-N) with the flow table.
import { registerTransport } from '../traffic/flows.ts';
import { RoceFlow, roceOptionsFrom } from './roce.ts';
import { UetFlow, uetOptionsFrom } from './uet.ts';

registerTransport('uet', (spec, ctx, options) => new UetFlow(spec, ctx, uetOptionsFrom(options)));
registerTransport('roce', (spec, ctx, options) => new RoceFlow(spec, ctx, roceOptionsFrom(options)));
