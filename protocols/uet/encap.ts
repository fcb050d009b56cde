// How UET rides on IP: UDP on a configurable port, or IP protocol 253 behind the entropy header.
//
// protocol-facts "Encapsulation": the dissector registers UDP port 4793, the provider sends to
// 49150 (`UET_UDP_PORT`). A testbed picks its port; 4793 (the IANA-facing value) is the default.

/** Default UDP destination port of UET (the dissector's `UDP_PORT_UET`). */
export const UET_UDP_PORT_DEFAULT = 4793;
/** The port the reference provider uses; configure it for testbeds that run the provider. */
export const UET_UDP_PORT_PROVIDER = 49150;
/** IP protocol / IPv6 next header of UET directly over IP (an entropy header comes first). */
export const UET_IP_PROTOCOL = 253;

/** The provider's defaults: data in CS0, ACKs in EF (46). */
export const UET_DSCP_DATA_DEFAULT = 0;
export const UET_DSCP_ACK_DEFAULT = 46;
/** The provider's payload bytes per packet: 1024 by default, 8192 at most. */
export const UET_PAYLOAD_LEN_DEFAULT = 1024;
export const UET_PAYLOAD_LEN_MAX = 8192;

export interface UetEncapOptions {
  /** UDP destination port that carries UET; default UET_UDP_PORT_DEFAULT. */
  udpPort?: number;
}

/** True when a UDP datagram to `dstPort` is UET under `opts`. */
export function uetIsUdpPort(dstPort: number, opts: UetEncapOptions = {}): boolean {
  return dstPort === (opts.udpPort ?? UET_UDP_PORT_DEFAULT);
}
