// A realistic RunResults for the report tests: three suites, every status, deviations, charts, tables.
//
// Built with the harness's own summarise/tiers, so its summary and tiers are what a run would write.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { summarise, tiers, type Metric, type RunResults, type TestRecord } from '../harness/results.ts';

export const DEVIATION_LINK = 'https://bugs.example.com/vendor/4711?q=a&b=<x>';

type TestInit = Partial<TestRecord> & Pick<TestRecord, 'suite' | 'name' | 'status' | 'requirements' | 'devices'>;

export function sampleTest(init: TestInit): TestRecord {
  const file = `suites/${init.suite}/${init.suite}.test.ts`;
  const fullName = `${init.suite} > ${init.name}`;
  return {
    id: `${file}::${fullName}`,
    file,
    fullName,
    deviationsUsed: [],
    durationMs: 12.5,
    metrics: [],
    attachments: [],
    ...init,
  };
}

const fct: Metric = {
  name: 'flow completion time',
  unit: 'us',
  x: { name: 'offered load', unit: '%' },
  series: [
    { label: 'spraying', points: [[10, 4.1], [30, 4.6], [50, 5.9], [70, 8.2], [90, 14.7]] },
    { label: 'ECMP', points: [[10, 4.3], [30, 6.2], [50, 11.8], [70, 25.1], [90, 61.0]] },
    { label: 'spraying + trimming', points: [[10, 4.0], [30, 4.4], [50, 5.2], [70, 6.9], [90, 10.3]] },
  ],
};

const goodput: Metric = {
  name: 'goodput',
  unit: 'Gb/s',
  chart: 'bar',
  x: { name: 'port', unit: 'index' },
  series: [
    { label: 'no fault', points: [[1, 796], [2, 797], [3, 795], [4, 798]] },
    { label: 'one link down', points: [[1, 601], [2, 598], [3, 604], [4, 0]] },
  ],
};

const retransmits: Metric = {
  name: 'retransmissions per flow',
  unit: 'packets',
  table: { columns: ['flow', 'sent', 'retransmitted', 'ratio'], rows: [['f1', 10000, 12, '0.12 %'], ['f2', 10000, 0, '0 %']] },
};

export function sampleResults(): RunResults {
  const tests: TestRecord[] = [
    sampleTest({ suite: 'gse', name: 'sprays containers over all planes', status: 'passed', requirements: ['GSE-FWD-1', 'GSE-FWD-2'], devices: ['gsp1'], metrics: [goodput, { name: 'planes used', unit: 'planes', value: 4 }] }),
    sampleTest({ suite: 'gse', name: 'grants before sending', status: 'failed', requirements: ['GSE-FWD-2'], devices: ['gsp1'], message: 'expected grant before data: got data at t=1200 ps & <no grant>', stack: 'AssertionError: expected grant\n    at suites/gse/gse.test.ts:42:7' }),
    sampleTest({ suite: 'gse', name: 'reorders at egress', status: 'passed', requirements: ['GSE-FWD-3'], devices: ['gsf1'], deviationsUsed: [{ device: 'gsf1', id: 'egress-reorder-window-short' }] }),
    sampleTest({ suite: 'uec', name: 'selective retransmission', status: 'passed', requirements: ['UEC-PDS-4'], devices: ['nic1'], metrics: [fct, retransmits, { name: 'p99 latency', unit: 'us', value: 14.7 }] }),
    sampleTest({ suite: 'uec', name: 'trims on congestion', status: 'broken', requirements: ['UEC-PDS-4', 'UEC-TRIM-1'], devices: ['nic1'], message: 'NETCONF session to nic1 closed', stack: 'Error: session closed\n    at drivers/netconf/client.ts:88:11' }),
    sampleTest({ suite: 'optics', name: 'reads CMIS page 0x11', status: 'blocked', requirements: ['CMIS-PAGE-11'], devices: ['osfp1'], message: "device osfp1 lacks capability 'cmis'" }),
    sampleTest({ suite: 'optics', name: 'laser off on fault', status: 'skipped', requirements: ['CMIS-PAGE-11'], devices: ['osfp1'], durationMs: 0 }),
  ];
  const devices: RunResults['devices'] = [
    { id: 'gsp1', kind: 'gsp', driver: 'emulator', deviations: [], defects: [] },
    { id: 'gsf1', kind: 'gsf', driver: 'netconf', deviations: [{ id: 'egress-reorder-window-short', reason: 'firmware 2.1 keeps a 64-entry window', link: DEVIATION_LINK }], defects: [] },
    { id: 'nic1', kind: 'uet-nic', driver: 'emulator', deviations: [], defects: ['go-back-n'] },
    { id: 'osfp1', kind: 'optic', driver: 'serial', deviations: [], defects: [] },
  ];
  return {
    schemaVersion: 1,
    runId: '2026-11-21T02-52-18Z-s42',
    tool: { name: 'fabric-hil', version: '0.1.0' },
    startedAt: '2026-11-21T02:52:18.000Z',
    finishedAt: '2026-11-21T02:53:01.250Z',
    complete: true,
    testbed: { file: 'config/testbeds/emulator.yaml', name: 'emulator <default>' },
    seed: 42,
    shard: null,
    devices,
    requirements: [
      { id: 'GSE-FWD-1', title: 'GSP sprays packet containers across all planes', source: 'seed-facts' },
      { id: 'GSE-FWD-2', title: 'No data before a grant', source: 'seed-facts' },
      { id: 'GSE-FWD-3', title: 'GSF egress restores order', source: 'seed-facts' },
      { id: 'UEC-PDS-4', title: 'Selective retransmission of lost packets', source: 'UEC 1.0 3.5' },
      { id: 'UEC-TRIM-1', title: 'Trimmed packets are NACKed', source: 'UEC 1.0 3.6' },
      { id: 'CMIS-PAGE-11', title: 'Lane status on page 11h', source: 'CMIS 5.2 8.9' },
    ],
    tests,
    summary: summarise(tests),
    tiers: tiers(devices, tests),
  };
}

const ALLURE_STATUS = { passed: 'passed', failed: 'failed', broken: 'broken', blocked: 'skipped', skipped: 'skipped' } as const;

/** Writes allure-results as allure-vitest would (one `<uuid>-result.json` per test), by hand. */
export function writeAllureResults(dir: string, results: RunResults): void {
  fs.mkdirSync(dir, { recursive: true });
  let start = Date.parse(results.startedAt);
  for (const t of results.tests) {
    const uuid = randomUUID();
    const stop = start + Math.round(t.durationMs);
    const result = {
      uuid,
      historyId: t.id,
      name: t.name,
      fullName: t.fullName,
      status: ALLURE_STATUS[t.status],
      statusDetails: t.message ? { message: t.message, trace: t.stack } : {},
      labels: [
        { name: 'suite', value: t.suite },
        { name: 'epic', value: t.suite },
        ...t.requirements.map((r) => ({ name: 'requirement', value: r })),
      ],
      steps: [],
      attachments: [],
      parameters: [],
      start,
      stop,
    };
    fs.writeFileSync(path.join(dir, `${uuid}-result.json`), JSON.stringify(result));
    start = stop;
  }
}
