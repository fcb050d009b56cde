// Numbers IPv4 and IPv6 share: ECN codepoints (RFC 3168 §5) and IANA protocol / next-header values.

/** The 2-bit ECN field; all four values are defined, so no value is unknown. */
export const IP_ECN = { NOT_ECT: 0, ECT1: 1, ECT0: 2, CE: 3 } as const;
export type IpEcn = (typeof IP_ECN)[keyof typeof IP_ECN];

const ECN_NAMES = ['Not-ECT', 'ECT(1)', 'ECT(0)', 'CE'] as const;

export function ipEcnName(e: number): string {
  return ECN_NAMES[e & 3];
}

/** IANA "Assigned Internet Protocol Numbers"; other values pass through as numbers. */
export const IP_PROTOCOL = {
  HOPOPT: 0,
  ICMP: 1,
  TCP: 6,
  UDP: 17,
  IPV6_ROUTE: 43,
  IPV6_FRAG: 44,
  ESP: 50,
  AH: 51,
  ICMPV6: 58,
  IPV6_NONXT: 59,
  IPV6_OPTS: 60,
} as const;

const PROTOCOL_NAMES: Record<number, string> = {
  0: 'HopOpts',
  1: 'ICMP',
  6: 'TCP',
  17: 'UDP',
  43: 'Routing',
  44: 'Fragment',
  50: 'ESP',
  51: 'AH',
  58: 'ICMPv6',
  59: 'NoNext',
  60: 'DstOpts',
};

export function ipProtocolName(p: number): string {
  return PROTOCOL_NAMES[p] ?? String(p);
}
