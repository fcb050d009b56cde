// The NETCONF driver's clock and reset on a server with the fabric-hil-emulator module: what goes on the wire for each clock mode.
//
// Plan: a scripted provider serves the module's state container and records the module RPCs it
// gets, so each test sees exactly what the driver asked:
// - stepped (clock-mode stepped): `advance` is one advance-time RPC with the duration rounded to
//   a whole picosecond (as the in-process clock rounds), even for 0; device time moves by that;
// - paced (clock-mode paced, or a server from before clock modes that serves no clock-mode):
//   `advance` sends no RPC and polls device time until it has moved by the duration;
// - lifecycle: a server naming its twin (twin-id) gives the device a reset scoped to that twin,
//   which sends <reset>; a server without twin-id gives none, nor does a server without the module.
import { afterEach, describe, expect, it } from 'vitest';
import { xmlElement, type XmlElement } from '../../protocols/netconf/index.ts';
import { MemoryInterfacesProvider } from '../../emulators/mgmt/netconf/provider.ts';
import { NetconfServer } from '../../emulators/mgmt/netconf/server.ts';
import { EMULATOR_CAPABILITY, EMULATOR_NS } from '../../emulators/mgmt/lab/yang.ts';
import { createNetconfDevice, type NetconfDevice } from './device.ts';

const PASSWORD = 'clock-pw';

/** ietf-interfaces in memory plus the module's state container; time moves by advance-time (stepped) or on each read (paced). */
class ScriptedEmulator extends MemoryInterfacesProvider {
  nowPs = 0;
  readonly rpcs: string[] = [];
  constructor(private readonly serve: { mode?: 'stepped' | 'paced'; twinId?: string; pacedStepPs?: number }) {
    super([{ name: 'eth0' }]);
  }
  override getState(): XmlElement[] {
    if (this.serve.mode !== 'stepped') this.nowPs += this.serve.pacedStepPs ?? 0;
    const leaf = (n: string, v: string) => xmlElement(n, EMULATOR_NS, v);
    return [
      ...super.getState(),
      xmlElement('emulator', EMULATOR_NS, [
        leaf('device-id', 'dut'),
        leaf('device-time-ps', String(this.nowPs)),
        ...(this.serve.mode ? [leaf('clock-mode', this.serve.mode)] : []),
        ...(this.serve.mode !== 'stepped' ? [leaf('time-scale', '1')] : []),
        ...(this.serve.twinId ? [leaf('twin-id', this.serve.twinId)] : []),
      ]),
    ];
  }
  rpc(op: XmlElement): XmlElement[] | undefined {
    if (op.ns !== EMULATOR_NS) return undefined;
    const arg = op.children.find((c) => c.name === 'duration-ps')?.text;
    this.rpcs.push(arg === undefined ? op.name : `${op.name} ${arg}`);
    if (op.name === 'advance-time') {
      this.nowPs += Number(arg);
      return [xmlElement('device-time-ps', EMULATOR_NS, String(this.nowPs))];
    }
    if (op.name === 'reset') {
      this.nowPs = 0;
      return [xmlElement('generation', EMULATOR_NS, '1')];
    }
    return undefined;
  }
}

const open: Array<{ device: NetconfDevice; server: NetconfServer }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.device.close();
    await o.server.stop();
  }
});

async function connect(provider: MemoryInterfacesProvider, module = true): Promise<NetconfDevice> {
  const server = new NetconfServer({ provider, users: [{ username: 'lab', password: PASSWORD }], ...(module ? { moduleCapabilities: [EMULATOR_CAPABILITY] } : {}) });
  const port = await server.start();
  const device = await createNetconfDevice({ id: 'dut', kind: 'switch', ports: ['eth0'] }, { netconf: { host: '127.0.0.1', port, username: 'lab', password: PASSWORD, timeoutMs: 5000 } });
  open.push({ device, server });
  return device;
}

describe('NETCONF driver clock on a stepped emulator', () => {
  it('advances through one advance-time RPC per call, rounded to a whole picosecond', async () => {
    const p = new ScriptedEmulator({ mode: 'stepped', twinId: 'twin-a' });
    const d = await connect(p);
    expect(d.clock?.kind).toBe('virtual');
    expect(await d.clock!.nowPs()).toBe(0);
    await d.clock!.advance(1e9);
    await d.clock!.advance(2.5);
    await d.clock!.advance(0.4);
    expect(p.rpcs).toEqual(['advance-time 1000000000', 'advance-time 3', 'advance-time 0']);
    expect(await d.clock!.nowPs()).toBe(1e9 + 3);
    await expect(d.clock!.advance(Number.NaN)).rejects.toThrow(RangeError);
    expect(p.rpcs).toHaveLength(3);
  });
});

describe('NETCONF driver clock on a paced emulator', () => {
  for (const mode of ['paced', undefined] as const) {
    it(`waits for device time to move, sending no advance-time (${mode ?? 'no clock-mode served'})`, async () => {
      const p = new ScriptedEmulator({ ...(mode ? { mode } : {}), pacedStepPs: 1e8 });
      const d = await connect(p);
      const t0 = await d.clock!.nowPs();
      await d.clock!.advance(5e8);
      expect(await d.clock!.nowPs()).toBeGreaterThanOrEqual(t0 + 5e8);
      expect(p.rpcs).toEqual([]);
    });
  }
});

describe('NETCONF driver lifecycle reset', () => {
  it('is offered when the server names its twin, scoped to it, and sends <reset>', async () => {
    const p = new ScriptedEmulator({ mode: 'stepped', twinId: 'twin-a' });
    const d = await connect(p);
    await d.clock!.advance(7);
    expect(d.lifecycle?.scope).toBe(`${EMULATOR_NS}#twin-a`);
    await d.lifecycle!.reset();
    expect(p.rpcs).toEqual(['advance-time 7', 'reset']);
    expect(await d.clock!.nowPs()).toBe(0);
  });

  it('is not offered without a twin-id, nor by gear without the module', async () => {
    expect((await connect(new ScriptedEmulator({ mode: 'stepped' }))).lifecycle).toBeUndefined();
    const gear = await connect(new MemoryInterfacesProvider([{ name: 'eth0' }]), false);
    expect(gear.lifecycle).toBeUndefined();
    expect(gear.clock).toBeUndefined();
  });
});
