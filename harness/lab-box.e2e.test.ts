// Lab-in-a-box end to end: lab up on a testbed, `fabric-hil run` through the real-device drivers with the same verdicts as in-process, lab down leaves no process.
//
// Plan:
// - lab up on harness/fixtures/testbeds/demo.yaml writes a binding (every device on
//   netconf+snmp+otg, credentials as ${env:...} with the values in a 0600 env file) and a state
//   file with the PIDs; `fabric-hil run --testbed <binding> --suite demo` with the env file loaded
//   gives, test by test, the verdicts of the in-process run of demo.yaml; lab down stops every
//   PID it started, removes the state file, and a second lab down is a no-op;
// - stepped time and a fresh twin per file: on the demo pair plus the default testbed's Ultra
//   Ethernet fabric (lab-uec.yaml), the demo and uec suites (ten files, windows of microseconds
//   timed on device time) give through the lab drivers the verdicts and every recorded metric of
//   the in-process run, to the last digit;
// - robustness: a device whose management plane stops answering (unresponsive.yaml) makes its
//   tests broken and the run goes on, with the in-process verdicts; a lab server frozen with
//   SIGSTOP makes every call a DeviceError within the driver timeout (broken, not a hang);
// - consoles: on a small optics testbed each CMIS module is served on its own socat pty, read
//   through the serial driver with the bytes the in-process emulator reads.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmulator } from '../drivers/emulator/emulator-driver.ts';
import { DeviceError } from '../drivers/device.ts';
import { findSocat } from '../emulators/mgmt/lab/pty.ts';
import { bindTestbed } from './bind.ts';
import { classify } from './classify.ts';
import { PROJECT_ROOT } from './context.ts';
import { formatLabDown, formatLabUp, labDown, labUp, LAB_STATE_FILE, readLabEnv, type LabUpResult } from './lab-box.ts';
import type { RunResults } from './results.ts';
import { loadTestbed } from './testbed.ts';

const BIN = path.join(PROJECT_ROOT, 'bin', 'fabric-hil.mjs');
const FIXTURES = path.join(PROJECT_ROOT, 'harness', 'fixtures', 'testbeds');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-hil-labbox-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}) {
  return execa('node', [BIN, ...args], { cwd: PROJECT_ROOT, reject: false, env: { ...env, CI: '' }, timeout: 240_000 });
}

/** Running (a zombie waiting to be reaped counts as gone). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    try {
      process.kill(pid, 0);
      return !fs.existsSync('/proc/self');
    } catch {
      return false;
    }
  }
}

function results(stdout: string): RunResults {
  const m = /^Report: (.+)index\.html$/m.exec(stdout);
  expect(m, `no "Report:" line in:\n${stdout}`).not.toBeNull();
  const r = JSON.parse(fs.readFileSync(path.join(m![1]!, 'results.json'), 'utf8')) as RunResults;
  expect(r.complete).toBe(true);
  return r;
}

function verdicts(stdout: string): Map<string, string> {
  return new Map(results(stdout).tests.map((t) => [`${t.suite} > ${t.name}`, t.status]));
}

/** Each test's recorded metrics, by test. */
function metrics(stdout: string): Map<string, unknown> {
  return new Map(results(stdout).tests.map((t) => [`${t.suite} > ${t.name}`, t.metrics]));
}

/** Runs a suite on the lab binding and in-process; returns both verdict maps and prints them side by side. */
async function compareRuns(binding: string, envFile: string, inProcessTestbed: string, suite: string, extra: string[] = []) {
  const env = readLabEnv(envFile);
  const [lab, local] = await Promise.all([
    cli(['run', '--testbed', binding, '--suite', suite, '--no-allure', '--out', path.join(tmp, 'out-lab'), ...extra], env),
    cli(['run', '--testbed', inProcessTestbed, '--suite', suite, '--no-allure', '--out', path.join(tmp, 'out-local'), ...extra]),
  ]);
  const a = verdicts(lab.stdout);
  const b = verdicts(local.stdout);
  const rows = [...new Set([...a.keys(), ...b.keys()])].map((k) => `  ${(a.get(k) ?? '-').padEnd(8)} ${(b.get(k) ?? '-').padEnd(8)} ${k}`);
  console.log(`verdicts on ${path.basename(inProcessTestbed)} (lab-in-a-box vs in-process):\n  lab      local\n${rows.join('\n')}`);
  for (const secret of Object.values(env)) {
    expect(lab.stdout + lab.stderr, 'a secret in the output').not.toContain(secret);
  }
  return { lab, local, a, b };
}

/** Brings a lab up on `testbed`, runs `body` with it, brings it down, and checks that no process it started is left. */
async function withLab(testbed: string, name: string, body: (up: LabUpResult) => Promise<void>): Promise<void> {
  const up = await labUp({ testbedFile: testbed, dir: path.join(tmp, name) });
  try {
    await body(up);
  } finally {
    await labDown({ dir: up.dir });
  }
  expect(up.pids.filter(running)).toEqual([]);
}

describe('lab up, run through the lab drivers, lab down', () => {
  it(
    'gives the demo suite the verdicts of the in-process emulator and leaves no process behind',
    async () => {
      const dir = path.join(tmp, 'demo');
      const up = await labUp({ testbedFile: path.join(FIXTURES, 'demo.yaml'), dir });
      let pids = up.pids;
      try {
        console.log(formatLabUp(up));
        expect(fs.statSync(up.envFile).mode & 0o777).toBe(0o600);
        const env = readLabEnv(up.envFile);
        expect(Object.keys(env).sort()).toEqual(['FABRIC_HIL_LAB_COMMUNITY', 'FABRIC_HIL_LAB_PASSWORD']);
        const binding = fs.readFileSync(up.bindingFile, 'utf8');
        for (const v of Object.values(env)) expect(binding).not.toContain(v);
        const tb = loadTestbed(up.bindingFile);
        expect(tb.devices.map((d) => `${d.id}:${d.drivers.join('+')}`)).toEqual(['dut1:netconf+snmp+otg', 'ate1:netconf+snmp+otg']);
        expect(JSON.parse(fs.readFileSync(up.stateFile, 'utf8')).processes.map((p: { pid: number }) => p.pid)).toEqual(up.pids);
        await expect(labUp({ testbedFile: path.join(FIXTURES, 'demo.yaml'), dir })).rejects.toThrow(/already up/);

        const { lab, local, a, b } = await compareRuns(up.bindingFile, up.envFile, path.join(FIXTURES, 'demo.yaml'), 'demo');
        expect(a.size).toBeGreaterThanOrEqual(3);
        expect(a).toEqual(b);
        expect(lab.exitCode, lab.stderr).toBe(local.exitCode);
        expect(lab.exitCode, lab.stderr).toBe(0);
        expect(lab.stdout).toMatch(/dut1: conformant/);
      } finally {
        const down = await labDown({ dir });
        console.log(formatLabDown(down));
        expect(down.found).toBe(true);
      }
      expect(pids.filter(running)).toEqual([]);
      expect(fs.existsSync(path.join(dir, LAB_STATE_FILE))).toBe(false);
      expect(await labDown({ dir })).toMatchObject({ found: false });
      pids = [];
    },
    300_000,
  );

  it(
    'gives the demo and uec suites, on a stepped clock and a fresh twin per file, the verdicts and metrics of the in-process emulator',
    async () => {
      const testbed = path.join(FIXTURES, 'lab-uec.yaml');
      await withLab(testbed, 'uec', async (up) => {
        expect(up.clock).toBe('stepped');
        const { lab, local, a, b } = await compareRuns(up.bindingFile, up.envFile, testbed, 'demo,uec');
        expect([...a.keys()].filter((k) => k.startsWith('uec > ')).length).toBeGreaterThanOrEqual(15);
        expect(a).toEqual(b);
        expect(lab.exitCode, lab.stderr).toBe(local.exitCode);
        const ma = metrics(lab.stdout);
        const mb = metrics(local.stdout);
        expect([...mb.values()].filter((m) => Array.isArray(m) && m.length > 0).length, 'tests that record metrics').toBeGreaterThanOrEqual(5);
        for (const [k, m] of mb) expect(ma.get(k), k).toEqual(m);
      });
    },
    400_000,
  );

  it(
    'a device that stops answering makes its tests broken and the run goes on, as in-process',
    async () => {
      const testbed = path.join(FIXTURES, 'unresponsive.yaml');
      await withLab(testbed, 'unresponsive', async (up) => {
        const { lab, a, b } = await compareRuns(up.bindingFile, up.envFile, testbed, 'demo', ['--driver-timeout', '2000']);
        expect(a).toEqual(b);
        expect([...a.values()]).toEqual(['broken', 'broken', 'broken']);
        expect(lab.exitCode).toBe(1);
        expect(lab.stdout).toMatch(/demo\s+0\s+0\s+3/);
      });
    },
    300_000,
  );

  it(
    'a lab server frozen mid-session makes each call broken within the driver timeout',
    async () => {
      const dir = path.join(tmp, 'frozen');
      const up = await labUp({ testbedFile: path.join(FIXTURES, 'demo.yaml'), dir });
      const bound = await bindTestbed(loadTestbed(up.bindingFile), { seed: 1, driverTimeoutMs: 1000, env: { ...process.env, ...readLabEnv(up.envFile) } });
      try {
        const dut = bound.devices.get('dut1')!;
        const ate = bound.devices.get('ate1')!;
        expect(await dut.state!.get('/interfaces/interface[name=port1]/oper-status')).toBe('up');
        process.kill(up.pids[0]!, 'SIGSTOP');
        const t0 = performance.now();
        for (const call of [() => dut.state!.get('/interfaces/interface[name=port1]/oper-status'), () => dut.counters!.all(), () => ate.traffic!.metrics(), () => dut.clock!.advance(1e9)]) {
          const err = await Promise.resolve().then(call).then(() => null, (e: unknown) => e as Error);
          expect(err).toBeInstanceOf(DeviceError);
          expect(classify('failed', [{ name: err!.name, message: err!.message }], undefined).status).toBe('broken');
        }
        expect(performance.now() - t0).toBeLessThan(4 * 1000 + 2000);
      } finally {
        await bound.close();
        await labDown({ dir }); // SIGTERM reaches a stopped process once SIGCONT lets it run
      }
      expect(up.pids.filter(running)).toEqual([]);
    },
    120_000,
  );
});

describe('lab up refusals', () => {
  it('refuses a testbed with lab-bound devices, and cleans up after a twin that cannot be built', async () => {
    await expect(labUp({ testbedFile: path.join(PROJECT_ROOT, 'config', 'testbeds', 'lab-example.yaml'), dir: path.join(tmp, 'refused') })).rejects.toThrow(/serves emulated devices only/);
    const bad = path.join(tmp, 'bad-optics.yaml');
    fs.writeFileSync(
      bad,
      'name: bad\ntopology:\n  devices:\n    - { id: sw1, kind: switch, ports: [p1], params: { optics: { default: no-such-module } } }\nbinding:\n  devices:\n    sw1: { driver: emulator }\n',
    );
    const dir = path.join(tmp, 'bad');
    const err = await labUp({ testbedFile: bad, dir }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/lab up: .*no-such-module/);
    expect(fs.existsSync(path.join(dir, LAB_STATE_FILE))).toBe(false);
    await expect(labUp({ testbedFile: bad, dir, clock: 'paced', timeScale: 0 })).rejects.toThrow(/timeScale must be a number > 0/);
    await expect(labUp({ testbedFile: bad, dir, timeScale: 0.5 })).rejects.toThrow(/needs clock paced/);
  });
});

const socatMissing = findSocat() === undefined ? 'socat not found: install the Debian package socat' : null;

describe.skipIf(socatMissing !== null && process.env.CI !== 'true')(`lab-in-a-box consoles${socatMissing ? ` (skipped: ${socatMissing})` : ''}`, () => {
  it(
    'serves each CMIS module on its own socat pty, read through the serial driver as in-process',
    async () => {
      if (socatMissing) throw new Error(`peer missing on CI: ${socatMissing}`);
      const testbed = path.join(tmp, 'optics.yaml');
      fs.writeFileSync(
        testbed,
        [
          'name: optics-pair',
          'topology:',
          '  devices:',
          '    - { id: sw1, kind: switch, ports: [port1, port2, port3], params: { optics: { ports: { port1: conventional-400g-fr4, port2: lpo-800g-dr8 } } } }',
          '    - { id: h1, kind: host, ports: [port1, port2], params: { optics: { ports: { port1: conventional-400g-fr4, port2: lpo-800g-dr8 } } } }',
          '  links:',
          '    - { a: "sw1:port1", b: "h1:port1", rateBps: 400000000000, lengthKm: 0.5 }',
          '    - { a: "sw1:port2", b: "h1:port2", rateBps: 800000000000, lengthKm: 0.1 }',
          'binding:',
          '  devices:',
          '    sw1: { driver: emulator }',
          '    h1: { driver: emulator }',
          '',
        ].join('\n'),
      );
      const dir = path.join(tmp, 'optics');
      const up = await labUp({ testbedFile: testbed, dir });
      const ref = openEmulator(
        (() => {
          const tb = loadTestbed(testbed);
          return { devices: tb.devices.map((d) => ({ id: d.id, kind: d.kind, ports: d.ports, params: d.params })), links: tb.links };
        })(),
        1,
      );
      const bound = await bindTestbed(loadTestbed(up.bindingFile), { seed: 1, driverTimeoutMs: 10_000, env: { ...process.env, ...readLabEnv(up.envFile) } });
      try {
        expect(up.devices.map((d) => [d.id, d.consoles])).toEqual([['sw1', 2], ['h1', 2]]);
        expect(up.pids.length).toBe(1 + 4);
        const sw = bound.devices.get('sw1')!;
        expect(sw.driver).toBe('netconf+snmp+otg+serial');
        for (const port of ['port1', 'port2']) {
          // Upper page 00h: identifier, vendor, part and serial numbers (static bytes).
          const got = await sw.cmis!.read(port, 0, 0, 128, 128);
          expect(got).toEqual(await ref.devices.get('sw1')!.cmis!.read(port, 0, 0, 128, 128));
        }
        expect(await sw.state!.get('/optics/ports')).toHaveLength(2);
        await expect(sw.cmis!.read('port3', 0, 0, 0, 1)).rejects.toThrow(/no console bridge for port "port3"/);
      } finally {
        await bound.close();
        await labDown({ dir });
      }
      expect(up.pids.filter(running)).toEqual([]);
    },
    120_000,
  );
});
