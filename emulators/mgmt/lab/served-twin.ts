// The twin a lab-in-a-box server serves, behind one indirection, with its clock (stepped or paced) and its reset.
//
// Every server of the lab (NETCONF providers, SNMP providers, consoles, OTG APIs) reads the
// current twin through a ServedTwin, never through a Twin it kept, so `reset()` swaps the twin for
// all of them at once. Guarantees:
// - `reset()` builds a new twin with the same builder (same topology, same seed): device time 0,
//   no faults, no flows, configuration as built; then calls each `onReset` listener (servers drop
//   what they kept of the old twin: flows, captures, admin-down records) and bumps `generation`;
// - stepped clock: device time moves only through `advance(ps)`, which returns once the twin has
//   run that far, so the twin sees the operations in exactly the order clients send them;
// - paced clock: a TwinPacer (pacer.ts) moves device time `timeScale` virtual seconds per wall
//   second from `start()` to `stop()`; `advance` is refused (time is not the client's to move);
//   a reset starts a new pacer on the new twin from device time 0.
import type { Twin, TwinNode } from '../../twin.ts';
import { TwinPacer } from './pacer.ts';

export type LabClockMode = 'stepped' | 'paced';
export const LAB_CLOCK_MODES: readonly LabClockMode[] = ['stepped', 'paced'];

export type LabClock = { mode: 'stepped' } | { mode: 'paced'; timeScale: number };

/** Thrown for an operation the clock mode does not allow (advancing a paced clock). */
export class ServedTwinError extends Error {
  override readonly name = 'ServedTwinError';
}

export interface ServedTwinOptions {
  /** Builds the twin: called once now and once per reset (same topology and seed each time). */
  build: () => Twin;
  clock: LabClock;
  /** Wall time in milliseconds (monotonic); needed by the paced clock only. */
  wallNowMs?: () => number;
}

export class ServedTwin {
  private current: Twin;
  private gen = 0;
  private running: TwinPacer | null = null;
  private started = false;
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly opts: ServedTwinOptions) {
    if (opts.clock.mode === 'paced') {
      if (!opts.wallNowMs) throw new ServedTwinError('a paced clock needs wallNowMs');
      if (!(opts.clock.timeScale > 0) || !Number.isFinite(opts.clock.timeScale)) throw new RangeError(`timeScale must be a finite number > 0, got ${opts.clock.timeScale}`);
    }
    this.current = opts.build();
  }

  get twin(): Twin {
    return this.current;
  }

  get clock(): LabClock {
    return this.opts.clock;
  }

  /** How many resets have happened (0 for the twin built at start). */
  get generation(): number {
    return this.gen;
  }

  /** The paced clock's pacer (null for a stepped clock). */
  get pacer(): TwinPacer | null {
    return this.running;
  }

  /** The node of the current twin; a device the twin does not have is an error. */
  node(id: string): TwinNode {
    const n = this.current.node(id);
    if (!n) throw new ServedTwinError(`the twin built no node for device "${id}"`);
    return n;
  }

  /** Calls `f` after each reset, once the new twin is in place. */
  onReset(f: () => void): void {
    this.listeners.push(f);
  }

  /** Starts the paced clock (no-op for a stepped one). */
  start(): void {
    this.started = true;
    this.startPacer();
  }

  stop(): void {
    this.started = false;
    this.running?.stop();
    this.running = null;
  }

  /** Stepped clock: runs the twin `durationPs` on (rounded to a whole picosecond) and returns its time. */
  advance(durationPs: number): number {
    if (this.opts.clock.mode !== 'stepped') throw new ServedTwinError('device time is paced to the wall clock here: it cannot be advanced on request');
    if (!(durationPs >= 0) || !Number.isFinite(durationPs)) throw new RangeError(`durationPs must be a finite number >= 0, got ${durationPs}`);
    this.current.runFor(Math.round(durationPs));
    return this.current.nowPs();
  }

  /** Rebuilds the twin from the same topology and seed; every server serves the new one from now on. */
  reset(): void {
    const next = this.opts.build();
    this.running?.stop();
    this.running = null;
    this.current = next;
    this.gen++;
    for (const f of this.listeners) f();
    if (this.started) this.startPacer();
  }

  private startPacer(): void {
    const c = this.opts.clock;
    if (c.mode !== 'paced' || this.running) return;
    this.running = new TwinPacer(this.current, { timeScale: c.timeScale, wallNowMs: this.opts.wallNowMs! });
    this.running.start();
  }
}
