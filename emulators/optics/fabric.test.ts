// Optics on the fabric's links: params, cabling checks, links driven by the optics (reach, Tx disable, LowPwr, lasers, ELS lanes), cmis through the console, state paths.
import { describe, expect, test } from 'vitest';
import {
  CMIS_DP_STATE as DP,
  CMIS_MODULE_STATE as MS,
  CMIS_PAGE11,
  CmisLowerView,
  CmisPage11View,
  ELS_LANE_STATE,
  ElsPage1AView,
} from '../../protocols/cmis/index.ts';
import '../registry.ts';
import { buildTwin } from '../build.ts';
import { timeFromMs } from '../sim/eventlist.ts';
import { TwinBuildError, type TwinTopology } from '../twin.ts';
import { CONSOLE_ERR } from '../../protocols/console/console.ts';
import { CmisConsoleError } from './console.ts';
import type { OpticsElsState, OpticsPortState } from './fabric.ts';
import { opticsTwin } from './testing.ts';

function expectConsoleError(call: () => unknown, code: number, message: RegExp): void {
  try {
    call();
  } catch (err) {
    expect(err).toBeInstanceOf(CmisConsoleError);
    expect((err as CmisConsoleError).code).toBe(code);
    expect((err as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected a console error');
}

const FR4 = { profile: 'conventional-400g-fr4', lengthM: 2 };

describe('optics params and cabling', () => {
  /** `hOptics` null: the host has no optics. */
  const topo = (swOptics: unknown, hOptics: unknown = swOptics, rateBps = 400e9): TwinTopology => ({
    devices: [
      { id: 'sw', kind: 'switch', ports: ['port1', 'port2'], params: { optics: swOptics } },
      { id: 'h', kind: 'host', ports: ['p1', 'p2'], ...(hOptics === null ? {} : { params: { optics: hOptics } }) },
    ],
    links: [{ a: { device: 'sw', port: 'port1' }, b: { device: 'h', port: 'p1' }, rateBps }],
  });
  test.each([
    [{ default: 'fr4' }, /device 'sw': param 'optics.default' must be an optics profile .*got "fr4"/],
    [{ colour: 'blue' }, /param 'optics.colour' must be one of default, ports, els, ambientC/],
    [{ ports: { port9: 'conventional-400g-fr4' } }, /param 'optics.ports.port9' must be a port of the device \(port1, port2\)/],
    [{ default: 'conventional-400g-fr4', els: { lanes: 9 } }, /param 'optics.els.lanes' must be an integer 1..8/],
    ['fr4', /param 'optics' must be a mapping/],
  ])('%j is refused', (optics, message) => {
    expect(() => buildTwin(topo(optics), { seed: 1 })).toThrow(message);
  });

  test('a module facing a bare port, and a link rate that is not the module rate, are refused', () => {
    expect(() => buildTwin(topo({ default: 'conventional-400g-fr4' }, null), { seed: 1 })).toThrow(
      /link 0 \(sw:port1 - h:p1\): sw:port1 carries a conventional-400g-fr4 module but h:p1 has none/,
    );
    expect(() => buildTwin(topo({ default: 'conventional-400g-fr4' }, { default: 'conventional-400g-fr4' }, 100e9), { seed: 1 })).toThrow(TwinBuildError);
    expect(() => buildTwin(topo({ default: 'conventional-400g-fr4' }, { default: 'conventional-400g-fr4' }, 100e9), { seed: 1 })).toThrow(
      /runs at 400 Gb\/s but the link's rateBps is 100000000000; set rateBps: 400000000000/,
    );
    // An uncabled port may go without a module (null) or keep one.
    expect(() => buildTwin(topo({ default: 'conventional-400g-fr4', ports: { port2: null } }, { default: 'conventional-400g-fr4' }), { seed: 1 })).not.toThrow();
  });
});

describe('links driven by their optics', () => {
  test('a healthy optical fabric behaves exactly as the same fabric without optics', () => {
    const withOptics = opticsTwin([FR4, FR4]);
    const m1 = withOptics.burst('port1', 'port2');
    const plain = buildTwin(
      {
        devices: [
          { id: 'sw', kind: 'switch', ports: ['port1', 'port2'] },
          { id: 'h', kind: 'host', ports: ['port1', 'port2'] },
        ],
        links: ['port1', 'port2'].map((p) => ({ a: { device: 'sw', port: p }, b: { device: 'h', port: p }, rateBps: 400e9, lengthKm: 0.002 })),
      },
      { seed: 1 },
    );
    const h = plain.node('h')!;
    h.traffic!.setFlows([{ name: 'burst', txPort: 'port1', rxPort: 'h:port2', bytes: 1000 * 1500, frameBytes: 1500, rateBps: 25e9 }]);
    h.traffic!.start();
    plain.runFor(timeFromMs(2));
    expect(m1).toEqual(h.traffic!.metrics()[0]);
    expect(m1.rxFrames).toBe(1000);
    expect(withOptics.sw.counters!.port('port1')).toEqual(plain.node('sw')!.counters!.port('port1'));
  });

  test('modules are warm at time zero: Ready, data paths activated, flags read, nothing scheduled', () => {
    const t = opticsTwin([FR4]);
    const lower = CmisLowerView.checked(t.sw.cmis!.read('port1', 0, 0, 0, 128));
    const p11 = CmisPage11View.checked(t.sw.cmis!.read('port1', 0, 0x11, 128, 128));
    expect(lower.moduleState).toBe(MS.READY);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((l) => p11.dpState(l))).toEqual(Array(8).fill(DP.ACTIVATED));
    expect([p11.flags(CMIS_PAGE11.RX_LOS), p11.flags(CMIS_PAGE11.RX_POWER_LOW_ALARM), lower.get({ at: 9, type: 'u8' })]).toEqual([0, 0, 0]);
    expect(lower.temperatureC).toBeCloseTo(65, 0);
    t.twin.runFor(timeFromMs(10_000));
    expect(t.twin.eventsProcessed()).toBe(0);
  });

  test('reach: LPO at 400 m clean, at 520 m up with counted errors; LRO at 800 m and NPO at 3 km down; CPO at 3 km errors', () => {
    const t = opticsTwin(
      [FR4, { profile: 'lpo-400g-dr4', lengthM: 400 }, { profile: 'lpo-400g-dr4', lengthM: 520 }, { profile: 'lro-800g-dr8', lengthM: 800 }, { profile: 'npo-800g-dr4', lengthM: 3000 }, { profile: 'cpo-800g-dr4', lengthM: 3000 }],
      { els: { portsPerLane: 1 } },
    );
    expect(t.names.map((p) => t.oper(t.sw, p))).toEqual(['up', 'up', 'up', 'down', 'down', 'up']);
    const clean = t.burst('port2', 'port1');
    expect([clean.rxFrames, t.sw.counters!.port('port2').inErrors]).toEqual([1000, 0]);
    const lossy = t.burst('port3', 'port1');
    const errors = t.sw.counters!.port('port3').inErrors;
    expect(lossy.rxFrames).toBeLessThan(900);
    expect(errors).toBe(1000 - lossy.rxFrames);
    const cpo = t.burst('port6', 'port1');
    expect(cpo.rxFrames).toBeLessThan(900);
  });

  test('Tx disable through cmis takes the link down and the far end latches LOS; enabling brings it back', () => {
    const t = opticsTwin([FR4]);
    t.sw.cmis!.write('port1', 0, 0x10, 130, Uint8Array.of(0x0f));
    t.twin.runFor(timeFromMs(100));
    expect([t.oper(t.sw, 'port1'), t.oper(t.h, 'port1')]).toEqual(['down', 'down']);
    expect(CmisPage11View.checked(t.h.cmis!.read('port1', 0, 0x11, 128, 128)).flags(CMIS_PAGE11.RX_LOS)).toBe(0x0f);
    t.sw.cmis!.write('port1', 0, 0x10, 130, Uint8Array.of(0));
    t.twin.runFor(timeFromMs(100));
    expect([t.oper(t.sw, 'port1'), t.oper(t.h, 'port1')]).toEqual(['up', 'up']);
  });

  test('LowPwr takes the link down until the module is back in Ready with its data path activated', () => {
    const t = opticsTwin([FR4]);
    t.sw.cmis!.write('port1', 0, 0, 26, Uint8Array.of(0x50));
    t.twin.runFor(timeFromMs(1000));
    expect(t.oper(t.sw, 'port1')).toBe('down');
    t.sw.cmis!.write('port1', 0, 0, 26, Uint8Array.of(0x40));
    t.twin.runFor(timeFromMs(2000));
    expect(t.oper(t.sw, 'port1')).toBe('down'); // Ready after 2 s, then DPInit and TxTurnOn
    t.twin.runFor(timeFromMs(400));
    expect(t.oper(t.sw, 'port1')).toBe('up');
  });

  test('laser-off on a pluggable fails its laser: Tx fault near, LOS far, link down; clearing repairs it', () => {
    const t = opticsTwin([FR4]);
    const h = t.sw.faults!.inject({ kind: 'laser-off', port: 'port1' });
    expect(CmisPage11View.checked(t.sw.cmis!.read('port1', 0, 0x11, 128, 128)).flags(CMIS_PAGE11.TX_FAULT)).toBe(0x0f);
    expect(CmisPage11View.checked(t.h.cmis!.read('port1', 0, 0x11, 128, 128)).flags(CMIS_PAGE11.RX_LOS)).toBe(0x0f);
    t.sw.faults!.clear(h);
    expect([t.oper(t.sw, 'port1'), t.oper(t.h, 'port1')]).toEqual(['up', 'up']);
  });
});

describe('CPO ports and their external laser sources', () => {
  const cpo = { profile: 'cpo-800g-dr4', lengthM: 100 };

  test('ports are fed in order, portsPerLane per lane; /optics/els and /optics/port[...] say so', () => {
    const t = opticsTwin([FR4, cpo, cpo, cpo, cpo, cpo], { els: { lanes: 2, portsPerLane: 2 } });
    expect(t.sw.state!.get('/optics/els') as OpticsElsState[]).toEqual([
      { id: 'els1', lanes: [{ lane: 1, ports: ['port2', 'port3'] }, { lane: 2, ports: ['port4', 'port5'] }] },
      { id: 'els2', lanes: [{ lane: 1, ports: ['port6'] }, { lane: 2, ports: [] }] },
    ]);
    expect(t.sw.state!.get('/optics/port[name=port4]') as OpticsPortState).toEqual({
      name: 'port4', profile: 'cpo-800g-dr4', technology: 'cpo', rateGbps: 800, peer: 'h:port4', lengthM: 100, powerDrawW: 4.5, els: { id: 'els1', lane: 2 },
    });
    expect((t.sw.state!.get('/optics/ports') as OpticsPortState[]).map((p) => p.name)).toEqual(t.names);
    expect(t.sw.state!.get('/optics/port[name=nope]')).toBeUndefined();
    expect(t.sw.state!.get('/interfaces/interface[name=port1]/oper-status')).toBe('up');
  });

  test('laser-off on a CPO port fails its ELS lane: exactly the ports of that lane go down', () => {
    const t = opticsTwin([FR4, cpo, cpo, cpo, cpo], { els: { portsPerLane: 2 } });
    const h = t.sw.faults!.inject({ kind: 'laser-off', port: 'port4' });
    expect(t.names.map((p) => t.oper(t.sw, p))).toEqual(['up', 'up', 'up', 'down', 'down']);
    t.sw.faults!.clear(h);
    expect(t.names.map((p) => t.oper(t.sw, p))).toEqual(['up', 'up', 'up', 'up', 'up']);
  });

  test('with els-failure-wrong-ports the next lane goes dark instead', () => {
    const t = opticsTwin([FR4, cpo, cpo, cpo, cpo], { els: { portsPerLane: 2 }, swDefects: ['els-failure-wrong-ports'] });
    t.sw.faults!.inject({ kind: 'laser-off', port: 'port2' });
    expect(t.names.map((p) => t.oper(t.sw, p))).toEqual(['up', 'down', 'up', 'down', 'down']);
  });

  test('an ELS cage port: cmis reaches the ELS memory, laser-off on it fails every lane', () => {
    const topology: TwinTopology = {
      devices: [
        { id: 'sw', kind: 'switch', ports: ['port1', 'port2', 'els1'], params: { optics: { ports: { port1: 'cpo-800g-dr4', port2: 'cpo-800g-dr4' }, els: { lanes: 2 } } } },
        { id: 'h', kind: 'host', ports: ['port1', 'port2'], params: { optics: { default: 'cpo-800g-dr4' } } },
      ],
      links: ['port1', 'port2'].map((p) => ({ a: { device: 'sw', port: p }, b: { device: 'h', port: p }, rateBps: 800e9, lengthKm: 0.1 })),
    };
    const twin = buildTwin(topology, { seed: 2 });
    const sw = twin.node('sw')!;
    const laneStates = () => {
      const v = ElsPage1AView.checked(sw.cmis!.read('els1', 0, 0x1a, 128, 128));
      return [v.laneState(1), v.laneState(2)];
    };
    expect(laneStates()).toEqual([ELS_LANE_STATE.ON, ELS_LANE_STATE.ON]);
    const f = sw.faults!.inject({ kind: 'laser-off', port: 'els1' });
    expect(laneStates()).toEqual([ELS_LANE_STATE.OFF, ELS_LANE_STATE.OFF]);
    expect(['port1', 'port2'].map((p) => sw.state!.get(`/interfaces/interface[name=${p}]/oper-status`))).toEqual(['down', 'down']);
    sw.faults!.clear(f);
    expect(['port1', 'port2'].map((p) => sw.state!.get(`/interfaces/interface[name=${p}]/oper-status`))).toEqual(['up', 'up']);
  });
});

describe('cmis through the console protocol', () => {
  test('reads longer than one request are split; a port without a module answers err 5; an absent page err 2', () => {
    const t = opticsTwin([FR4]);
    const whole = t.sw.cmis!.read('port1', 0, 0, 0, 256);
    expect(whole.length).toBe(256);
    expect(whole[0]).toBe(0x18);
    expect(whole[128]).toBe(0x18);
    const other = buildTwin(
      {
        devices: [
          { id: 'sw', kind: 'switch', ports: ['port1', 'port2'], params: { optics: { ports: { port1: 'conventional-400g-fr4' } } } },
          { id: 'h', kind: 'host', ports: ['p1'], params: { optics: { default: 'conventional-400g-fr4' } } },
        ],
        links: [{ a: { device: 'sw', port: 'port1' }, b: { device: 'h', port: 'p1' }, rateBps: 400e9 }],
      },
      { seed: 1 },
    ).node('sw')!;
    expectConsoleError(() => other.cmis!.read('port2', 0, 0, 0, 1), CONSOLE_ERR.NO_MODULE, /rd 0 0 0 1.*no module in sw:port2/);
    expectConsoleError(() => other.cmis!.read('port1', 0, 0x33, 128, 4), CONSOLE_ERR.RANGE, /page 33h not present/);
  });
});
