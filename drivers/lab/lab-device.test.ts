// Composition of a device reached by several drivers: preference per capability, missing stays missing.
import { describe, expect, it } from 'vitest';
import { composeDevice } from './lab-device.ts';
import type { Device } from '../device.ts';

function part(driver: string, caps: Partial<Device>): Device {
  return { id: 'r1', kind: 'router', driver, ports: ['e1'], close: async () => void closed.push(driver), ...caps } as Device;
}
const closed: string[] = [];

describe('composeDevice', () => {
  it('takes state and faults from NETCONF, counters from SNMP, cmis from serial', async () => {
    const nc = part('netconf', { state: { get: async () => 'nc' }, counters: { port: async () => ({}) as never, all: async () => ({}) }, faults: { inject: async () => 'h', clear: async () => {}, clearAll: async () => {} } });
    const snmp = part('snmp', { state: { get: async () => 'snmp' }, counters: { port: async () => ({ inOctets: 7n }) as never, all: async () => ({}) } });
    const serial = part('serial', { cmis: { read: async () => new Uint8Array([1]), write: async () => {} } });
    const d = composeDevice({ id: 'r1', kind: 'router', ports: ['e1'] }, new Map([['netconf', nc], ['snmp', snmp], ['serial', serial]] as const));
    expect(d.driver).toBe('netconf+snmp+serial');
    expect(await d.state!.get('/x')).toBe('nc');
    expect((await d.counters!.port('e1')).inOctets).toBe(7n);
    expect(await d.cmis!.read('e1', 0, 0, 0, 1)).toEqual(new Uint8Array([1]));
    expect(d.faults).toBe(nc.faults);
    expect(d.traffic).toBeUndefined();
    expect(d.config).toBeUndefined();
    await d.close();
    expect(closed.sort()).toEqual(['netconf', 'serial', 'snmp']);
  });

  it('takes traffic and capture from OTG and the clock from NETCONF', async () => {
    const clock = { kind: 'virtual' as const, nowPs: async () => 5, advance: async () => {} };
    const nc = part('netconf', { clock });
    const otg = part('otg', { traffic: { setFlows: async () => {}, start: async () => {}, stop: async () => {}, metrics: async () => [] }, capture: { start: async () => {}, stop: async () => [] } });
    const d = composeDevice({ id: 'r1', kind: 'router', ports: ['e1'] }, new Map([['netconf', nc], ['otg', otg]] as const));
    expect(d.driver).toBe('netconf+otg');
    expect(d.traffic).toBe(otg.traffic);
    expect(d.capture).toBe(otg.capture);
    expect(d.clock).toBe(clock);
  });

  it('takes the lifecycle reset of the part that offers one, and runs every part’s when several do', async () => {
    const resets: string[] = [];
    const life = (scope: string) => ({ scope, reset: async () => void resets.push(scope) });
    const one = composeDevice({ id: 'r1', kind: 'router', ports: ['e1'] }, new Map([['netconf', part('netconf', { lifecycle: life('twin-a') })], ['snmp', part('snmp', {})]] as const));
    expect(one.lifecycle?.scope).toBe('twin-a');
    const none = composeDevice({ id: 'r1', kind: 'router', ports: ['e1'] }, new Map([['snmp', part('snmp', {})]] as const));
    expect(none.lifecycle).toBeUndefined();
    const two = composeDevice({ id: 'r1', kind: 'router', ports: ['e1'] }, new Map([['netconf', part('netconf', { lifecycle: life('a') })], ['otg', part('otg', { lifecycle: life('b') })]] as const));
    expect(two.lifecycle?.scope).toBe('a + b');
    await two.lifecycle!.reset();
    expect(resets).toEqual(['a', 'b']);
  });

  it('falls back to the next driver that has a capability', async () => {
    const snmp = part('snmp', { state: { get: async () => 'snmp' } });
    const d = composeDevice({ id: 'r1', kind: 'router', ports: ['e1'] }, new Map([['snmp', snmp]] as const));
    expect(await d.state!.get('/x')).toBe('snmp');
  });
});
