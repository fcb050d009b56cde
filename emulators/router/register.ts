// Registers the `router` device model and the router/WAN defect profiles (imported by emulators/registry.ts).
//
// Model parameters of a `router` device (testbed `params`, all optional):
//   locator            SRv6 locator, an IPv6 prefix of 16, 32, 48, 64 or 80 bits (default fc00:0:<n>::/48,
//                      n = the router's rank among the testbed's routers, from 1)
//   bfd                { desiredMinTxUs, requiredMinRxUs, detectMult }: BFD on every port facing a router
//   pfc                { xoffBytes, xonBytes, headroomBytes }: PFC on (headroomBytes omitted = auto)
//   ecnMinBytes / ecnMaxBytes / queueBytes   egress queues (as every forwarding node)
//   loadBalancing      ecmp (default) | ucmp
//   hpwanQuotaBps      reservable bandwidth of HP-WAN tasks (default 0: only maximum-mode tasks fit)
//   teLossBoundPct     the training-efficiency loss bound a suite checks (RTR-5), served at /sla/state
//   ethernet           free-form 802.3 facts (e.g. { pmd: 800GBASE-DR8, lanes: 8, laneRateBps: 106.25e9 })

import { ipv6ParseAddress } from '../../protocols/ipv6/address.ts';
import { registerModel } from '../build.ts';
import { registerDefect } from '../defects/registry.ts';
import { TwinBuildError, type TwinDeviceSpec } from '../twin.ts';
import { hashString } from '../sim/rng.ts';
import { BFD_CONFORMANT } from './bfd.ts';
import { RouterModel } from './model.ts';
import '../wan/generators.ts';
import { ROUTER_CONFORMANT, Router, type RouterDefects } from './router.ts';

export const ROUTER_KIND = 'router';

/** The defect profiles of the router family: id -> what it breaks and which requirements catch it. */
export const ROUTER_DEFECTS = {
  'bfd-ignores-multiplier': {
    description: 'BFD declares the session down after one missed interval: the detection time ignores the Detect Mult (RFC 5880 §6.8.4).',
    requirements: ['RFC5880-6.8.4', 'RTR-3'],
  },
  'bfd-ignores-remote-min-rx': {
    description: 'BFD transmits at its own Desired Min TX even when the peer asks for a slower rate (Required Min RX ignored, RFC 5880 §6.8.7).',
    requirements: ['RFC5880-6.8.7', 'RFC5880-6.8.3'],
  },
  'bfd-no-diagnostic': {
    description: 'A BFD session that times out goes Down with diagnostic 0 instead of 1 (Control Detection Time Expired).',
    requirements: ['RFC5880-6.8.4'],
  },
  'bfd-no-switchover': {
    description: 'A BFD Down does not move traffic to the backup path: only a link down does.',
    requirements: ['RTR-3'],
  },
  'ecmp-polarisation': {
    description: 'ECMP hashes every flow onto the same member: all flows take one path.',
    requirements: ['RTR-1'],
  },
  'ecmp-per-packet': {
    description: 'ECMP hashes per packet (sequence number in the hash): a flow is spread over paths and reordered.',
    requirements: ['RTR-1'],
  },
  'ucmp-ignores-weights': {
    description: 'UCMP splits traffic equally whatever the configured weights.',
    requirements: ['RTR-1'],
  },
  'srv6-sl-not-decremented': {
    description: 'SRv6 End and End.X advance to the next segment without decrementing Segments Left (RFC 8754 §4.3.1.1).',
    requirements: ['RFC8754-4.3.1.1', 'RFC8986-4.1'],
  },
  'srv6-end-x-ignores-adjacency': {
    description: 'SRv6 End.X routes on the next segment instead of sending on its adjacency (RFC 8986 §4.2).',
    requirements: ['RFC8986-4.2', 'WAN-1'],
  },
  'vrf-leak': {
    description: 'Lookups ignore the network instance: traffic of one tenant VRF reaches another tenant.',
    requirements: ['RTR-4', 'RFC8986-4.7'],
  },
  'multicast-duplicates': {
    description: 'The router sends every multicast copy twice: receivers get each packet twice.',
    requirements: ['RTR-1', 'RFC1112-host-group'],
  },
  'multicast-flood': {
    description: 'The router floods multicast to every access port, joined or not.',
    requirements: ['RTR-1', 'RFC1112-host-group'],
  },
  'pfc-headroom-fixed': {
    description: 'PFC headroom is sized for a 300 m cable whatever the link length: a long-haul lossless link drops.',
    requirements: ['RTR-5', 'IEEE802.1Qbb-headroom'],
  },
  'hpwan-ignores-minimum': {
    description: 'HP-WAN minimum (and optimal) rates get no priority: under contention a task falls below its reserved rate.',
    requirements: ['HPW-2', 'HPW-4'],
  },
  'hpwan-no-shaping': {
    description: 'HP-WAN maximum rates and slice bandwidths are not enforced at ingress.',
    requirements: ['HPW-2', 'HPW-4', 'RTR-4'],
  },
  'slice-resize-ignored': {
    description: 'A slice keeps the bandwidth it was first provisioned with: re-provisioning it in flight changes nothing.',
    requirements: ['RTR-6'],
  },
  'elephants-missed': {
    description: 'Adaptive load balancing never identifies an elephant flow: elephants are hashed like mice and may pile onto one member.',
    requirements: ['RTR-7'],
  },
  'hpwan-admits-over-quota': {
    description: 'Admission control grants reservations beyond the quota.',
    requirements: ['HPW-3'],
  },
  'hpwan-no-proxy-notification': {
    description: 'The proxy gateway drops congestion notifications: senders learn of congestion only end to end.',
    requirements: ['HPW-5'],
  },
} as const satisfies Record<string, { description: string; requirements: string[] }>;

export type RouterDefectId = keyof typeof ROUTER_DEFECTS;

for (const [id, d] of Object.entries(ROUTER_DEFECTS)) {
  registerDefect({ id, description: d.description, appliesTo: [ROUTER_KIND], requirements: [...d.requirements] });
}

/** The model's defect switches from a device's profile list. */
export function routerDefects(ids: readonly string[]): RouterDefects {
  const has = (id: RouterDefectId) => ids.includes(id);
  return {
    ...ROUTER_CONFORMANT,
    polarise: has('ecmp-polarisation'),
    perPacket: has('ecmp-per-packet'),
    ucmpIgnoresWeights: has('ucmp-ignores-weights'),
    noSwitchover: has('bfd-no-switchover'),
    slNotDecremented: has('srv6-sl-not-decremented'),
    endXIgnoresAdjacency: has('srv6-end-x-ignores-adjacency'),
    vrfLeak: has('vrf-leak'),
    mcastDuplicates: has('multicast-duplicates'),
    mcastFlood: has('multicast-flood'),
    headroomFixed: has('pfc-headroom-fixed'),
    hpwanNoMinimum: has('hpwan-ignores-minimum'),
    hpwanNoShaping: has('hpwan-no-shaping'),
    hpwanAdmitsAll: has('hpwan-admits-over-quota'),
    sliceResizeIgnored: has('slice-resize-ignored'),
    elephantsMissed: has('elephants-missed'),
    noProxyNotification: has('hpwan-no-proxy-notification'),
    bfd: {
      ...BFD_CONFORMANT,
      multiplier: !has('bfd-ignores-multiplier'),
      honourRemoteMinRx: !has('bfd-ignores-remote-min-rx'),
      expiryDiag: has('bfd-no-diagnostic') ? 0 : BFD_CONFORMANT.expiryDiag,
    },
  };
}

function param<T>(spec: TwinDeviceSpec, name: string, check: (v: unknown) => v is T, expected: string): T | undefined {
  const v = spec.params?.[name];
  if (v === undefined) return undefined;
  if (!check(v)) throw new TwinBuildError(`device '${spec.id}': param '${name}' must be ${expected}, got ${JSON.stringify(v)}`);
  return v;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';

function locatorOf(spec: TwinDeviceSpec, ordinal: number): { prefix: Uint8Array; bits: number } {
  const text = param(spec, 'locator', isStr, 'an IPv6 prefix such as fc00:0:1::/48') ?? `fc00:0:${ordinal.toString(16)}::/48`;
  const m = /^([0-9a-fA-F:]+)\/(\d+)$/.exec(text);
  const bits = m === null ? NaN : Number(m[2]);
  if (m === null || ![16, 32, 48, 64, 80].includes(bits)) {
    throw new TwinBuildError(`device '${spec.id}': param 'locator' must be an IPv6 prefix of 16, 32, 48, 64 or 80 bits, got ${JSON.stringify(text)}`);
  }
  try {
    return { prefix: ipv6ParseAddress(m[1]), bits };
  } catch {
    throw new TwinBuildError(`device '${spec.id}': param 'locator' ${text} is not an IPv6 prefix`);
  }
}

registerModel(ROUTER_KIND, {
  role: 'switch',
  create(ctx) {
    const { spec, runtime, nodeIndex } = ctx;
    const ordinal = runtime.devices.slice(0, nodeIndex + 1).filter((d) => d.kind === ROUTER_KIND).length;
    const loc = locatorOf(spec, ordinal);
    const router = new Router(runtime, nodeIndex, spec.id, spec.ports, {
      locatorPrefix: loc.prefix,
      locatorBits: loc.bits,
      ordinal,
      salt: runtime.network.rng.fork(`router-salt-${hashString(spec.id)}`).nextU32(),
      defects: routerDefects(ctx.defects),
    });
    const lb = param(spec, 'loadBalancing', isStr, 'ecmp or ucmp');
    if (lb !== undefined) {
      if (lb !== 'ecmp' && lb !== 'ucmp') throw new TwinBuildError(`device '${spec.id}': param 'loadBalancing' must be ecmp or ucmp`);
      router.loadBalancing = lb;
    }
    const quota = param(spec, 'hpwanQuotaBps', isNum, 'a rate in b/s');
    if (quota !== undefined) router.setQuota(quota);
    const bfd = param(spec, 'bfd', isObj, 'a mapping { desiredMinTxUs, requiredMinRxUs, detectMult }');
    if (bfd !== undefined) {
      const timers = {
        desiredMinTxUs: isNum(bfd.desiredMinTxUs) ? bfd.desiredMinTxUs : 100_000,
        requiredMinRxUs: isNum(bfd.requiredMinRxUs) ? bfd.requiredMinRxUs : 100_000,
        detectMult: isNum(bfd.detectMult) ? bfd.detectMult : 3,
      };
      spec.ports.forEach((_, p) => {
        if (router.peerRouter[p] >= 0 && runtime.network.egressLink(nodeIndex, p) !== null) router.setBfd(p, timers);
      });
    }
    const pfc = param(spec, 'pfc', isObj, 'a mapping { xoffBytes, xonBytes, headroomBytes }');
    if (pfc !== undefined) {
      const xoff = isNum(pfc.xoffBytes) ? pfc.xoffBytes : 1 << 20;
      router.setPfc({ xoffBytes: xoff, xonBytes: isNum(pfc.xonBytes) ? pfc.xonBytes : xoff / 2, headroom: isNum(pfc.headroomBytes) ? pfc.headroomBytes : 'auto' });
    }
    const bound = param(spec, 'teLossBoundPct', isNum, 'a percentage');
    const ethernet = param(spec, 'ethernet', isObj, 'a mapping of 802.3 facts');
    return new RouterModel(runtime, nodeIndex, spec, ctx.defects, router, bound, ethernet);
  },
});
