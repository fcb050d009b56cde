// Lab-in-a-box: builds the twin and serves each emulated device as real gear is reached, on loopback.
//
// Per device: a NETCONF server over SSH (ietf-interfaces and the fabric-hil-emulator module,
// twin-netconf.ts), an SNMP agent (IF-MIB, twin-snmp.ts) when the node counts, an OTG-like HTTP
// API (otg-server.ts) when the node has traffic or capture, and a console server on one end of a
// socat pty pair per port holding a CMIS module (or an external laser source). Every server reads
// the twin through one ServedTwin (served-twin.ts): device time is stepped (moved by the module's
// advance-time RPC) or paced to the wall clock, and the module's reset RPC rebuilds the twin for
// all of them. Guarantees: `stop()` closes every server and stops every socat it started; a
// start-up failure stops what was started before rethrowing; the endpoints returned name every
// port and path a binding needs.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buildTwin } from '../../build.ts';
import type { Twin, TwinNode, TwinTopology } from '../../twin.ts';
import { NetconfServer } from '../netconf/server.ts';
import { SnmpAgent } from '../snmp/agent.ts';
import { ConsoleServer } from '../serial/console-server.ts';
import { IETF_INTERFACES_CAPABILITY, NETCONF_BASE_NS, childElement, isElement, type XmlElement } from '../../../protocols/netconf/index.ts';
import { OtgServer } from './otg-server.ts';
import { ServedTwin, type LabClock } from './served-twin.ts';
import { startPtyPair } from './pty.ts';
import { cmisPorts, twinPortMemory } from './twin-console.ts';
import { TwinNetconfProvider } from './twin-netconf.ts';
import { TwinSnmpProvider } from './twin-snmp.ts';
import { EMULATOR_CAPABILITY, EMULATOR_NS, EMULATOR_RPC, EMULATOR_STATE } from './yang.ts';
import { generateEd25519KeyPair } from '../../../protocols/netconf/ssh-keys.ts';

/** Defect profile under which a device's management plane stops answering (as drivers/emulator). */
const MGMT_UNRESPONSIVE = 'mgmt-unresponsive';
/** Operations an unresponsive management plane leaves unanswered (faults and the clock still answer). */
const MGMT_READS = new Set(['get', 'get-config', 'edit-config', EMULATOR_RPC.GET_STATE, EMULATOR_RPC.GET_CONFIG_VALUE, EMULATOR_RPC.EDIT_CONFIG_VALUE]);

/** An unresponsive management plane hangs its reads, but still answers a <get> of the emulator container alone (the clock). */
function hangsWhenUnresponsive(name: string, op: XmlElement): boolean {
  if (!MGMT_READS.has(name)) return false;
  if (name !== 'get') return true;
  const filter = childElement(op, 'filter', NETCONF_BASE_NS);
  const tops = filter?.children ?? [];
  return !(tops.length > 0 && tops.every((t) => isElement(t, EMULATOR_STATE.CONTAINER, EMULATOR_NS)));
}

/** How device time moves: stepped unless a spec asks for pacing. */
export function labClockOf(spec: Pick<LabServeSpec, 'clock' | 'timeScale'>): LabClock {
  return spec.clock === 'paced' ? { mode: 'paced', timeScale: spec.timeScale ?? NaN } : { mode: 'stepped' };
}

export interface LabServeSpec {
  topology: TwinTopology;
  seed: number;
  /** How device time moves (default stepped: only when a client asks, through advance-time). */
  clock?: 'stepped' | 'paced';
  /** Virtual seconds per wall second, for a paced clock. */
  timeScale?: number;
  /** Folder for the pty links and their logs. */
  ptyDir: string;
}

export interface LabCredentials {
  username: string;
  password: string;
  community: string;
}

export interface LabDeviceEndpoints {
  id: string;
  netconfPort: number;
  snmpPort?: number;
  otgUrl?: string;
  /** What the OTG endpoint serves: the node's traffic, its capture, or both. */
  otgOffers?: Array<'traffic' | 'capture'>;
  /** Port name -> pty path for the serial driver. */
  serial: Record<string, string>;
}

export interface LabEndpoints {
  hostPublicKey: string;
  devices: LabDeviceEndpoints[];
  /** PIDs of the socat processes started (besides this process). */
  helperPids: number[];
}

export interface LabServer {
  /** The twin served now (a reset replaces it). */
  readonly twin: Twin;
  readonly served: ServedTwin;
  readonly endpoints: LabEndpoints;
  stop(): Promise<void>;
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]+/g, '_');
}

export async function startLabServer(
  spec: LabServeSpec,
  creds: LabCredentials,
  opts: { wallNowMs?: () => number; onError?: (e: Error) => void; socat?: string },
): Promise<LabServer> {
  const served = new ServedTwin({
    build: () => buildTwin(spec.topology, { seed: spec.seed }),
    clock: labClockOf(spec),
    ...(opts.wallNowMs ? { wallNowMs: opts.wallNowMs } : {}),
  });
  const twinId = randomUUID();
  const stops: Array<() => Promise<void> | void> = [];
  const helperPids: number[] = [];
  const stop = async (): Promise<void> => {
    served.stop();
    for (const s of stops.reverse()) await Promise.resolve().then(s).catch(() => undefined);
    stops.length = 0;
  };
  const hostKey = generateEd25519KeyPair().private;
  let hostPublicKey = '';
  const devices: LabDeviceEndpoints[] = [];
  try {
    for (const d of spec.topology.devices) {
      const node = served.node(d.id);
      const current = (): TwinNode => served.node(d.id);
      const provider = new TwinNetconfProvider({ served, deviceId: d.id, twinId });
      const unresponsive = node.defects.includes(MGMT_UNRESPONSIVE);
      const netconf = new NetconfServer({
        provider,
        hostKey,
        users: [{ username: creds.username, password: creds.password }],
        moduleCapabilities: [IETF_INTERFACES_CAPABILITY, EMULATOR_CAPABILITY],
        ...(unresponsive ? { misbehave: (name: string, _session: number, op: XmlElement) => (hangsWhenUnresponsive(name, op) ? 'hang' : undefined) } : {}),
      });
      served.onReset(() => netconf.discardCandidate());
      const netconfPort = await netconf.start();
      stops.push(() => netconf.stop());
      hostPublicKey = netconf.hostPublicKey;
      const ep: LabDeviceEndpoints = { id: d.id, netconfPort, serial: {} };
      // An unresponsive management plane serves no SNMP either: counters then come over NETCONF, which hangs.
      if (node.counters && !unresponsive) {
        const agent = new SnmpAgent({
          provider: new TwinSnmpProvider(current, (p) => provider.adminUp(p)),
          community: creds.community,
          sysName: d.id,
          sysDescr: `fabric-hil lab-in-a-box ${d.kind} ${d.id}`,
          upTimeMs: () => served.twin.nowPs() / 1e9,
          ...(opts.onError ? { onError: opts.onError } : {}),
        });
        ep.snmpPort = await agent.start();
        stops.push(() => agent.stop());
      }
      if (node.traffic || node.capture) {
        const otg = new OtgServer({ node: current });
        served.onReset(() => otg.reset());
        await otg.start();
        ep.otgUrl = otg.url;
        ep.otgOffers = [...(node.traffic ? (['traffic'] as const) : []), ...(node.capture ? (['capture'] as const) : [])];
        stops.push(() => otg.stop());
      }
      for (const port of cmisPorts(node)) {
        fs.mkdirSync(spec.ptyDir, { recursive: true });
        const pair = await startPtyPair(path.join(spec.ptyDir, `${safeName(d.id)}-${safeName(port)}`), opts.socat ? { socat: opts.socat } : {});
        helperPids.push(pair.pid);
        stops.push(() => {
          try {
            process.kill(pair.pid, 'SIGTERM');
          } catch {
            // already gone
          }
        });
        const server = await ConsoleServer.open({
          path: pair.serverPath,
          memory: twinPortMemory(current, port),
          id: `fabric-hil lab-in-a-box console ${d.id}:${port}`,
          ...(opts.onError ? { onError: opts.onError } : {}),
        });
        stops.push(() => server.close());
        ep.serial[port] = pair.clientPath;
      }
      devices.push(ep);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  served.start();
  return {
    get twin() {
      return served.twin;
    },
    served,
    endpoints: { hostPublicKey, devices, helperPids },
    stop,
  };
}
