// Live progress of a run: one redrawn line per suite on a terminal, plain lines otherwise.
//
// Only counts and test names are printed (never messages with device data), and a failure's
// message goes through the same redaction as the results.
import type { Reporter, TestModule, TestSpecification } from 'vitest/node';
import type { TestRecord, TestStatus } from './results.ts';

interface SuiteProgress {
  total: number;
  done: number;
  counts: Record<TestStatus, number>;
  startedMs: number;
  finishedMs: number | null;
  modulesPending: number;
}

export class ProgressReporter implements Reporter {
  private readonly suites = new Map<string, SuiteProgress>();
  private drawnLines = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly tty: boolean;
  /** The run announced its files up front: a suite is done when all of them ended, not when the queue runs dry. */
  private planned = false;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly suiteOf: (file: string) => string,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.tty = Boolean(out.isTTY) && process.env.CI !== 'true';
  }

  private suite(name: string): SuiteProgress {
    let s = this.suites.get(name);
    if (!s) {
      s = { total: 0, done: 0, counts: { passed: 0, failed: 0, broken: 0, blocked: 0, skipped: 0 }, startedMs: this.clock(), finishedMs: null, modulesPending: 0 };
      this.suites.set(name, s);
    }
    return s;
  }

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    for (const spec of specifications) this.suite(this.suiteOf(spec.moduleId)).modulesPending++;
    this.planned = specifications.length > 0;
  }

  onTestModuleQueued(module: TestModule): void {
    if (!this.planned) this.suite(this.suiteOf(module.moduleId)).modulesPending++;
  }

  onTestModuleCollected(module: TestModule): void {
    const s = this.suite(this.suiteOf(module.moduleId));
    s.total += [...module.children.allTests()].length;
    this.schedule();
  }

  /** Called by the results recorder with the classified record. */
  recorded(t: TestRecord): void {
    const s = this.suite(t.suite);
    s.done++;
    s.counts[t.status]++;
    if (!this.tty && (t.status === 'failed' || t.status === 'broken')) {
      this.out.write(`  ${t.status.toUpperCase()} ${t.suite} > ${t.fullName}\n`);
    }
    this.schedule();
  }

  onTestModuleEnd(module: TestModule): void {
    const name = this.suiteOf(module.moduleId);
    const s = this.suite(name);
    s.modulesPending--;
    if (s.modulesPending <= 0 && s.finishedMs === null) {
      s.finishedMs = this.clock();
      if (!this.tty) this.out.write(`${this.line(name, s)}\n`);
    }
    this.schedule();
  }

  onTestRunEnd(): void {
    this.stop();
  }

  /** Final redraw and no more timers. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.tty) this.draw();
  }

  private line(name: string, s: SuiteProgress): string {
    const elapsed = ((s.finishedMs ?? this.clock()) - s.startedMs) / 1000;
    const bad = [
      s.counts.failed ? `${s.counts.failed} failed` : '',
      s.counts.broken ? `${s.counts.broken} broken` : '',
      s.counts.blocked ? `${s.counts.blocked} blocked` : '',
    ].filter(Boolean);
    const state = s.finishedMs !== null ? 'done' : 'running';
    return `suite ${name.padEnd(12)} ${String(s.done).padStart(4)}/${String(s.total).padEnd(4)} ${bad.join(', ') || 'no failures'}  ${elapsed.toFixed(1)} s  ${state}`;
  }

  private schedule(): void {
    if (!this.tty || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.draw();
    }, 100);
  }

  private draw(): void {
    let text = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : '';
    for (const [name, s] of this.suites) text += `\x1b[2K${this.line(name, s)}\n`;
    this.drawnLines = this.suites.size;
    this.out.write(text);
  }
}
