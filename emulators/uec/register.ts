// Registers the reliable transports (UET in its four delivery modes, RoCEv2-style go-back-N) with the flow table.
//
// A `uet` flow's delivery mode is its options' `deliveryMode` (a UEC NIC passes its configured
// mode): rud (default) and rod run UetFlow (rod = ordered), rudi and uud their own flows. A UEC NIC
// with the `uudRetransmits` defect runs its UUD flows as reliable RUD ones.
import { registerTransport } from '../traffic/flows.ts';
import { RudiFlow, UudFlow, modeOptionsFrom } from './modes.ts';
import { nicPdsOf } from './pds.ts';
import { RoceFlow, roceOptionsFrom } from './roce.ts';
import { UetFlow, uetOptionsFrom } from './uet.ts';

registerTransport('uet', (spec, ctx, options) => {
  const mode = options.deliveryMode ?? 'rud';
  switch (mode) {
    case 'rud':
    case 'rod':
      return new UetFlow(spec, ctx, { ...uetOptionsFrom(options), ordered: mode === 'rod' });
    case 'rudi':
      return new RudiFlow(spec, ctx, modeOptionsFrom(options));
    case 'uud': {
      const nic = nicPdsOf(ctx.srcHost);
      if (nic.uec && nic.defects.uudRetransmits) return new UetFlow(spec, ctx, uetOptionsFrom(options));
      return new UudFlow(spec, ctx, modeOptionsFrom(options));
    }
    default:
      throw new Error(`flow ${spec.name ?? ctx.id}: unknown UET delivery mode '${String(mode)}' (rud, rod, rudi, uud)`);
  }
});
registerTransport('roce', (spec, ctx, options) => new RoceFlow(spec, ctx, roceOptionsFrom(options)));
