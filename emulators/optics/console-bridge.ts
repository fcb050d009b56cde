// Lab-in-a-box glue: an emulated module's memory provider as a ConsoleMemory, so ConsoleServer can serve it on a serial line (e.g. a socat pty).
//
// Kept apart from console.ts so that the emulator does not load the serial stack: only a
// lab-in-a-box server imports this file. Error codes carry over (ModuleMemoryError -> the same
// ConsoleMemoryError code; an address the memory refuses -> 2, range).
import { CONSOLE_ERR } from '../../protocols/console/console.ts';
import { WireError } from '../../protocols/wire.ts';
import { ConsoleMemoryError, type ConsoleMemory } from '../mgmt/serial/console-server.ts';
import { ModuleMemoryError, type ModuleMemoryProvider } from './console.ts';

function mapError(err: unknown): never {
  if (err instanceof ModuleMemoryError) throw new ConsoleMemoryError(err.code, err.message);
  if (err instanceof WireError) throw new ConsoleMemoryError(CONSOLE_ERR.RANGE, err.message);
  throw err;
}

export function asConsoleMemory(provider: ModuleMemoryProvider): ConsoleMemory {
  return {
    read(bank, page, offset, len) {
      try {
        return provider.read(bank, page, offset, len);
      } catch (err) {
        return mapError(err);
      }
    },
    write(bank, page, offset, data) {
      try {
        provider.write(bank, page, offset, data);
      } catch (err) {
        mapError(err);
      }
    },
  };
}
