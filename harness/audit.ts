// `fabric-hil audit`: runs each suite once per defect profile it should catch; scores suite strength.
//
// A defect profile is relevant to a suite when the suite's tests cite one of the requirements the
// profile names, and the testbed has an emulated device of a kind the profile applies to. The
// variant testbed switches every such device into the profile (written beside the run's results).
// Caught = some test failed; escaped = none did (tests that were broken or blocked catch nothing).
import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { defectProfiles, type DefectProfile } from '../emulators/defects/registry.ts';
import { loadTestbedOrThrow, runSuites, availableSuites, RunConfigError } from './run.ts';
import { listTests } from './list.ts';
import { EMULATOR_DRIVER } from '../drivers/emulator/emulator-driver.ts';
import type { Testbed } from './testbed.ts';
import { PROJECT_ROOT, DEFAULT_TESTBED_FILE } from './context.ts';

export interface AuditedDefect {
  id: string;
  caught: boolean;
  failedTests: string[];
  /** Devices switched into the profile. */
  devices: string[];
  /** Tests that were broken in the variant run (they catch nothing; worth a look). */
  brokenTests: string[];
}

export interface SuiteAudit {
  suite: string;
  defects: AuditedDefect[];
  caught: number;
  total: number;
}

export interface AuditOptions {
  suites?: string[];
  testbedFile?: string;
  seed?: number;
  outDir?: string;
  driverTimeoutMs?: number;
  /** Called before each variant run (progress). */
  onVariant?: (suite: string, defect: DefectProfile, index: number, count: number) => void;
}

/** The profiles relevant to a suite on a testbed, with the devices each would be applied to. */
export function relevantDefects(
  suiteRequirements: ReadonlySet<string>,
  tb: Testbed,
  profiles: readonly DefectProfile[] = defectProfiles(),
): Array<{ profile: DefectProfile; devices: string[] }> {
  const out: Array<{ profile: DefectProfile; devices: string[] }> = [];
  for (const profile of profiles) {
    if (!profile.requirements.some((r) => suiteRequirements.has(r))) continue;
    const devices = tb.devices
      .filter((d) => d.drivers.includes(EMULATOR_DRIVER) && profile.appliesTo.includes(d.kind))
      .map((d) => d.id);
    if (devices.length > 0) out.push({ profile, devices });
  }
  return out;
}

/**
 * The testbed text with `defect` added to the binding of each device in `devices`. A generated
 * device without a binding of its own gets a copy of its fabric's binding first.
 */
export function variantTestbedText(text: string, tb: Testbed, devices: readonly string[], defect: string): string {
  const doc = parseDocument(text);
  const json = (path: string[]): unknown => (doc.getIn(path) as { toJSON(): unknown } | undefined)?.toJSON?.() ?? doc.getIn(path);
  for (const id of devices) {
    const fabric = tb.devices.find((d) => d.id === id)?.fabric;
    if (json(['binding', 'devices', id]) === undefined && fabric !== undefined) {
      doc.setIn(['binding', 'devices', id], doc.createNode(json(['binding', 'fabrics', fabric]), { flow: true }));
    }
    const current = json(['binding', 'devices', id, 'defects']);
    const list = Array.isArray(current) ? (current as string[]) : [];
    if (!list.includes(defect)) doc.setIn(['binding', 'devices', id, 'defects'], doc.createNode([...list, defect], { flow: true }));
  }
  return doc.toString();
}

export async function audit(opts: AuditOptions): Promise<SuiteAudit[]> {
  const testbedFile = path.resolve(opts.testbedFile ?? DEFAULT_TESTBED_FILE);
  const tb = loadTestbedOrThrow(testbedFile);
  const text = fs.readFileSync(testbedFile, 'utf8');
  const suites = opts.suites && opts.suites.length > 0 ? opts.suites : availableSuites();
  const tests = await listTests(suites);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const auditDir = path.resolve(opts.outDir ?? path.join(PROJECT_ROOT, 'reports', 'out'), `audit-${stamp}`);
  const out: SuiteAudit[] = [];
  for (const suite of suites) {
    const reqs = new Set(tests.filter((t) => t.suite === suite).flatMap((t) => t.requirements));
    const relevant = relevantDefects(reqs, tb);
    const audited: AuditedDefect[] = [];
    for (const [i, { profile, devices }] of relevant.entries()) {
      opts.onVariant?.(suite, profile, i, relevant.length);
      const variantDir = path.join(auditDir, suite, profile.id);
      fs.mkdirSync(variantDir, { recursive: true });
      const variantFile = path.join(variantDir, `testbed-${profile.id}.yaml`);
      fs.writeFileSync(variantFile, variantTestbedText(text, tb, devices, profile.id));
      const outcome = await runSuites({
        testbedFile: variantFile,
        suites: [suite],
        outDir: variantDir,
        runId: 'run',
        seed: opts.seed,
        driverTimeoutMs: opts.driverTimeoutMs,
        allure: false,
        progress: null,
      });
      const failed = outcome.results.tests.filter((t) => t.status === 'failed').map((t) => t.fullName);
      audited.push({
        id: profile.id,
        caught: failed.length > 0,
        failedTests: failed,
        devices,
        brokenTests: outcome.results.tests.filter((t) => t.status === 'broken').map((t) => t.fullName),
      });
    }
    out.push({ suite, defects: audited, caught: audited.filter((d) => d.caught).length, total: audited.length });
  }
  if (out.length === 0) throw new RunConfigError('no suite to audit');
  return out;
}

export function formatAudit(audits: readonly SuiteAudit[]): string {
  const lines: string[] = [];
  for (const a of audits) {
    lines.push(`suite ${a.suite}: ${a.caught}/${a.total} defect profiles caught${a.total ? ` (${Math.round((100 * a.caught) / a.total)}%)` : ''}`);
    for (const d of a.defects) {
      lines.push(`  ${d.caught ? 'caught ' : 'ESCAPED'} ${d.id}${d.caught ? `: ${d.failedTests.length} test(s) failed` : ''}`);
      if (!d.caught && d.brokenTests.length > 0) lines.push(`          (${d.brokenTests.length} test(s) broken, which catches nothing)`);
    }
    if (a.total === 0) lines.push('  no defect profile covers this suite\'s requirements on this testbed');
  }
  return `${lines.join('\n')}\n`;
}
