// Module memory of one port of a twin node as a ConsoleMemory, so a ConsoleServer serves it on a pty.
//
// The node is looked up at each request (`node()`), so a lab reset (served-twin.ts) is served at
// once. Reads and writes go to the node's `cmis` capability (the emulated module's own console bridge
// behind it), so a lab client sees exactly what the in-process emulator sees; an `err <code>` of
// that bridge (CmisConsoleError) is answered with the same code.
import type { TwinNode } from '../../twin.ts';
import { CmisConsoleError } from '../../optics/console.ts';
import { ConsoleMemoryError, type ConsoleMemory } from '../serial/console-server.ts';

function mapError(err: unknown): never {
  if (err instanceof CmisConsoleError) throw new ConsoleMemoryError(err.code, err.detail || err.message);
  throw err;
}

export function twinPortMemory(node: () => TwinNode, port: string): ConsoleMemory {
  const cmisOf = (): NonNullable<TwinNode['cmis']> => {
    const n = node();
    if (!n.cmis) throw new Error(`device "${n.id}" has no cmis capability`);
    return n.cmis;
  };
  cmisOf();
  return {
    read(bank, page, offset, len) {
      try {
        return cmisOf().read(port, bank, page, offset, len);
      } catch (err) {
        return mapError(err);
      }
    },
    write(bank, page, offset, data) {
      try {
        cmisOf().write(port, bank, page, offset, data);
      } catch (err) {
        mapError(err);
      }
    },
  };
}

/** Ports of the node behind which a module (or an external laser source) answers CMIS reads. */
export function cmisPorts(node: TwinNode): string[] {
  const cmis = node.cmis;
  if (!cmis) return [];
  return node.ports.filter((p) => {
    try {
      cmis.read(p, 0, 0, 0, 1); // byte 0, the SFF-8024 identifier: no flag is cleared by reading it
      return true;
    } catch {
      return false;
    }
  });
}
