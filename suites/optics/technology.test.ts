// Optics suite, the technologies: power per technology, reach limits on real links, the blast radius of an external laser failure, and the 51.2T power budget.
//
// Test plan (requirement IDs):
// - OPT-1, OPT-3, OPT-6, OPT-8, CMIS-PowerClass: each module draws no more than it advertises;
//   the advertised maximum of a 400G FR4 module is about 10 W (OPT-1: 9-11 W), of a 400G LPO
//   about 5 W (OPT-3: 4-6 W), of a 3.2T CPO engine (its ports' sum) about 18 W (OPT-6: 16-20 W);
//   per Gb/s, conventional > LRO > LPO > NPO > CPO for the technologies present (OPT-4, OPT-8);
// - OPT-3, OPT-4, OPT-5, OPT-8, RFC2863-ifInErrors: an LPO or LRO link within 500 m and an NPO or
//   CPO link within 2 km is up and carries a burst without a frame lost; one beyond its reach
//   fails: it does not come up, or it loses at least 1% of the burst and the receiving port counts
//   every lost frame in ifInErrors;
// - OPT-7: a laser failure on a CPO port (its ELS lane fails) takes down exactly the ports that
//   lane feeds (the device's /optics/els map), several at once, and no other port; the far ends
//   of those ports latch Rx LOS; clearing it brings them back;
// - OPT-1, OPT-3, OPT-6: the optics power of a 51.2T switch built from 128 x 400G FR4, 128 x 400G
//   LPO or 16 x 3.2T CPO engines, from the advertised maximum power of the modules present:
//   FR4 optics are > 40% of a 3000 W switch (OPT-1), LPO about 50% less (40-60%, OPT-3), CPO
//   > 77% less than the pluggables (OPT-6); drawn as a chart and a table.
// Devices: the `switch` reporting the most modules in its ports (/optics/ports), with `cmis`, the
// devices at the far ends of its links (cmis, state; traffic for the reach burst).
import { test, expect, req, describe } from '../../harness/suite.ts';
import { CMIS_PAGE11 } from '../../protocols/cmis/index.ts';
import { REACH_LIMIT_M, farEnd, opticsSwitch, portsOf, type OpticsDevice, type OpticsEls, type OpticsPort, type OpticsTechnology } from './optics-lab.ts';

/** OPT-1: a 51.2T switch draws about 3000 W at full load. */
const SWITCH_51T2_W = 3000;
const SWITCH_51T2_GBPS = 51_200;
/** OPT-6: a CPO optical engine carries 3.2T. */
const CPO_ENGINE_GBPS = 3200;
const BURST_FRAMES = 1000;
const FRAME_BYTES = 1500;
const BURST_RATE_BPS = 25e9;

async function advertisedW(dev: OpticsDevice, port: string): Promise<number> {
  return (await dev.upper00(port)).maxPowerW;
}

/** The advertised maximum power of the first module of a technology and rate, or undefined. */
async function moduleW(dev: OpticsDevice, technology: OpticsTechnology, rateGbps: number): Promise<{ port: OpticsPort; w: number } | undefined> {
  const port = dev.ports.find((p) => p.technology === technology && p.rateGbps === rateGbps);
  return port && { port, w: await advertisedW(dev, port.name) };
}

describe('optics: technologies', () => {
  test('power by technology: seed-fact figures and the OPT-8 ordering', req('OPT-1', 'OPT-3', 'OPT-4', 'OPT-6', 'OPT-8', 'CMIS-PowerClass'), async ({ lab }) => {
    const dev = await opticsSwitch(lab);
    const perGbps = new Map<OpticsTechnology, number[]>();
    for (const p of dev.ports) {
      const w = await advertisedW(dev, p.name);
      expect(p.powerDrawW, `${dev.id}:${p.name} (${p.profile}) draw vs advertised ${w} W`).toBeLessThanOrEqual(w);
      perGbps.set(p.technology, [...(perGbps.get(p.technology) ?? []), w / p.rateGbps]);
    }
    const fr4 = dev.ports.find((p) => p.technology === 'conventional' && p.rateGbps === 400);
    if (fr4) expect(await advertisedW(dev, fr4.name), `${fr4.name} 400G conventional module, W (OPT-1: about 10 W)`).toBeGreaterThanOrEqual(9);
    if (fr4) expect(await advertisedW(dev, fr4.name), `${fr4.name} 400G conventional module, W`).toBeLessThanOrEqual(11);
    const lpo = await moduleW(dev, 'lpo', 400);
    if (lpo) expect(lpo.w, `${lpo.port.name} 400G LPO module, W (OPT-3: about 5 W)`).toBeGreaterThanOrEqual(4);
    if (lpo) expect(lpo.w, `${lpo.port.name} 400G LPO module, W`).toBeLessThanOrEqual(6);
    const cpo = dev.ports.find((p) => p.technology === 'cpo');
    if (cpo) {
      const engineW = ((await advertisedW(dev, cpo.name)) * CPO_ENGINE_GBPS) / cpo.rateGbps;
      expect(engineW, `3.2T CPO engine from ${cpo.name}, W (OPT-6: about 18 W)`).toBeGreaterThanOrEqual(16);
      expect(engineW, '3.2T CPO engine, W').toBeLessThanOrEqual(20);
    }
    const order: OpticsTechnology[] = ['conventional', 'lro', 'lpo', 'npo', 'cpo'];
    const present = order.filter((t) => perGbps.has(t));
    if (present.length < 2) return lab.block(`${dev.id} carries ${present.length} optics technology; the ordering needs two`);
    for (let i = 1; i < present.length; i++) {
      const hi = Math.min(...perGbps.get(present[i - 1]!)!);
      const lo = Math.max(...perGbps.get(present[i]!)!);
      expect(lo * 1000, `W per Tb/s: ${present[i]} (max) below ${present[i - 1]} (min)`).toBeLessThan(hi * 1000);
    }
    lab.metric({
      name: 'advertised power per Tb/s by technology',
      unit: 'W/Tb/s',
      table: { columns: ['technology', 'W per Tb/s (min)', 'W per Tb/s (max)'], rows: present.map((t) => [t, +(Math.min(...perGbps.get(t)!) * 1000).toFixed(2), +(Math.max(...perGbps.get(t)!) * 1000).toFixed(2)]) },
    });
  });

  test('links within reach carry traffic without loss; beyond reach they fail', req('OPT-3', 'OPT-4', 'OPT-5', 'OPT-8', 'RFC2863-ifInErrors'), async ({ lab }) => {
    const dev = await opticsSwitch(lab);
    const limited = dev.ports.filter((p) => REACH_LIMIT_M[p.technology] !== undefined && p.peer !== null && p.lengthM !== null);
    const beyond = limited.filter((p) => p.lengthM! > REACH_LIMIT_M[p.technology]!);
    if (beyond.length === 0) return lab.block(`${dev.id} has no LPO, LRO, NPO or CPO link longer than its reach`);
    // The burst goes from each link's far end to the far end of a short conventional link, through the switch.
    const sink = portsOf(lab, dev, 'conventional', 1, 100).find((p) => p.peer !== null)!;
    const { far: sinkDev, farPort: sinkPort } = await farEnd(lab, dev, sink.name);
    const rows: Array<Array<string | number>> = [];
    const cases: Array<{ p: OpticsPort; farPort: string; farId: string; up: boolean }> = [];
    for (const p of limited) {
      const { far, farPort } = await farEnd(lab, dev, p.name);
      if (far.id !== sinkDev.id) return lab.block(`the far ends of ${dev.id}'s links are on different devices (${far.id}, ${sinkDev.id})`);
      cases.push({ p, farPort, farId: far.id, up: (await dev.operStatus(p.name)) === 'up' });
    }
    const gen = lab.requireDevice(sinkDev.id, ['traffic', 'counters']);
    const before = await dev.device.counters.all();
    const flows = cases.filter((c) => c.up).map((c) => ({
      name: `burst-${c.p.name}`,
      txPort: c.farPort,
      rxPort: `${sinkDev.id}:${sinkPort}`,
      bytes: BURST_FRAMES * FRAME_BYTES,
      frameBytes: FRAME_BYTES,
      rateBps: BURST_RATE_BPS,
    }));
    await gen.traffic.setFlows(flows);
    await gen.traffic.start();
    await lab.until(async () => (await gen.traffic.metrics()).every((m) => m.txFrames >= BURST_FRAMES), { timeoutMs: 10, pollMs: 0.1, what: 'every burst sent' });
    await lab.advance(1); // frames in flight (up to 3 km of fibre)
    const metrics = new Map((await gen.traffic.metrics()).map((m) => [m.name, m]));
    const after = await dev.device.counters.all();

    for (const c of cases) {
      const limit = REACH_LIMIT_M[c.p.technology]!;
      const within = c.p.lengthM! <= limit;
      const at = `${dev.id}:${c.p.name} ${c.p.technology} over ${c.p.lengthM} m (reach < ${limit} m)`;
      let lost = NaN;
      let errors = NaN;
      if (c.up) {
        const m = metrics.get(`burst-${c.p.name}`)!;
        lost = m.txFrames - Number(after[c.p.name]!.inPkts - before[c.p.name]!.inPkts);
        errors = Number(after[c.p.name]!.inErrors - before[c.p.name]!.inErrors);
      }
      rows.push([c.p.name, c.p.technology, c.p.lengthM!, limit, c.up ? 'up' : 'down', c.up ? lost : '-', c.up ? errors : '-']);
      if (within) {
        expect(c.up, `${at}: link up`).toBe(true);
        expect(lost, `${at}: frames lost of ${BURST_FRAMES}`).toBe(0);
        expect(errors, `${at}: input errors`).toBe(0);
      } else if (c.up) {
        expect(lost / BURST_FRAMES, `${at}: share of the burst lost (the link must fail)`).toBeGreaterThanOrEqual(0.01);
        expect(errors, `${at}: lost frames counted in ifInErrors`).toBe(lost);
      }
    }
    lab.metric({ name: 'links within and beyond reach', unit: '', table: { columns: ['port', 'technology', 'fibre m', 'reach m', 'link', 'frames lost', 'in errors'], rows } });
  });

  test('a CPO laser failure takes down exactly the ports its ELS lane feeds', req('OPT-7'), async ({ lab }) => {
    const dev = await opticsSwitch(lab);
    const els = (await dev.device.state.get('/optics/els')) as OpticsEls[] | undefined;
    if (!Array.isArray(els) || els.length === 0) return lab.block(`${dev.id} reports no external laser source (/optics/els)`);
    const status = async () => new Map(await Promise.all(dev.ports.map(async (p) => [p.name, await dev.operStatus(p.name)] as const)));
    const before = await status();
    const lanes = els.flatMap((e) => e.lanes.map((l) => ({ id: e.id, ...l })));
    const lane = lanes.find((l) => l.ports.length >= 2 && l.ports.every((p) => before.get(p) === 'up'));
    if (!lane) return lab.block(`no ELS lane of ${dev.id} feeds two or more ports that are up`);
    const fed = lane.ports;
    const fars = await Promise.all(fed.map((p) => farEnd(lab, dev, p)));
    for (const { far, farPort } of fars) await far.page11(farPort);

    const fault = await dev.device.faults.inject({ kind: 'laser-off', port: fed[0]! });
    await lab.until(async () => {
      const s = await status();
      return fed.every((p) => s.get(p) === 'down');
    }, { timeoutMs: 10, pollMs: 0.1, what: `every port of ${lane.id} lane ${lane.lane} (${fed.join(', ')}) down` });
    await lab.advance(10);
    const during = await status();
    const changed = dev.ports.map((p) => p.name).filter((p) => during.get(p) !== before.get(p));
    expect(changed, `ports whose oper-status changed when ${lane.id} lane ${lane.lane} failed`).toEqual(fed);
    for (const { far, farPort } of fars) {
      const mask = (1 << (await far.lower(farPort)).applications[0]!.mediaLaneCount) - 1;
      expect((await far.page11(farPort)).flags(CMIS_PAGE11.RX_LOS) & mask, `${far.id}:${farPort} Rx LOS`).toBe(mask);
    }

    await dev.device.faults.clear(fault);
    await lab.until(async () => {
      const s = await status();
      return dev.ports.every((p) => s.get(p.name) === before.get(p.name));
    }, { timeoutMs: 1000, pollMs: 1, what: 'every port back to its state before the failure' });
    lab.metric({ name: `ports down on one ELS lane failure (${lane.id} lane ${lane.lane})`, unit: 'ports', value: changed.length });
  });

  test('51.2T switch optics power: 128 x 400G FR4, 128 x 400G LPO, 16 x 3.2T CPO', req('OPT-1', 'OPT-3', 'OPT-6'), async ({ lab }) => {
    const dev = await opticsSwitch(lab);
    const fr4 = await moduleW(dev, 'conventional', 400);
    const lpo = await moduleW(dev, 'lpo', 400);
    const cpoPort = dev.ports.find((p) => p.technology === 'cpo');
    if (!fr4 || !lpo || !cpoPort) return lab.block(`${dev.id} needs a 400G conventional, a 400G LPO and a CPO module for the budget`);
    const cpoEngineW = ((await advertisedW(dev, cpoPort.name)) * CPO_ENGINE_GBPS) / cpoPort.rateGbps;
    const configs = [
      { name: '128 x 400G FR4', count: SWITCH_51T2_GBPS / 400, unit: '400G FR4 module', unitW: fr4.w, from: fr4.port.name, fact: 'OPT-1' },
      { name: '128 x 400G LPO', count: SWITCH_51T2_GBPS / 400, unit: '400G LPO module', unitW: lpo.w, from: lpo.port.name, fact: 'OPT-3' },
      { name: '16 x 3.2T CPO', count: SWITCH_51T2_GBPS / CPO_ENGINE_GBPS, unit: '3.2T CPO engine (ELS not included)', unitW: cpoEngineW, from: cpoPort.name, fact: 'OPT-6' },
    ].map((c) => ({ ...c, totalW: c.count * c.unitW }));
    const [f, l, c] = configs as [(typeof configs)[0], (typeof configs)[0], (typeof configs)[0]];
    const rest = SWITCH_51T2_W - f.totalW; // the switch without optics, from OPT-1's full-load figure

    lab.metric({
      name: '51.2T switch power',
      unit: 'W',
      chart: 'bar',
      x: { name: '1 = 128 x 400G FR4, 2 = 128 x 400G LPO, 3 = 16 x 3.2T CPO', unit: 'configuration' },
      series: [
        { label: 'optics', points: configs.map((cfg, i) => [i + 1, cfg.totalW]) },
        { label: 'whole switch (OPT-1: 3000 W with FR4)', points: configs.map((cfg, i) => [i + 1, rest + cfg.totalW]) },
      ],
    });
    lab.metric({
      name: '51.2T switch optics power budget',
      unit: 'W',
      table: {
        columns: ['configuration', 'units', 'unit', 'W per unit (advertised, from port)', 'optics W', 'switch W', 'optics share', 'saving vs FR4', 'seed fact'],
        rows: configs.map((cfg) => [
          cfg.name,
          cfg.count,
          cfg.unit,
          `${cfg.unitW} (${cfg.from})`,
          cfg.totalW,
          rest + cfg.totalW,
          `${((100 * cfg.totalW) / (rest + cfg.totalW)).toFixed(1)} %`,
          `${(100 * (1 - cfg.totalW / f.totalW)).toFixed(1)} %`,
          cfg.fact,
        ]),
      },
    });
    expect(f.totalW / SWITCH_51T2_W, 'FR4 optics share of a 3000 W 51.2T switch (OPT-1: > 40%)').toBeGreaterThan(0.4);
    expect(1 - l.totalW / f.totalW, 'LPO saving vs FR4 (OPT-3: about 50%)').toBeGreaterThanOrEqual(0.4);
    expect(1 - l.totalW / f.totalW, 'LPO saving vs FR4').toBeLessThanOrEqual(0.6);
    expect(1 - c.totalW / f.totalW, 'CPO saving vs pluggable FR4 (OPT-6: > 77%)').toBeGreaterThan(0.77);
  });
});
