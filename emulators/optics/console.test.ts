// The module console: the synchronous bridge answers the documented line protocol, the in-process client uses it, and (with socat) ConsoleServer serves an emulated module on a pty.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CMIS_LOWER, CMIS_PAGE11, CmisLowerView, CmisUpper00View } from '../../protocols/cmis/index.ts';
import { CONSOLE_ERR } from '../../protocols/console/console.ts';
import { ConsoleMemoryError, ConsoleServer } from '../mgmt/serial/console-server.ts';
import { ConsoleClient } from '../../drivers/serial/console-client.ts';
import { startSocatPair } from '../../drivers/serial/testing.ts';
import { peerMissing, peerTitle } from '../../drivers/snmp/testing.ts';
import { asConsoleMemory } from './console-bridge.ts';
import { CmisConsoleError, InProcessCmisClient, MODULE_CONSOLE_ID, ModuleConsoleBridge, ModuleMemoryError, type ModuleMemoryProvider } from './console.ts';
import { opticsBench } from './testing.ts';

/** A warm FR4 module's memory as a provider. */
function moduleProvider(): { provider: ModuleMemoryProvider; module: ReturnType<ReturnType<typeof opticsBench>['module']> } {
  const b = opticsBench();
  const module = b.module('m1', 'conventional-400g-fr4', [], { warm: true });
  return { module, provider: { read: (...a) => module.memory.read(...a), write: (bank, page, offset, data) => module.memory.write(bank, page, offset, data) } };
}

describe('module console bridge', () => {
  test('answers id, echo, rd and wr as protocols/console documents; empty lines get no answer', () => {
    const { provider, module } = moduleProvider();
    const bridge = new ModuleConsoleBridge(provider);
    expect(bridge.answer('id')).toBe(`ok ${MODULE_CONSOLE_ID}`);
    expect(bridge.answer('ECHO tok-1\r')).toBe('ok tok-1');
    expect(bridge.answer('')).toBeNull();
    expect(bridge.answer('rd 0 0 0 2')).toBe('ok 1850'); // QSFP-DD, CMIS 5.0
    expect(bridge.answer('wr 0 0x10 130 0f')).toBe('ok');
    expect(module.memory.peek(0, 0x10, 130, 1)[0]).toBe(0x0f);
  });

  test('failures answer err with their codes', () => {
    const none: ModuleMemoryProvider = {
      read: () => {
        throw new ModuleMemoryError(CONSOLE_ERR.NO_MODULE, 'no module in sw:port9');
      },
      write: () => {
        throw new Error('bus stuck');
      },
    };
    const bridge = new ModuleConsoleBridge(none);
    expect(bridge.answer('peek 1')).toBe('err 1 keyword: unknown request "peek"');
    expect(bridge.answer('rd 0 0 250 10')).toBe('err 2 len: offset 250 + len 10 runs past byte 255 of the page');
    expect(bridge.answer('rd 0 0 0 1')).toBe('err 5 no module in sw:port9');
    expect(bridge.answer('wr 0 0 26 10')).toBe('err 6 bus stuck');
    const { provider } = moduleProvider();
    expect(new ModuleConsoleBridge(provider).answer('rd 0 0x40 128 1')).toMatch(/^err 2 cmis page: unsupported \(bank 0 page 40h not present\)$/);
  });

  test('the in-process client splits long reads, keeps host-read semantics, and throws CmisConsoleError on err', () => {
    const { provider, module } = moduleProvider();
    const client = new InProcessCmisClient(new ModuleConsoleBridge(provider));
    expect(client.identify()).toBe(MODULE_CONSOLE_ID);
    const page = client.read(0, 0, 0, 256);
    expect(CmisLowerView.checked(page.subarray(0, 128)).identifier).toBe(0x18);
    expect(CmisUpper00View.checked(page.subarray(128)).verifyChecksum()).toBe(true);
    // A latched flag is returned once, then cleared by that read.
    module.memory.lowerPage()[CMIS_LOWER.STATE_CHANGED_FLAG.at] |= 1;
    expect(client.read(0, 0, 8, 1)[0]! & 1).toBe(1);
    expect(client.read(0, 0, 8, 1)[0]! & 1).toBe(0);
    client.write(0, 0x10, 130, Uint8Array.of(0x03));
    expect(module.memory.peek(0, 0x10, 130, 1)[0]).toBe(0x03);
    expect(() => client.read(0, 0x40, 128, 1)).toThrow(CmisConsoleError);
    expect(() => client.read(0, 0x11, CMIS_PAGE11.RX_LOS.at, 0)).toThrow(RangeError);
  });

  test('asConsoleMemory maps provider errors to ConsoleMemoryError codes', () => {
    const m = asConsoleMemory({
      read: () => {
        throw new ModuleMemoryError(CONSOLE_ERR.BUSY, 'busy');
      },
      write: () => {},
    });
    expect(() => m.read(0, 0, 0, 1)).toThrow(ConsoleMemoryError);
    expect(() => m.read(0, 0, 0, 1)).toThrow(expect.objectContaining({ code: CONSOLE_ERR.BUSY }));
    const { provider } = moduleProvider();
    expect(() => asConsoleMemory(provider).read(0, 0x40, 128, 1)).toThrow(expect.objectContaining({ code: CONSOLE_ERR.RANGE }));
  });
});

const missing = peerMissing('socat', 'socat', 'serving an emulated module on a pty');

describe.skipIf(missing !== undefined)(peerTitle('an emulated module served by ConsoleServer over a socat pty (lab-in-a-box)', missing), () => {
  test('the lab console client reads the module identity and controls it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fabric-hil-optics-console-'));
    const pair = await startSocatPair(dir);
    const { provider, module } = moduleProvider();
    const server = await ConsoleServer.open({ path: pair.b, memory: asConsoleMemory(provider), id: 'emulated FR4' });
    const client = await ConsoleClient.open({ path: pair.a, timeoutMs: 2000 });
    try {
      expect(await client.identify()).toBe('emulated FR4');
      expect(CmisUpper00View.checked(await client.read(0, 0, 128, 128)).verifyChecksum()).toBe(true);
      await client.write(0, 0x10, 130, Uint8Array.of(0x0f));
      expect(module.memory.peek(0, 0x10, 130, 1)[0]).toBe(0x0f);
      await expect(client.read(0, 0x40, 128, 1)).rejects.toMatchObject({ code: CONSOLE_ERR.RANGE });
    } finally {
      await Promise.allSettled([client.close(), server.close()]);
      await pair.process.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
