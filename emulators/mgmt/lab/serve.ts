// Entry script of the lab-in-a-box process: `node --import tsx emulators/mgmt/lab/serve.ts SPEC.json` (harness/lab-box.ts starts it detached).
//
// Reads the spec (serve-spec.ts LabServeFile) and the secrets from its environment (FABRIC_HIL_LAB_PASSWORD,
// FABRIC_HIL_LAB_COMMUNITY: never on disk here), starts every server (lab-server.ts), then
// writes the ready file atomically: `{ ok: true, pid, endpoints }`, or `{ ok: false, error }` and
// exits 1. SIGTERM or SIGINT stops everything (socat pairs included) and exits 0. A paced clock
// reads this process's monotonic clock; a stepped one (the default) reads none.
import fs from 'node:fs';
import '../../registry.ts';
import { startLabServer } from './lab-server.ts';
import { LAB_ENV, type LabReady, type LabServeFile } from './serve-spec.ts';

function writeReady(file: string, ready: LabReady): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(ready), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

const wallNowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

async function main(): Promise<number> {
  const specFile = process.argv[2];
  if (!specFile) {
    process.stderr.write('usage: serve.ts SPEC.json\n');
    return 2;
  }
  const spec = JSON.parse(fs.readFileSync(specFile, 'utf8')) as LabServeFile;
  const password = process.env[LAB_ENV.PASSWORD];
  const community = process.env[LAB_ENV.COMMUNITY];
  try {
    if (!password || !community) throw new Error(`${LAB_ENV.PASSWORD} and ${LAB_ENV.COMMUNITY} must be set`);
    const server = await startLabServer(spec, { username: spec.username, password, community }, {
      wallNowMs,
      onError: (e) => process.stderr.write(`lab: ${e.message}\n`),
    });
    let stopping = false;
    const shutdown = (): void => {
      if (stopping) return;
      stopping = true;
      void server.stop().finally(() => process.exit(0));
    };
    process.on('SIGTERM', shutdown);
    process.on('SIGINT', shutdown);
    writeReady(spec.readyFile, { ok: true, pid: process.pid, endpoints: server.endpoints });
    process.stdout.write(`lab ready: ${server.endpoints.devices.length} devices, pid ${process.pid}\n`);
    return -1; // keep serving
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    writeReady(spec.readyFile, { ok: false, pid: process.pid, error });
    process.stderr.write(`lab: ${error}\n`);
    return 1;
  }
}

const code = await main();
if (code >= 0) process.exit(code);
