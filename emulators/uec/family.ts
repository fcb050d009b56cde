// The Ultra Ethernet family's registrations: the uec-nic and uec-switch models, the uec-leaf-spine generator, and the UEC defect profiles.
//
// Imported once by emulators/registry.ts. Every defect cites the UE 1.0 requirement IDs whose
// checks in suites/uec catch it (suites/requirements.ts, "Ultra Ethernet" block).

import { registerModel } from '../build.ts';
import { registerDefect } from '../defects/registry.ts';
import { GeneratorError, intParam, kindParam, numberParam, registerGenerator, type GeneratedTopology } from '../generators.ts';
import { UEC_DEFECT, UecNicModel, UecSwitchModel } from './models.ts';

registerModel('uec-nic', {
  role: 'endpoint',
  create: (ctx) => new UecNicModel(ctx.runtime, ctx.nodeIndex, ctx.spec, ctx.defects),
});

registerModel('uec-switch', {
  role: 'switch',
  create: (ctx) => new UecSwitchModel(ctx.runtime, ctx.nodeIndex, ctx.spec, ctx.defects),
});

function mapParam(p: Record<string, unknown>, name: string): Record<string, unknown> {
  const v = p[name] ?? {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new GeneratorError(name, 'expected a mapping of parameter names to values');
  return v as Record<string, unknown>;
}

registerGenerator('uec-leaf-spine', {
  description:
    'Ultra Ethernet leaf-spine: uec-switch leaves with uec-nic endpoints, spines (uec-switch or standard switch) joined to every leaf by `parallel` links, optional UET traffic generators on the last leaf',
  params: {
    leaves: 'leaf switches (default 2)',
    spines: 'spine switches (default 2)',
    nicsPerLeaf: 'uec-nic endpoints under each leaf (default 4)',
    parallel: 'links between each leaf and each spine (default 1)',
    generators: 'traffic-generator endpoints on the last leaf (default 0)',
    spineKind: 'uec-switch (default) or switch',
    rateBps: 'rate of every link (default 100e9)',
    lengthKm: 'fibre length of every link (default 0.2 km = 1 us)',
    switchParams: 'model parameters for every switch (queueBytes, ecnMinBytes, llr, cbfc...)',
    nicParams: 'model parameters for every NIC (mpr, deliveryMode, llr, cbfc...)',
  },
  generate(prefix, p): GeneratedTopology {
    const leaves = intParam(p, 'leaves', 2, 1, 256);
    const spines = intParam(p, 'spines', 2, 1, 256);
    const nics = intParam(p, 'nicsPerLeaf', 4, 1, 256);
    const parallel = intParam(p, 'parallel', 1, 1, 16);
    const gens = intParam(p, 'generators', 0, 0, 64);
    const spineKind = kindParam(p, 'spineKind', 'uec-switch', ['uec-switch', 'switch']);
    const rateBps = numberParam(p, 'rateBps', 100e9, 1);
    const lengthKm = numberParam(p, 'lengthKm', 0.2, 0);
    const switchParams = mapParam(p, 'switchParams');
    const nicParams = mapParam(p, 'nicParams');
    const devices: GeneratedTopology['devices'] = [];
    const links: GeneratedTopology['links'] = [];
    const link = (a: string, ap: string, b: string, bp: string) =>
      links.push({ a: { device: a, port: ap }, b: { device: b, port: bp }, rateBps, lengthKm, fibre: 'smf' });
    const up = spines * parallel;
    for (let l = 0; l < leaves; l++) {
      const ports = [
        ...Array.from({ length: nics }, (_, i) => `n${i}`),
        ...Array.from({ length: up }, (_, i) => `u${i}`),
        ...(l === leaves - 1 ? Array.from({ length: gens }, (_, i) => `t${i}`) : []),
      ];
      devices.push({ id: `${prefix}-leaf${l}`, kind: 'uec-switch', ports, params: { ...switchParams } });
    }
    for (let s = 0; s < spines; s++) {
      devices.push({ id: `${prefix}-spine${s}`, kind: spineKind, ports: Array.from({ length: leaves * parallel }, (_, i) => `d${i}`), params: { ...switchParams } });
    }
    for (let l = 0; l < leaves; l++) {
      for (let i = 0; i < nics; i++) {
        const id = `${prefix}-nic${l * nics + i}`;
        devices.push({ id, kind: 'uec-nic', ports: ['p0'], params: { ...nicParams } });
        link(id, 'p0', `${prefix}-leaf${l}`, `n${i}`);
      }
    }
    for (let t = 0; t < gens; t++) {
      const id = `${prefix}-tg${t}`;
      devices.push({ id, kind: 'traffic-generator', ports: ['p0'], params: {} });
      link(id, 'p0', `${prefix}-leaf${leaves - 1}`, `t${t}`);
    }
    for (let l = 0; l < leaves; l++) {
      for (let s = 0; s < spines; s++) {
        for (let k = 0; k < parallel; k++) link(`${prefix}-leaf${l}`, `u${s * parallel + k}`, `${prefix}-spine${s}`, `d${l * parallel + k}`);
      }
    }
    return { devices, links };
  },
});

const NIC = ['uec-nic'];
const SWITCH = ['uec-switch'];
const BOTH = ['uec-nic', 'uec-switch'];

const DEFECTS: Array<{ id: string; appliesTo: string[]; requirements: string[]; description: string }> = [
  {
    id: UEC_DEFECT.nicGoBackN,
    appliesTo: NIC,
    requirements: ['UE1.0-PDS-SACK'],
    description: 'The UET NIC recovers losses by go-back-N: its target drops out-of-order packets and its initiator resends everything from the first loss.',
  },
  {
    id: UEC_DEFECT.retxFlagMissing,
    appliesTo: NIC,
    requirements: ['UE1.0-PDS-FLAGS'],
    description: 'Retransmitted requests go out without the RETX flag.',
  },
  {
    id: UEC_DEFECT.headerLayout,
    appliesTo: NIC,
    requirements: ['UE1.0-PDS-HEADERS'],
    description: 'Requests are 16 bytes (the CC-state bytes of RUD_CC_REQ written after a RUD_REQ/ROD_REQ prologue), so the SES header starts 4 bytes late.',
  },
  {
    id: UEC_DEFECT.swappedPdcIds,
    appliesTo: NIC,
    requirements: ['UE1.0-PDS-HEADERS'],
    description: 'ACKs carry the source and destination PDC ids in each other\'s fields.',
  },
  {
    id: UEC_DEFECT.psnReuse,
    appliesTo: NIC,
    requirements: ['UE1.0-PDS-START-PSN'],
    description: 'Every PDC starts at the same PSN (13), so a reused PDC id starts within 2^16 of PSNs already used on it.',
  },
  {
    id: UEC_DEFECT.rodOutOfOrder,
    appliesTo: NIC,
    requirements: ['UE1.0-PDS-ROD'],
    description: 'A ROD target hands packets up as they arrive, out of PSN order after a loss.',
  },
  {
    id: UEC_DEFECT.nackWrongCode,
    appliesTo: NIC,
    requirements: ['UE1.0-PDS-NACK'],
    description: 'A trimmed packet is NACKed with code ROD_OOO (0x0d) instead of TRIMMED (0x01).',
  },
  {
    id: UEC_DEFECT.noNack,
    appliesTo: NIC,
    requirements: ['UE1.0-PDS-TRIM'],
    description: 'Trimmed packets are dropped silently: no NACK, the initiator recovers by timeouts only.',
  },
  {
    id: UEC_DEFECT.ignoresMpr,
    appliesTo: NIC,
    requirements: ['UE1.0-PDS-MPR'],
    description: 'The initiator sends PSNs beyond the cumulative ACK + MPR x 128 the target advertised.',
  },
  {
    id: UEC_DEFECT.pdcNeverCloses,
    appliesTo: NIC,
    requirements: ['UE1.0-PDS-PDC'],
    description: 'A PDC whose data is all acknowledged is never closed: no close command, both ends keep it ESTABLISHED.',
  },
  {
    id: UEC_DEFECT.rudiNoRetransmit,
    appliesTo: NIC,
    requirements: ['UE1.0-PDS-RUDI'],
    description: 'RUDI requests that are lost or trimmed are never sent again.',
  },
  {
    id: UEC_DEFECT.uudRetransmits,
    appliesTo: NIC,
    requirements: ['UE1.0-PDS-UUD'],
    description: 'UUD flows run as reliable RUD: requests are acknowledged and resent.',
  },
  {
    id: UEC_DEFECT.nsccIgnoresEcn,
    appliesTo: NIC,
    requirements: ['UE1.0-CMS-NSCC'],
    description: 'NSCC ignores ECN marks and queueing delay: the window shrinks only on NACKs and timeouts.',
  },
  {
    id: UEC_DEFECT.rudDuplicates,
    appliesTo: NIC,
    requirements: ['UE1.0-PDS-RUD'],
    description: 'A RUD target hands a duplicate (a retransmission of a packet it already had) up again.',
  },
  {
    id: UEC_DEFECT.singleEntropy,
    appliesTo: NIC,
    requirements: ['UE1.0-PDS-SPRAY'],
    description: 'The NIC sends all packets of a flow with one entropy value: no spraying.',
  },
  {
    id: UEC_DEFECT.cbfcIgnoresCredits,
    appliesTo: BOTH,
    requirements: ['UE1.0-CBFC'],
    description: 'The CBFC sender counts credits but sends whether or not it holds them.',
  },
  {
    id: UEC_DEFECT.llrNeverResends,
    appliesTo: BOTH,
    requirements: ['UE1.0-LLR'],
    description: 'LLR notes NACKs and replay timeouts but never replays a frame.',
  },
  {
    id: UEC_DEFECT.llrNoFlush,
    appliesTo: BOTH,
    requirements: ['UE1.0-LLR-FLUSH'],
    description: 'LLR replays without limit: no FLUSH on the replay count, the data age or a lost PCS.',
  },
  {
    id: UEC_DEFECT.switchNoTrim,
    appliesTo: SWITCH,
    requirements: ['UE1.0-PDS-TRIM'],
    description: 'The switch drops packets it cannot queue instead of trimming them: targets see nothing to NACK.',
  },
  {
    id: UEC_DEFECT.switchIgnoresEntropy,
    appliesTo: SWITCH,
    requirements: ['UE1.0-PDS-SPRAY'],
    description: 'The UEC switch hashes only the flow, not the packet entropy: a sprayed flow takes one of its uplinks.',
  },
];

for (const d of DEFECTS) registerDefect(d);
