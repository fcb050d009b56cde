// Optics suite, the signal: monitors and their scaling, latched flags, and Tx disable seen as loss of signal at the far end.
//
// Test plan (requirement IDs):
// - CMIS-TempMonitor, CMIS-LaneMonitors: on a cabled module at work, the case temperature
//   (1/256 degC) lies in the commercial range 0-70 degC and above 15 degC (a module drawing
//   watts is warmer than the air of a data hall), Vcc is 3.3 V +- 5%, every lane's Tx power and
//   bias lie within the module's own warning thresholds (page 02h), and the Rx power of each lane
//   is the far end's Tx power of that lane less a fibre and connector loss of 0-10 dB;
// - CMIS-LatchedFlags, CMIS-LaneMonitors: when the far end disables its Tx, the near Rx power
//   monitors fall below the LOS level; after the far Tx is back and the Rx power has recovered,
//   Rx LOS and the Rx power low alarm of exactly those lanes are still set (latched) and no high
//   alarm is; a second read finds them clear;
// - CMIS-TxDisable: Tx disable on every lane of the near module darkens its outputs (Tx output
//   status 0), the far module latches Rx LOS on every lane it receives, and both ports go
//   oper-down; re-enabling brings the link back up.
// Devices: the `switch` reporting the most modules in its ports (/optics/ports), with `cmis`, and the
// device at the far end of one of its conventional links (cmis, state).
import { test, expect, req, describe } from '../../harness/suite.ts';
import { CMIS_PAGE11, dbmToMw, mwToDbm } from '../../protocols/cmis/index.ts';
import { farEnd, lanesOfMask, opticsSwitch, portsOf, range } from './optics-lab.ts';

/** CMIS lane flags that Rx loss of light raises. */
const RX_FLAGS = { los: CMIS_PAGE11.RX_LOS, lowAlarm: CMIS_PAGE11.RX_POWER_LOW_ALARM, highAlarm: CMIS_PAGE11.RX_POWER_HIGH_ALARM } as const;
/** Light below this is no signal (typical receivers assert LOS near -12 dBm; -20 dBm is well under any). */
const DARK_DBM = -20;

async function conventionalLink(lab: Parameters<typeof opticsSwitch>[0]) {
  const near = await opticsSwitch(lab);
  const port = portsOf(lab, near, 'conventional')[0]!.name;
  const { far, farPort } = await farEnd(lab, near, port);
  const mediaLanes = (await near.lower(port)).applications[0]!.mediaLaneCount;
  return { near, port, far, farPort, lanes: range(mediaLanes) };
}

describe('optics: signal', () => {
  test('monitors are scaled as CMIS specifies and agree across the link', req('CMIS-TempMonitor', 'CMIS-LaneMonitors'), async ({ lab }) => {
    const { near, port, far, farPort, lanes } = await conventionalLink(lab);
    const lower = await near.lower(port);
    const th = await near.thresholds(port);
    const bias = (await near.page01(port)).biasMultiplier;
    const p11 = await near.page11NoFlags(port);
    const farP11 = await far.page11NoFlags(farPort);
    const at = `${near.id}:${port}`;

    expect(lower.temperatureC, `${at} case temperature, degC`).toBeGreaterThanOrEqual(15);
    expect(lower.temperatureC, `${at} case temperature, degC`).toBeLessThanOrEqual(70);
    expect(lower.vccV, `${at} Vcc, V`).toBeGreaterThanOrEqual(3.3 * 0.95);
    expect(lower.vccV, `${at} Vcc, V`).toBeLessThanOrEqual(3.3 * 1.05);
    const rows: Array<Array<string | number>> = [];
    for (const l of lanes) {
      const txMw = p11.txPowerMw(l);
      expect(txMw, `${at} lane ${l} Tx power, mW`).toBeGreaterThanOrEqual(th.txPower.lowWarn);
      expect(txMw, `${at} lane ${l} Tx power, mW`).toBeLessThanOrEqual(th.txPower.highWarn);
      const biasMa = p11.txBiasMa(l, bias);
      if (th.txBias.highWarn > 0) {
        expect(biasMa, `${at} lane ${l} Tx bias, mA`).toBeGreaterThanOrEqual(th.txBias.lowWarn);
        expect(biasMa, `${at} lane ${l} Tx bias, mA`).toBeLessThanOrEqual(th.txBias.highWarn);
      }
      const lossDb = mwToDbm(farP11.txPowerMw(l)) - mwToDbm(p11.rxPowerMw(l));
      expect(lossDb, `${at} lane ${l}: far Tx ${mwToDbm(farP11.txPowerMw(l)).toFixed(2)} dBm - near Rx ${mwToDbm(p11.rxPowerMw(l)).toFixed(2)} dBm`).toBeGreaterThanOrEqual(0);
      expect(lossDb, `${at} lane ${l} link loss, dB`).toBeLessThanOrEqual(10);
      rows.push([l, +mwToDbm(txMw).toFixed(2), +biasMa.toFixed(2), +mwToDbm(p11.rxPowerMw(l)).toFixed(2), +lossDb.toFixed(2)]);
    }
    lab.metric({ name: `${at} module temperature`, unit: 'degC', value: +lower.temperatureC.toFixed(2) });
    lab.metric({ name: `${at} lane monitors`, unit: '', table: { columns: ['lane', 'Tx dBm', 'bias mA', 'Rx dBm', 'link loss dB'], rows } });
  });

  test('loss of light latches Rx LOS and the low Rx power alarm until read', req('CMIS-LatchedFlags', 'CMIS-LaneMonitors'), async ({ lab }) => {
    const { near, port, far, farPort, lanes } = await conventionalLink(lab);
    const mask = lanes.reduce((m, l) => m | (1 << (l - 1)), 0);
    const rxDbm = async () => {
      const v = await near.page11NoFlags(port);
      return lanes.map((l) => mwToDbm(v.rxPowerMw(l)));
    };
    const flags = async () => {
      const v = await near.page11(port);
      return { los: v.flags(RX_FLAGS.los), lowAlarm: v.flags(RX_FLAGS.lowAlarm), highAlarm: v.flags(RX_FLAGS.highAlarm) };
    };
    await flags(); // clear what earlier events latched
    expect(await flags(), `${near.id}:${port} Rx flags on a working link`).toEqual({ los: 0, lowAlarm: 0, highAlarm: 0 });
    const litDbm = await rxDbm();

    await far.write(farPort, 0x10, 130, mask); // the far end turns its lasers off
    await lab.until(async () => (await rxDbm()).every((dbm) => dbm < DARK_DBM), { timeoutMs: 1000, pollMs: 1, what: `${near.id}:${port} Rx power below ${DARK_DBM} dBm on every lane` });
    await far.write(farPort, 0x10, 130, 0);
    await lab.until(async () => (await rxDbm()).every((dbm, i) => dbm > litDbm[i]! - 1), { timeoutMs: 2000, pollMs: 1, what: `${near.id}:${port} Rx power back` });

    const latched = await flags();
    expect(lanesOfMask(latched.los), 'Rx LOS lanes, latched after the light came back').toEqual(lanes);
    expect(lanesOfMask(latched.lowAlarm), 'Rx power low alarm lanes, latched').toEqual(lanes);
    expect(latched.highAlarm, 'Rx power high alarm').toBe(0);
    expect(await flags(), 'flags after they were read').toEqual({ los: 0, lowAlarm: 0, highAlarm: 0 });
    lab.metric({ name: `${near.id}:${port} weakest Rx power before the far end went dark`, unit: 'dBm', value: +Math.min(...litDbm).toFixed(2) });
  });

  test('Tx disable darkens the lanes and the far end sees loss of signal', req('CMIS-TxDisable'), async ({ lab }) => {
    const { near, port, far, farPort, lanes } = await conventionalLink(lab);
    const mask = lanes.reduce((m, l) => m | (1 << (l - 1)), 0);
    const d = (await near.page01(port)).durations;
    await far.page11(farPort); // clear the far end's latched flags
    expect(await near.operStatus(port), `${near.id}:${port} oper-status before`).toBe('up');

    await near.write(port, 0x10, 130, mask);
    const los = await lab.until(
      async () => {
        const v = await far.page11(farPort);
        return (v.flags(CMIS_PAGE11.RX_LOS) & mask) === mask ? v : undefined;
      },
      { timeoutMs: 2 * d.txTurnOffMs + 10, pollMs: 1, what: `${far.id}:${farPort} Rx LOS on lanes ${lanes.join(',')}` },
    );
    expect(lanes.map((l) => mwToDbm(los.rxPowerMw(l)) < DARK_DBM), `${far.id}:${farPort} Rx power dark`).toEqual(lanes.map(() => true));
    const nearP11 = await near.page11NoFlags(port);
    expect(nearP11.getMask(CMIS_PAGE11.TX_OUTPUT_STATUS) & mask, `${near.id}:${port} Tx output status`).toBe(0);
    expect(lanes.map((l) => nearP11.txPowerMw(l) < dbmToMw(DARK_DBM)), `${near.id}:${port} Tx power monitors dark`).toEqual(lanes.map(() => true));
    await lab.until(async () => (await near.operStatus(port)) === 'down' && (await far.operStatus(farPort)) === 'down', {
      timeoutMs: 10,
      what: `${near.id}:${port} and ${far.id}:${farPort} oper-status down`,
    });

    await near.write(port, 0x10, 130, 0);
    await lab.until(async () => (await near.operStatus(port)) === 'up' && (await far.operStatus(farPort)) === 'up', {
      timeoutMs: 2 * (d.dpInitMs + d.txTurnOnMs),
      pollMs: 1,
      what: `${near.id}:${port} link up again after Tx enable`,
    });
  });
});
