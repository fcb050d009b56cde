// Optics power budgets of a switch: module counts times per-module power, with the seed facts they come from.
import { opticsProfile } from './profiles.ts';

export interface PowerBudgetLine {
  label: string;
  count: number;
  unitW: number;
  totalW: number;
  facts: readonly string[];
}

export interface PowerBudget {
  name: string;
  lines: PowerBudgetLine[];
  totalW: number;
}

export function powerBudget(name: string, lines: Array<Omit<PowerBudgetLine, 'totalW'>>): PowerBudget {
  const full = lines.map((l) => ({ ...l, totalW: l.count * l.unitW }));
  return { name, lines: full, totalW: full.reduce((s, l) => s + l.totalW, 0) };
}

/** OPT-1: a 51.2T switch draws about 3000 W at full load. */
export const SWITCH_51T2_POWER_W = 3000;

/**
 * The three ways of fitting optics to a 51.2T switch that the seed facts compare: 128 x 400G FR4
 * at 10 W (OPT-1), 128 x 400G LPO at 5 W (OPT-3) and 16 x 3.2T CPO engines at 18 W (OPT-6). The
 * CPO line leaves out the external laser sources, whose power the seed facts do not give.
 */
export function switch51t2Budgets(): PowerBudget[] {
  const fr4 = opticsProfile('conventional-400g-fr4');
  const lpo = opticsProfile('lpo-400g-dr4');
  const cpo = opticsProfile('cpo-800g-dr4');
  const engine = cpo.engine as NonNullable<typeof cpo.engine>;
  return [
    powerBudget('128 x 400G FR4', [{ label: '400G FR4 module', count: 128, unitW: fr4.powerW, facts: ['OPT-1'] }]),
    powerBudget('128 x 400G LPO', [{ label: '400G LPO module', count: 128, unitW: lpo.powerW, facts: ['OPT-3'] }]),
    powerBudget('16 x 3.2T CPO', [{ label: '3.2T CPO engine', count: 51_200 / engine.rateGbps, unitW: engine.powerW, facts: ['OPT-6'] }]),
  ];
}
