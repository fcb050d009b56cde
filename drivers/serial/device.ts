// Serial lab driver: a partial device whose `cmis` capability reads and writes module memory over the console client.
//
// A console bridge serves one module, so every port of the device reaches the same memory (the
// port must still be one of the device's). Reads and writes longer than one request (128 bytes)
// are split; none may run past byte 255 of the page. Console failures surface as DeviceError with
// the typed console error (ConsoleError with its code, ConsoleTimeoutError, ...) as cause.
import { AbstractDevice, DeviceError, type CmisCapability, type ConfigCapability, type CountersCapability, type StateCapability } from '../device.ts';
import { CONSOLE_MAX_LEN, CONSOLE_PAGE_BYTES } from '../../protocols/console/console.ts';
import { ConsoleClient, type ConsoleClientOptions } from './console-client.ts';

export const SERIAL_DRIVER = 'serial';

/** What the driver needs of a testbed device (structurally a harness TestbedDevice). */
export interface LabDeviceInfo {
  id: string;
  kind: string;
  ports: readonly string[];
}

export type SerialSettings = Omit<ConsoleClientOptions, 'reopenTimeoutMs'>;

/** Checks the binding's `serial:` section; errors name the field. */
export function serialSettings(deviceId: string, raw: Record<string, unknown> | undefined): SerialSettings {
  const fail = (field: string, expected: string): never => {
    throw new DeviceError(deviceId, `serial.${field}: expected ${expected}`);
  };
  if (!raw) return fail('', "a 'serial:' settings section");
  const { path, baudRate, dataBits, stopBits, parity, timeoutMs } = raw;
  if (typeof path !== 'string' || path === '') fail('path', 'a device path such as /dev/ttyUSB0');
  if (baudRate !== undefined && !(Number.isInteger(baudRate) && (baudRate as number) > 0)) fail('baudRate', 'a positive integer');
  if (dataBits !== undefined && ![5, 6, 7, 8].includes(dataBits as number)) fail('dataBits', '5, 6, 7 or 8');
  if (stopBits !== undefined && ![1, 2].includes(stopBits as number)) fail('stopBits', '1 or 2');
  if (parity !== undefined && !['none', 'even', 'odd'].includes(parity as string)) fail('parity', 'none, even or odd');
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && (timeoutMs as number) > 0)) fail('timeoutMs', 'a positive integer');
  return { path, baudRate, dataBits, stopBits, parity, timeoutMs } as SerialSettings;
}

export class SerialDevice extends AbstractDevice {
  readonly driver = SERIAL_DRIVER;
  readonly id: string;
  readonly kind: string;
  readonly ports: readonly string[];

  override config: ConfigCapability | undefined = undefined;
  override state: StateCapability | undefined = undefined;
  override counters: CountersCapability | undefined = undefined;
  override traffic = undefined;
  override capture = undefined;
  override faults = undefined;
  override cmis: CmisCapability;

  constructor(
    info: LabDeviceInfo,
    readonly client: ConsoleClient,
  ) {
    super();
    this.id = info.id;
    this.kind = info.kind;
    this.ports = [...info.ports];
    this.cmis = {
      read: async (portId, bank, page, offset, length) => {
        this.check(portId, offset, length);
        const out = new Uint8Array(length);
        for (let done = 0; done < length; done += CONSOLE_MAX_LEN) {
          const n = Math.min(CONSOLE_MAX_LEN, length - done);
          out.set(await this.console(() => this.client.read(bank, page, offset + done, n)), done);
        }
        return out;
      },
      write: async (portId, bank, page, offset, data) => {
        this.check(portId, offset, data.length);
        for (let done = 0; done < data.length; done += CONSOLE_MAX_LEN) {
          const chunk = data.subarray(done, done + CONSOLE_MAX_LEN);
          await this.console(() => this.client.write(bank, page, offset + done, chunk));
        }
      },
    };
  }

  override async close(): Promise<void> {
    await this.client.close();
  }

  private check(portId: string, offset: number, length: number): void {
    if (!this.ports.includes(portId)) throw new DeviceError(this.id, `no port "${portId}" (ports: ${this.ports.join(', ')})`);
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 1 || offset + length > CONSOLE_PAGE_BYTES) {
      throw new DeviceError(this.id, `cmis: offset ${offset} + length ${length} must lie within bytes 0-255 of a page`);
    }
  }

  private async console<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw new DeviceError(this.id, (err as Error).message, { cause: err });
    }
  }
}

/** Lab driver factory: opens the console from the `serial:` settings and checks that the bridge answers `id`. */
export async function createSerialDevice(device: LabDeviceInfo, settings: Record<string, Record<string, unknown>>): Promise<SerialDevice> {
  const s = serialSettings(device.id, settings.serial);
  let client: ConsoleClient;
  try {
    client = await ConsoleClient.open(s);
  } catch (err) {
    throw new DeviceError(device.id, (err as Error).message, { cause: err });
  }
  try {
    await client.identify();
  } catch (err) {
    await client.close();
    throw new DeviceError(device.id, (err as Error).message, { cause: err });
  }
  return new SerialDevice(device, client);
}
