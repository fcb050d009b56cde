// Scale-up addressing: a switch takes 1024 endpoints over its protocol's whole id space, refuses an id beyond it, and reaches the highest id.
//
// Test plan, once per protocol (requirement IDs: UALink UAL-6; SUE SUE-1; ESUN SUE-1, SUE-6;
// EthLink ETHL-1; ETH+ ETHP-3; ETH-X ETHX-2):
// 1. the switch reports its id space (/scaleup/id-bits, /scaleup/id-max);
// 2. 1024 forwarding entries spread over 0..id-max (both ends included), ids 256 apart to
//    different ports, are accepted and read back exactly (ids that share their low bits stay apart);
// 3. an entry for id-max + 1 is refused, and so is an accelerator id of id-max + 1;
// 4. after the table is restored, traffic from the lowest-id to the highest-id accelerator is
//    delivered in full.
// Devices: the supernode of each protocol with state, config and traffic.
import { test, expect, req, describe } from '../../harness/suite.ts';
import { SCALEUP_PROTOCOL_NAMES, type ScaleupProtocol } from '../../protocols/scaleup/efficiency.ts';
import { flow, highest, runFlows, supernode } from './helpers.ts';

const REQS: Record<ScaleupProtocol, string[]> = {
  ualink: ['UAL-6'],
  sue: ['SUE-1'],
  esun: ['SUE-1', 'SUE-6'],
  ethlink: ['ETHL-1'],
  ethplus: ['ETHP-3'],
  ethx: ['ETHX-2'],
};

describe('scale-up addressing', () => {
  for (const protocol of Object.keys(REQS) as ScaleupProtocol[]) {
    test(`${SCALEUP_PROTOCOL_NAMES[protocol]}: 1024 endpoints over the whole id space are accepted, an id beyond it refused, the highest id reached`, req(...REQS[protocol]), async ({ lab }) => {
      const sn = await supernode(lab, protocol);
      const bits = (await sn.sw.state.get('/scaleup/id-bits')) as number;
      const max = (await sn.sw.state.get('/scaleup/id-max')) as number;
      expect(max, 'id space').toBeLessThan(2 ** bits);
      expect(max + 1, 'room for 1024 endpoints').toBeGreaterThanOrEqual(1024);
      const ports = (await sn.sw.state.get('/scaleup/ports')) as string[];
      // Ids 256 apart go to different ports, so that a table keyed on fewer bits reads back wrong.
      const entries = Array.from({ length: 1024 }, (_, k) => {
        const id = Math.round((k * max) / 1023);
        return [id, ports[Math.floor(id / 256) % ports.length]] as [number, string];
      });
      expect(new Set(entries.map((e) => e[0])).size).toBe(1024);

      await sn.sw.config.edit('/scaleup/forwarding', { entries }, 'merge');
      try {
        const wrong: string[] = [];
        for (const [id, port] of entries) {
          const got = (await sn.sw.state.get(`/scaleup/forwarding/entry[id=${id}]`)) as string[] | undefined;
          if (got?.length !== 1 || got[0] !== port) wrong.push(`${id} -> ${JSON.stringify(got)} (want ${port})`);
        }
        expect(wrong.slice(0, 5), `${wrong.length} of 1024 entries read back wrong`).toEqual([]);
        await expect(sn.sw.config.edit(`/scaleup/forwarding/entry[id=${max + 1}]`, ports[0]), `entry for id ${max + 1}`).rejects.toThrow(/beyond/);
        await expect(sn.accs[0].dev.config.edit('/scaleup/id', max + 1), `accelerator id ${max + 1}`).rejects.toThrow(/beyond/);
      } finally {
        await sn.sw.config.edit('/scaleup/forwarding', null, 'delete');
      }

      const [src] = sn.accs;
      const dst = highest(sn);
      expect(dst.id, 'the supernode uses the top of the id space').toBeGreaterThan(255);
      const r = await runFlows(lab, [{ from: src, flows: [flow('to-highest', src, dst, 16384, 1024)] }]);
      const m = r.get(`${src.dev.id}/to-highest`)!;
      expect([m.done, m.rxBytes], `delivered to id ${dst.id}`).toEqual([true, 16384]);
    });
  }
});
