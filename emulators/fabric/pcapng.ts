// Captured frames as a pcapng file: what a twin node's `capture.stop(port)` returned, ready to attach.
//
// Guarantees: one interface per port and direction (`<name>/rx`, `<name>/tx`, in the order the
// captures are given, rx first), so a reader tells received from sent frames without options;
// packets are written in time order across all interfaces (same-time frames keep their capture
// order); timestamps are the frames' virtual times (pcapng stores nanoseconds: sub-nanosecond
// digits are truncated); a frame captured as headers only keeps its wire length as the EPB
// original length.

import { PcapngWriter } from '../../protocols/pcapng/writer.ts';

/** A captured frame as the twin (or a driver, after copying it) hands it out. */
export interface PcapngFrame {
  timePs: number;
  direction: 'rx' | 'tx';
  bytes: Uint8Array;
  /** Length on the wire when `bytes` holds only part of the frame. */
  originalLength?: number;
}

export interface PortCapture {
  /** The port as it should read in the file: `device:port`. */
  name: string;
  frames: readonly PcapngFrame[];
}

/** Interface id of a port's direction in the file `capturesToPcapng` writes. */
export function pcapngInterfaceOf(captureIndex: number, direction: 'rx' | 'tx'): number {
  return 2 * captureIndex + (direction === 'rx' ? 0 : 1);
}

/** Writes the captures of one or more ports into one in-memory pcapng file. */
export function capturesToPcapng(captures: readonly PortCapture[], application = 'fabric-hil emulator'): Uint8Array {
  const w = PcapngWriter.inMemory({ application });
  for (const c of captures) {
    w.addInterface({ name: `${c.name}/rx`, description: `frames received on ${c.name}` });
    w.addInterface({ name: `${c.name}/tx`, description: `frames sent on ${c.name}` });
  }
  // Each capture is in time order already: merge them.
  const next = new Int32Array(captures.length);
  for (;;) {
    let best = -1;
    let bestTime = Infinity;
    for (let i = 0; i < captures.length; i++) {
      const f = captures[i].frames[next[i]];
      if (f !== undefined && f.timePs < bestTime) {
        best = i;
        bestTime = f.timePs;
      }
    }
    if (best < 0) break;
    const f = captures[best].frames[next[best]++];
    w.writePacket(pcapngInterfaceOf(best, f.direction), f.timePs, f.bytes, f.originalLength !== undefined ? { originalLen: f.originalLength } : {});
  }
  return w.bytes();
}
