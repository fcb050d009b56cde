// Defect profiles of the scale-up family: deliberate violations of UALink, SUE, ESUN, EthLink, ETH+ and ETH-X rules the scaleup suite must catch.
//
// Each profile names the requirement IDs whose checks catch it (the audit runs the suite once per
// profile with every device of the listed kinds switched into it). A profile that belongs to one
// protocol leaves devices of the others unchanged.
import { registerDefect } from '../defects/registry.ts';

const SWITCH = 'scaleup-switch';
const ACC = 'accelerator';

const profiles: Array<{ id: string; description: string; appliesTo: string[]; requirements: string[] }> = [
  {
    id: 'ualink-dl-retry-disabled',
    description: 'UALink DL without link-level replay: no replay buffer, no replay request; a flit lost to a CRC error is lost to the TL.',
    appliesTo: [SWITCH, ACC],
    requirements: ['UAL-4', 'UALINK200-DL-replay'],
  },
  {
    id: 'ualink-dl-flit-underfilled',
    description: 'The UALink DL sends one 64-byte TL flit per 640-byte DL flit instead of packing nine.',
    appliesTo: [SWITCH, ACC],
    requirements: ['UAL-4', 'UALINK200-DL-flit'],
  },
  {
    id: 'ualink-request-reorder',
    description: 'The UALink switch swaps consecutive requests of one source-destination pair.',
    appliesTo: [SWITCH],
    requirements: ['UALINK200-UPLI-ordering'],
  },
  {
    id: 'ualink-completion-order-required',
    description: 'The UALink originator drops a completion that is not for its oldest outstanding request to that completer (it needs completions in order).',
    appliesTo: [ACC],
    requirements: ['UALINK200-UPLI-ordering'],
  },
  {
    id: 'scaleup-id-truncated-8bit',
    description: 'The scale-up switch keys its forwarding table on the low 8 bits of an endpoint id: ids 256 and above collide with lower ones.',
    appliesTo: [SWITCH],
    requirements: ['UAL-6', 'SUE-1', 'ETHL-1', 'ETHP-3', 'ETHX-2'],
  },
  {
    id: 'scaleup-id-space-unchecked',
    description: 'The scale-up switch accepts forwarding entries for ids beyond its protocol\'s id space (wrapping them) instead of refusing them.',
    appliesTo: [SWITCH],
    requirements: ['UAL-6', 'SUE-1', 'ETHL-1', 'ETHP-3', 'ETHX-2'],
  },
  {
    id: 'scaleup-lane-fallback-ignored',
    description: 'A switch port facing a peer limited to 100 Gb/s lanes stays at 200 Gb/s per lane: the link does not come up and the port reports the wrong speed.',
    appliesTo: [SWITCH],
    requirements: ['UAL-3', 'UALINK200-PL-lanes'],
  },
  {
    id: 'sue-pack-over-4096',
    description: 'The SUE packer fills PDUs up to 8192 bytes.',
    appliesTo: [ACC],
    requirements: ['SUE-2'],
  },
  {
    id: 'sue-pack-across-vc',
    description: 'The SUE packer puts transactions of several VCs (same destination) into one PDU.',
    appliesTo: [ACC],
    requirements: ['SUE-2'],
  },
  {
    id: 'sue-pack-across-destinations',
    description: 'The SUE packer puts transactions to several destinations into one PDU.',
    appliesTo: [ACC],
    requirements: ['SUE-2'],
  },
  {
    id: 'sue-no-retransmit',
    description: 'The SUE transport never retransmits: NACKs and timeouts are ignored, lost packets stay lost.',
    appliesTo: [ACC],
    requirements: ['SUE-3'],
  },
  {
    id: 'sue-vc-tc-ignored',
    description: 'The SUE endpoint sends every VC in traffic class 0 whatever the VC-to-TC map says.',
    appliesTo: [ACC],
    requirements: ['SUE-1'],
  },
  {
    id: 'esun-eh-ecn-cleared',
    description: 'The ESUN switch writes Not-ECT into the EH-ECN field of every frame it forwards: congestion marks and ECT never reach the receiver.',
    appliesTo: [SWITCH],
    requirements: ['ESUN-2', 'RFC3168-5'],
  },
  {
    id: 'esun-ecn-marks-not-ect',
    description: 'The congested ESUN switch marks CE on Not-ECT frames too (IP ECN drops or leaves them).',
    appliesTo: [SWITCH],
    requirements: ['ESUN-2', 'RFC3168-5'],
  },
  {
    id: 'ethlink-oefh-semantic-cleared',
    description: 'The EthLink switch rewrites the OEFH semantic to TMA: load/store (LSU) traffic arrives as RDMA.',
    appliesTo: [SWITCH],
    requirements: ['ETHL-2', 'ETHL-3'],
  },
  {
    id: 'ethx-pri-user-address-rewritten',
    description: 'The ETH-X switch overwrites the 10-byte PRI user-defined address with its own egress address.',
    appliesTo: [SWITCH],
    requirements: ['ETHX-2'],
  },
  {
    id: 'ethplus-fcs-required',
    description: 'The ETH+ switch requires an FCS even when configured without one: frames without FCS are dropped as errors.',
    appliesTo: [SWITCH],
    requirements: ['ETHP-4'],
  },
  {
    id: 'ethplus-collective-wrong-reduction',
    description: 'The ETH+ collective engine reduces with max whatever reduction the collective asks for.',
    appliesTo: [SWITCH],
    requirements: ['ETHP-1'],
  },
  {
    id: 'ethplus-preamble-type-cleared',
    description: 'The ETH+ switch sends every frame with preamble frame type 00 (data): collective frames lose their type.',
    appliesTo: [SWITCH],
    requirements: ['ETHP-2'],
  },
];

for (const p of profiles) registerDefect(p);

/** The family's profile ids (for tests and documentation). */
export const SCALEUP_DEFECT_IDS: readonly string[] = profiles.map((p) => p.id);
