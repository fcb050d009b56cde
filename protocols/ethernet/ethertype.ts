// EtherType values (IEEE registry); unknown values pass through as plain numbers.

export const ETHERTYPE = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  IPV6: 0x86dd,
  MAC_CONTROL: 0x8808,
  QINQ: 0x88a8,
  LLDP: 0x88cc,
} as const;

const NAMES: Record<number, string> = {
  [ETHERTYPE.IPV4]: 'IPv4',
  [ETHERTYPE.ARP]: 'ARP',
  [ETHERTYPE.VLAN]: '802.1Q',
  [ETHERTYPE.IPV6]: 'IPv6',
  [ETHERTYPE.MAC_CONTROL]: 'MAC-Control',
  [ETHERTYPE.QINQ]: '802.1ad',
  [ETHERTYPE.LLDP]: 'LLDP',
};

/** Values below 0x0600 are 802.3 lengths, not types. */
export function ethertypeName(v: number): string {
  if (v < 0x0600) return `802.3-length ${v}`;
  return NAMES[v] ?? `0x${v.toString(16).padStart(4, '0')}`;
}
