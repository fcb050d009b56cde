// A GSE device's forwarding tables, built from its control-plane routes (control-plane.ts).
//
// gseSets: GSE id -> the fabric ports on a best path toward that GSP or BORDER (what a GSF forwards
// on, GSE-ROLE-2). Classification (edges only): endpoint address -> local server port, a GSE target
// (GSE id + DPORT; several when BORDERs advertise the same remote address), or IP ports. ipSets:
// address -> the IP ports toward it (BORDER, gsp-direct GSP, CORE).

export const ADDR_NONE = 0;
/** A server port of this device. */
export const ADDR_LOCAL = 1;
/** Behind another GSP or BORDER of the GSE domain. */
export const ADDR_GSE = 2;
/** Reached over IP uplinks (another PoD). */
export const ADDR_IP = 3;

export class Fib {
  /** Rebuild before use (the RIB changed). */
  stale = true;
  gseSets: (Int32Array | null)[] = [];
  addrKind: Uint8Array;
  addrGse: Int32Array;
  addrDport: Int32Array;
  /** The target is a GSP (its own server), not a BORDER's remote prefix. */
  addrFromGsp: Uint8Array;
  /** Addresses with several equal targets: [gse0, dport0, gse1, dport1, ...]. */
  addrMulti = new Map<number, Int32Array>();
  /** Address -> index into ipSets, -1 when none. */
  addrIp: Int32Array;
  ipSets: Int32Array[] = [];

  constructor(addresses: number) {
    this.addrKind = new Uint8Array(addresses);
    this.addrGse = new Int32Array(addresses).fill(-1);
    this.addrDport = new Int32Array(addresses).fill(-1);
    this.addrFromGsp = new Uint8Array(addresses);
    this.addrIp = new Int32Array(addresses).fill(-1);
  }

  reset(): void {
    this.gseSets = [];
    this.addrKind.fill(ADDR_NONE);
    this.addrGse.fill(-1);
    this.addrDport.fill(-1);
    this.addrFromGsp.fill(0);
    this.addrMulti.clear();
    this.addrIp.fill(-1);
    this.ipSets = [];
  }
}
