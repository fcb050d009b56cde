// A test's view of the bound testbed: finds devices, blocks on missing capabilities, waits, records.
//
// Everything a test records (devices used, deviations relied on, metrics, attachments, a blocked
// reason) goes into `task.meta`, which vitest carries to the reporters. Waiting is bounded and on
// the devices' clock: virtual time on the emulator (instant), polling on gear.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunnerTestCase as Test } from 'vitest';
import type { BoundTestbed } from './bind.ts';
import { missingCapabilities, type CapabilityName, type ClockCapability, type Device, type DeviceWith } from '../drivers/device.ts';
import type { Attachment, Metric } from './results.ts';
import { redact } from './secrets.ts';

export type DeviceSelector = string | { kind: string; index?: number };

declare module 'vitest' {
  interface TaskMeta extends ConformanceMeta {}
}

/** Recorded in task.meta; read by the harness reporter. */
export interface ConformanceMeta {
  requirements?: string[];
  devices?: string[];
  deviationsUsed?: Array<{ device: string; id: string }>;
  metrics?: Metric[];
  attachments?: Attachment[];
  blocked?: string;
}

/** A condition that did not hold within its bound: the device did not do what it must (failed). */
export class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

const PS_PER_MS = 1e9;

export class Lab {
  private readonly meta: ConformanceMeta;

  constructor(
    private readonly bound: BoundTestbed,
    private readonly task: Test,
    private readonly skip: (note?: string) => never,
    private readonly runDir: string | null,
  ) {
    this.meta = task.meta as ConformanceMeta;
    this.meta.devices ??= [];
    this.meta.deviationsUsed ??= [];
    this.meta.metrics ??= [];
    this.meta.attachments ??= [];
  }

  get testbedName(): string {
    return this.bound.testbed.name;
  }

  /** All devices, or those of one kind, in testbed order. */
  devices(kind?: string): Device[] {
    return [...this.bound.devices.values()].filter((d) => kind === undefined || d.kind === kind);
  }

  /**
   * The device a test needs, with the capabilities it needs. A missing device of a kind, or a
   * missing capability, blocks the test (with the reason); an unknown device id is a harness
   * error (the suite and the testbed disagree), so the test is broken.
   */
  requireDevice<C extends CapabilityName>(selector: DeviceSelector, caps: readonly C[] = []): DeviceWith<C> {
    let device: Device | undefined;
    if (typeof selector === 'string') {
      device = this.bound.devices.get(selector);
      if (!device) {
        throw new Error(
          `no device "${selector}" in testbed ${this.bound.testbed.name} (devices: ${[...this.bound.devices.keys()].join(', ')})`,
        );
      }
    } else {
      const all = this.devices(selector.kind);
      device = all[selector.index ?? 0];
      if (!device) {
        this.block(
          `testbed ${this.bound.testbed.name} has ${all.length === 0 ? 'no' : `only ${all.length}`} device of kind "${selector.kind}"` +
            (selector.index ? ` (needs index ${selector.index})` : ''),
        );
      }
    }
    const missing = missingCapabilities(device, caps);
    if (missing.length > 0) {
      this.block(`device "${device.id}" (driver ${device.driver}) lacks capabilit${missing.length > 1 ? 'ies' : 'y'} ${missing.join(', ')}`);
    }
    if (!this.meta.devices!.includes(device.id)) this.meta.devices!.push(device.id);
    return device as DeviceWith<C>;
  }

  /** `count` devices of a kind with the capabilities (blocked when the testbed has fewer). */
  requireDevices<C extends CapabilityName>(kind: string, caps: readonly C[], count: number): DeviceWith<C>[] {
    const all = this.devices(kind);
    if (all.length < count) this.block(`testbed ${this.bound.testbed.name} has ${all.length} device(s) of kind "${kind}", the test needs ${count}`);
    return all.slice(0, count).map((_, i) => this.requireDevice({ kind, index: i }, caps));
  }

  /** The links joining two devices, as [port of a, port of b] pairs in testbed order. */
  links(a: string, b: string): Array<[string, string]> {
    return this.neighbours(a)
      .filter((n) => n.device === b)
      .map((n): [string, string] => [n.port, n.peerPort]);
  }

  /** What each cabled port of a device is cabled to, in testbed order. */
  neighbours(id: string): Array<{ port: string; device: string; peerPort: string }> {
    const out: Array<{ port: string; device: string; peerPort: string }> = [];
    for (const l of this.bound.testbed.links) {
      if (l.a.device === id) out.push({ port: l.a.port, device: l.b.device, peerPort: l.b.port });
      else if (l.b.device === id) out.push({ port: l.b.port, device: l.a.device, peerPort: l.a.port });
    }
    return out;
  }

  /** Stops the test as blocked: it can say nothing of the device. */
  block(reason: string): never {
    this.meta.blocked = reason;
    return this.skip(reason);
  }

  /**
   * Whether the device declares the deviation (a reviewed, known behaviour). A true answer is
   * recorded, so a device that passes only thanks to it is "conformant with deviations".
   */
  deviation(device: Device | string, id: string): boolean {
    const deviceId = typeof device === 'string' ? device : device.id;
    const tbDevice = this.bound.testbed.devices.find((d) => d.id === deviceId);
    const declared = tbDevice?.deviations.some((d) => d.id === id) ?? false;
    if (declared && !this.meta.deviationsUsed!.some((d) => d.device === deviceId && d.id === id)) {
      this.meta.deviationsUsed!.push({ device: deviceId, id });
    }
    return declared;
  }

  /** The clock waits are measured on: virtual if the test uses an emulated device, else wall. */
  private clock(): ClockCapability | null {
    for (const id of this.meta.devices!) {
      const c = this.bound.devices.get(id)?.clock;
      if (c?.kind === 'virtual') return c;
    }
    return null;
  }

  /** Lets device time pass (instant on the emulator). */
  async advance(durationMs: number): Promise<void> {
    const clock = this.clock();
    if (clock) await clock.advance(durationMs * PS_PER_MS);
    else await new Promise((r) => setTimeout(r, durationMs));
  }

  /** Device time now, picoseconds (virtual on the emulator, wall time since the epoch on gear). */
  async nowPs(): Promise<number> {
    const clock = this.clock();
    return clock ? clock.nowPs() : Date.now() * PS_PER_MS;
  }

  /**
   * Waits until `condition` returns a truthy value, checking every `pollMs` of device time, for at
   * most `timeoutMs`; returns that value or throws TimeoutError (the device did not do it in time).
   */
  async until<T>(
    condition: () => T | Promise<T>,
    opts: { timeoutMs: number; pollMs?: number; what?: string },
  ): Promise<NonNullable<T>> {
    const pollMs = opts.pollMs ?? Math.max(opts.timeoutMs / 200, 1e-6);
    const start = await this.nowPs();
    const deadline = start + opts.timeoutMs * PS_PER_MS;
    for (;;) {
      const v = await condition();
      if (v) return v as NonNullable<T>;
      const now = await this.nowPs();
      if (now >= deadline) {
        throw new TimeoutError(`${opts.what ?? 'condition'} did not hold within ${opts.timeoutMs} ms of device time`);
      }
      await this.advance(Math.min(pollMs, (deadline - now) / PS_PER_MS));
    }
  }

  /** Records a measured figure (a value, series for a chart, or a table) for the report. */
  metric(m: Metric): void {
    this.meta.metrics!.push(JSON.parse(JSON.stringify(m)) as Metric);
  }

  /** Saves an attachment with the test's results (secrets redacted from text). */
  attach(name: string, data: string | Uint8Array, contentType: string): void {
    const base = this.runDir ?? path.join(os.tmpdir(), 'fabric-hil-attachments');
    const dirName = `${path.basename(this.task.file.filepath).replace(/\W+/g, '_')}-${this.task.id.replace(/\W+/g, '_')}`;
    const rel = path.join('attachments', dirName, name.replace(/[^\w.-]+/g, '_'));
    fs.mkdirSync(path.join(base, path.dirname(rel)), { recursive: true });
    const secrets = this.bound.secrets;
    const body = typeof data === 'string' ? redact(data, [...secrets]) : redactBytes(data, secrets);
    fs.writeFileSync(path.join(base, rel), body);
    this.meta.attachments!.push({ name, path: rel, contentType });
  }
}

function redactBytes(data: Uint8Array, secrets: readonly string[]): Uint8Array {
  let buf: Buffer | null = null;
  for (const s of secrets) {
    if (!s) continue;
    const needle = Buffer.from(s);
    const src: Buffer = buf ?? Buffer.from(data);
    for (let i = src.indexOf(needle); i >= 0; i = src.indexOf(needle, i + needle.length)) {
      src.fill(0x2a, i, i + needle.length);
      buf = src;
    }
  }
  return buf ?? data;
}
