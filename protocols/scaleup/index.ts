// Scale-up family helpers shared by the six protocol codecs: protocol names, wire budgets, the test-traffic signature, the layout notes.
import { ualinkLayoutNote } from '../ualink/index.ts';
import { sueLayoutNote } from '../sue/index.ts';
import { esunLayoutNote } from '../esun/index.ts';
import { ethlinkLayoutNote } from '../ethlink/index.ts';
import { ethplusLayoutNote } from '../ethplus/index.ts';
import { ethxLayoutNote } from '../ethx/index.ts';
import type { ScaleupProtocol } from './efficiency.ts';

export * from './efficiency.ts';
export * from './signature.ts';

/** Every scale-up protocol's layout is at least partly assumed: the note per protocol, for reports. */
export const SCALEUP_LAYOUT_NOTES: Record<ScaleupProtocol, string> = {
  ualink: ualinkLayoutNote,
  sue: sueLayoutNote,
  esun: esunLayoutNote,
  ethlink: ethlinkLayoutNote,
  ethplus: ethplusLayoutNote,
  ethx: ethxLayoutNote,
};
