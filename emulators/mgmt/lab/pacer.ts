// Paces a twin to the wall clock for lab-in-a-box: device time moves `timeScale` virtual seconds per wall second.
//
// The twin itself never reads a clock; the pacer gets the wall time from its caller (`wallNowMs`)
// and, every tick, runs the twin up to start + elapsed x timeScale. Each tick runs at most
// `maxStepWallMs` worth of device time: a twin slower than the pace falls behind and then
// continues from where it is (it never races to catch up), so RPCs keep getting answered between
// ticks. Device time never goes backwards.
import type { Twin } from '../../twin.ts';

export interface TwinPacerOptions {
  /** Virtual seconds per wall second (0.01: 1 ms of device time takes 100 ms). */
  timeScale: number;
  /** Wall time in milliseconds (monotonic), from the process that runs the twin. */
  wallNowMs: () => number;
  /** Wall milliseconds between ticks (default 1). */
  tickMs?: number;
  /** Most wall milliseconds of device time one tick runs (default 2: device time moves in small steps). */
  maxStepWallMs?: number;
}

const PS_PER_MS = 1e9;

export class TwinPacer {
  private timer: NodeJS.Timeout | null = null;
  private baseWallMs = 0;
  private basePs = 0;
  private behindPs = 0;

  constructor(
    private readonly twin: Twin,
    private readonly opts: TwinPacerOptions,
  ) {
    if (!(opts.timeScale > 0) || !Number.isFinite(opts.timeScale)) throw new RangeError(`timeScale must be a finite number > 0, got ${opts.timeScale}`);
  }

  get running(): boolean {
    return this.timer !== null;
  }

  /** Device time the twin has fallen behind the pace (0 when it keeps up). */
  get lagPs(): number {
    return this.behindPs;
  }

  start(): void {
    if (this.timer) return;
    this.baseWallMs = this.opts.wallNowMs();
    this.basePs = this.twin.nowPs();
    const tick = (): void => {
      this.step();
      this.timer = setTimeout(tick, this.opts.tickMs ?? 1);
    };
    this.timer = setTimeout(tick, this.opts.tickMs ?? 1);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Runs the twin to where the pace says it should be now (one bounded step). */
  step(): void {
    const target = this.basePs + (this.opts.wallNowMs() - this.baseWallMs) * PS_PER_MS * this.opts.timeScale;
    const now = this.twin.nowPs();
    const maxStep = (this.opts.maxStepWallMs ?? 2) * PS_PER_MS * this.opts.timeScale;
    const want = Math.round(target - now); // round: wall milliseconds in binary floating point are not exact
    if (want <= 0) {
      this.behindPs = 0;
      return;
    }
    const run = Math.min(want, Math.max(1, Math.floor(maxStep)));
    this.twin.runFor(run);
    this.behindPs = want - run;
    if (this.behindPs > 0) {
      // Fell behind: continue from here rather than racing to catch up.
      this.baseWallMs = this.opts.wallNowMs();
      this.basePs = this.twin.nowPs();
    }
  }
}
