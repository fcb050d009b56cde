// GSE defect profiles: the ways a GSP, GSF, BORDER or CORE can get GSE N2N wrong, each caught by the gse suite.
import { registerDefect } from '../defects/registry.ts';

const GSP = 'gse-gsp';
const GSF = 'gse-gsf';
const BORDER = 'gse-border';
const CORE = 'gse-core';

/** Every GSE defect profile (id, what the device does wrong, kinds, requirements whose checks catch it). */
export const GSE_DEFECTS = [
  {
    id: 'gse-no-reorder',
    description: 'The egress GSP delivers packets in the order they arrive from the fabric: containers that took different paths reach the NIC out of order.',
    appliesTo: [GSP, BORDER],
    requirements: ['GSE-CON-2', 'GSE-ROLE-1'],
  },
  {
    id: 'gse-packet-spray',
    description: 'The ingress GSP sprays single packets instead of containers: the packets of one container take different GSF paths (reordering pressure at the egress).',
    appliesTo: [GSP, BORDER],
    requirements: ['GSE-CON-2'],
  },
  {
    id: 'gse-single-path',
    description: 'The ingress GSP hashes each destination onto one uplink (flow-hash ECMP) instead of spraying containers over all GSF paths.',
    appliesTo: [GSP, BORDER],
    requirements: ['GSE-CON-2', 'FAB-1'],
  },
  {
    id: 'gse-grant-overcommit',
    description: 'The egress GSP grants every request at once, whatever its port can take: offered load exceeds the egress capacity and its queue overflows.',
    appliesTo: [GSP, BORDER],
    requirements: ['GSE-CON-3'],
  },
  {
    id: 'gse-header-on-local',
    description: 'The GSP adds the GSE header to same-GSP traffic (it should forward it as plain IP); the NIC discards the frames.',
    appliesTo: [GSP],
    requirements: ['GSE-FWD-1'],
  },
  {
    id: 'gse-header-not-removed',
    description: 'The egress GSP delivers packets to the NIC with the GSE header still on; the NIC discards them.',
    appliesTo: [GSP],
    requirements: ['GSE-FWD-2'],
  },
  {
    id: 'gse-pfc-never',
    description: 'The GSP never sends PFC pause to a server, however full the ingress buffer of its (port, priority) gets; frames beyond the headroom are dropped.',
    appliesTo: [GSP, BORDER],
    requirements: ['GSE-ROLE-3'],
  },
  {
    id: 'gse-pfc-early',
    description: 'The GSP sends PFC pause to a server while the buffer use of its (port, priority) is well below the threshold (at a sixteenth of it).',
    appliesTo: [GSP, BORDER],
    requirements: ['GSE-ROLE-3'],
  },
  {
    id: 'gse-pfc-no-resume',
    description: 'The GSP pauses a server but never resumes it (no PFC XON) when its buffer drains: the server stalls.',
    appliesTo: [GSP, BORDER],
    requirements: ['GSE-ROLE-3'],
  },
  {
    id: 'gse-bgp-no-distribute',
    description: 'The control plane does not distribute DPORT and GSPID information: devices advertise nothing over their EBGP sessions.',
    appliesTo: [GSP, GSF, BORDER],
    requirements: ['GSE-ROLE-4'],
  },
  {
    id: 'gse-fabric-port-excluded',
    description: 'The GSP or GSF leaves its last fabric port out of the GSE domain (no EBGP session, nothing forwarded on it): a GSP uplink, or a GSF link toward the next tier.',
    appliesTo: [GSP, GSF],
    requirements: ['GSE-TOPO-2', 'GSE-TOPO-3', 'GSE-TOPO-4', 'GSE-TOPO-10', 'GSE-CON-2'],
  },
  {
    id: 'gse-border-no-decap',
    description: 'The BORDER forwards GSE frames to the CORE without removing the header; the IP CORE drops them.',
    appliesTo: [BORDER],
    requirements: ['GSE-FWD-4'],
  },
  {
    id: 'gse-border-no-reencap',
    description: 'The BORDER forwards IP packets from the CORE into its PoD without the GSE header (no request/grant); the GSFs drop them.',
    appliesTo: [BORDER],
    requirements: ['GSE-FWD-4'],
  },
  {
    id: 'gse-core-no-external-routes',
    description: "The CORE does not announce into the fabric what lies beyond its ports to a non-GSE edge (the DC's WAN edge): servers cannot reach the other data centre.",
    appliesTo: [CORE],
    requirements: ['RTR-1'],
  },
  {
    id: 'gse-core-no-ecn',
    description: 'The CORE never marks ECN on the RoCE traffic between PoDs, however long its queues get.',
    appliesTo: [CORE],
    requirements: ['GSE-FWD-4'],
  },
] as const;

for (const d of GSE_DEFECTS) registerDefect({ id: d.id, description: d.description, appliesTo: [...d.appliesTo], requirements: [...d.requirements] });
