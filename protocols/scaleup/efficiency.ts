// Wire budgets: bytes on the wire for a stream of equal transfers, per scale-up protocol and for Ethernet + IPv4 + UDP + RoCEv2.
//
// "Payload efficiency" = transfer bytes / bytes on the wire, counting what each protocol puts on
// the wire per frame: headers, trailers (FCS, CRC), and the physical framing outside a capture
// (Ethernet preamble + SFD 8 bytes and inter-frame gap 12 bytes, IEEE 802.3 §4.4.2; ETH+ keeps
// only the gap; UALink DL flits run back to back). Each budget follows the framing rules of its
// codec (the assumed layouts included) for transfers queued back to back, so it is the figure an
// emulated or real device should reach when nothing else (idle, acknowledgements) takes the wire.
import { ETHERNET_HEADER_LEN } from '../ethernet/ethernet.ts';
import { IPV4_HEADER_LEN } from '../ipv4/ipv4.ts';
import { UDP_HEADER_LEN } from '../udp/udp.ts';
import { ROCE_BTH_LEN } from '../roce/bth.ts';
import { ROCE_ICRC_LEN } from '../roce/icrc.ts';
import { UALINK_DL_FLIT_LEN, UALINK_DL_TL_SLOTS } from '../ualink/dl.ts';
import { UALINK_TL_FLIT_LEN, UALINK_TL_SLOTS } from '../ualink/tl.ts';
import { SUE_AFH_SHORT_LEN } from '../sue/afh.ts';
import { SUE_RH_LEN } from '../sue/rh.ts';
import { SUE_PDU_MAX_BYTES, SUE_TXN_HEADER_LEN } from '../sue/pdu.ts';
import { SUE_RCRC_LEN } from '../sue/frame.ts';
import { ESUN_EH_LEN } from '../esun/eh.ts';
import { ETHLINK_OEFH_LEN } from '../ethlink/oefh.ts';
import { ETHLINK_TXN_HEADER_LEN } from '../ethlink/frame.ts';
import { ETHPLUS_PREAMBLE_LEN } from '../ethplus/preamble.ts';
import { ETHPLUS_UID_HEADER_LEN } from '../ethplus/uid.ts';
import { ETHPLUS_FCS_LEN, ETHPLUS_IFG_BYTES } from '../ethplus/frame.ts';
import { ETHX_PRI_LEN } from '../ethx/pri.ts';
import { ETHX_ETHERTYPE_LEN, ETHX_TXN_HEADER_LEN } from '../ethx/frame.ts';
import { WireError } from '../wire.ts';

export const SCALEUP_PROTOCOLS = ['ualink', 'sue', 'esun', 'ethlink', 'ethplus', 'ethx'] as const;
export type ScaleupProtocol = (typeof SCALEUP_PROTOCOLS)[number];

export const SCALEUP_PROTOCOL_NAMES: Record<ScaleupProtocol, string> = {
  ualink: 'UALink',
  sue: 'SUE',
  esun: 'ESUN',
  ethlink: 'EthLink',
  ethplus: 'ETH+',
  ethx: 'ETH-X',
};

export function isScaleupProtocol(p: unknown): p is ScaleupProtocol {
  return typeof p === 'string' && (SCALEUP_PROTOCOLS as readonly string[]).includes(p);
}

/** Ethernet preamble + SFD and the minimum inter-frame gap (IEEE 802.3 §4.4.2: 96 bit times). */
export const ETHERNET_PREAMBLE_SFD_BYTES = 8;
export const ETHERNET_IFG_BYTES = 12;
export const ETHERNET_FCS_BYTES = 4;
/** RoCEv2 RDMA WRITE extended transport header (IBTA 9.3.3, RETH). */
export const ROCE_RETH_LEN = 16;
/** Largest data per frame where a protocol gives no bound of its own (one 4 KB transfer per frame). */
export const SCALEUP_MAX_FRAME_DATA = 4096;

/** Bytes per frame on the wire that a capture does not hold (see captures in emulators/scaleup). */
export const SCALEUP_UNCAPTURED_BYTES: Record<ScaleupProtocol, number> = {
  ualink: 0,
  sue: ETHERNET_PREAMBLE_SFD_BYTES + ETHERNET_FCS_BYTES + ETHERNET_IFG_BYTES,
  esun: ETHERNET_PREAMBLE_SFD_BYTES + ETHERNET_FCS_BYTES + ETHERNET_IFG_BYTES,
  ethlink: ETHERNET_PREAMBLE_SFD_BYTES + ETHERNET_FCS_BYTES + ETHERNET_IFG_BYTES,
  ethplus: ETHPLUS_IFG_BYTES,
  ethx: ETHERNET_PREAMBLE_SFD_BYTES + ETHERNET_FCS_BYTES + ETHERNET_IFG_BYTES,
};

export interface WireBudget {
  payloadBytes: number;
  wireBytes: number;
  frames: number;
  /** payloadBytes / wireBytes. */
  efficiency: number;
}

function budget(payloadBytes: number, wireBytes: number, frames: number): WireBudget {
  return { payloadBytes, wireBytes, frames, efficiency: payloadBytes / wireBytes };
}

/** UALink request sizes of a transfer: 256-byte requests, the rest rounded up to 64 bytes. */
export function ualinkRequestSizesOf(transferBytes: number): number[] {
  const out: number[] = [];
  let left = transferBytes;
  while (left > 0) {
    const take = Math.min(256, Math.ceil(left / 64) * 64);
    out.push(take);
    left -= Math.min(left, take);
  }
  return out;
}

/**
 * SUE packing, greedy as the emulated packer does: transactions (data sizes) to one (destination,
 * VC), queued back to back, fill PDUs of at most `maxPduBytes`; one that does not fit is split
 * (each piece with its own transaction header). Returns the PDU sizes.
 */
export function suePduPlan(dataSizes: readonly number[], maxPduBytes = SUE_PDU_MAX_BYTES): number[] {
  const pdus: number[] = [];
  let space = maxPduBytes;
  let used = 0;
  for (const size of dataSizes) {
    let left = size;
    while (left > 0) {
      if (space <= SUE_TXN_HEADER_LEN) {
        pdus.push(used);
        space = maxPduBytes;
        used = 0;
      }
      const take = Math.min(left, space - SUE_TXN_HEADER_LEN);
      used += SUE_TXN_HEADER_LEN + take;
      space -= SUE_TXN_HEADER_LEN + take;
      left -= take;
    }
  }
  if (used > 0) pdus.push(used);
  return pdus;
}

/** The wire budget of `count` transfers of `transferBytes`, queued back to back. */
export function scaleupWireBudget(protocol: ScaleupProtocol | 'roce', transferBytes: number, count = 1): WireBudget {
  if (!(Number.isInteger(transferBytes) && transferBytes > 0 && Number.isInteger(count) && count > 0)) {
    throw new WireError('malformed', 'scaleup', 'budget', `transfers of ${transferBytes} bytes x ${count}`);
  }
  const payload = transferBytes * count;
  const l1 = ETHERNET_PREAMBLE_SFD_BYTES + ETHERNET_FCS_BYTES + ETHERNET_IFG_BYTES;
  const perFrame = (header: number) => {
    const frames = Math.ceil(transferBytes / SCALEUP_MAX_FRAME_DATA) * count;
    return budget(payload, payload + frames * (header + l1), frames);
  };
  switch (protocol) {
    case 'roce': {
      const pkts = Math.ceil(transferBytes / SCALEUP_MAX_FRAME_DATA);
      const hdr = ETHERNET_HEADER_LEN + IPV4_HEADER_LEN + UDP_HEADER_LEN + ROCE_BTH_LEN + ROCE_ICRC_LEN + l1;
      return budget(payload, payload + count * (pkts * hdr + ROCE_RETH_LEN), pkts * count);
    }
    case 'ualink': {
      const sizes = ualinkRequestSizesOf(transferBytes);
      const data = (sizes.reduce((a, b) => a + b, 0) / UALINK_TL_FLIT_LEN) * count;
      const control = Math.ceil((sizes.length * count) / UALINK_TL_SLOTS);
      const flits = Math.ceil((data + control) / UALINK_DL_TL_SLOTS);
      return budget(payload, flits * UALINK_DL_FLIT_LEN, flits);
    }
    case 'sue':
    case 'esun': {
      const pdus = suePduPlan(new Array<number>(count).fill(transferBytes));
      const hdr = (protocol === 'sue' ? SUE_AFH_SHORT_LEN : ETHERNET_HEADER_LEN + ESUN_EH_LEN) + SUE_RH_LEN + SUE_RCRC_LEN + l1;
      return budget(payload, pdus.reduce((a, b) => a + b, 0) + pdus.length * hdr, pdus.length);
    }
    case 'ethlink':
      return perFrame(ETHLINK_OEFH_LEN + ETHLINK_TXN_HEADER_LEN);
    case 'ethx':
      return perFrame(ETHX_PRI_LEN + ETHX_ETHERTYPE_LEN + ETHX_TXN_HEADER_LEN);
    case 'ethplus': {
      const frames = Math.ceil(transferBytes / SCALEUP_MAX_FRAME_DATA) * count;
      return budget(payload, payload + frames * (ETHPLUS_PREAMBLE_LEN + ETHPLUS_UID_HEADER_LEN + ETHPLUS_FCS_LEN + ETHPLUS_IFG_BYTES), frames);
    }
    default:
      throw new WireError('unsupported', 'scaleup', 'protocol', String(protocol));
  }
}
