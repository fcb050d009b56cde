// The ietf-interfaces YANG model (RFC 8343, and the RFC 7223 `interfaces-state` tree): namespaces and leaf types.
export const IETF_INTERFACES_NS = 'urn:ietf:params:xml:ns:yang:ietf-interfaces';
export const IANA_IF_TYPE_NS = 'urn:ietf:params:xml:ns:yang:iana-if-type';
export const IETF_INTERFACES_CAPABILITY = `${IETF_INTERFACES_NS}?module=ietf-interfaces&revision=2018-02-20`;

export type YangLeafType = 'counter64' | 'counter32' | 'gauge64' | 'int32' | 'boolean' | 'string';

/** Leaf types of ietf-interfaces that are not strings (everything else is kept as text). */
export const IETF_INTERFACES_LEAF_TYPES: Readonly<Record<string, YangLeafType>> = {
  enabled: 'boolean',
  'if-index': 'int32',
  speed: 'gauge64',
  'in-octets': 'counter64',
  'in-unicast-pkts': 'counter64',
  'in-broadcast-pkts': 'counter64',
  'in-multicast-pkts': 'counter64',
  'in-discards': 'counter32',
  'in-errors': 'counter32',
  'in-unknown-protos': 'counter32',
  'out-octets': 'counter64',
  'out-unicast-pkts': 'counter64',
  'out-broadcast-pkts': 'counter64',
  'out-multicast-pkts': 'counter64',
  'out-discards': 'counter32',
  'out-errors': 'counter32',
};

/** The statistics counters, in the model's order. */
export const IETF_INTERFACES_COUNTERS = Object.keys(IETF_INTERFACES_LEAF_TYPES).filter((k) =>
  IETF_INTERFACES_LEAF_TYPES[k]!.startsWith('counter'),
) as readonly string[];
