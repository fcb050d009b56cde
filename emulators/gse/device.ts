// What the GSE fabric knows of one device: role, identity, port roles, parameters and defects.

import { TwinBuildError, type TwinDeviceSpec } from '../twin.ts';

export type GseRoleName = 'gsp' | 'gsf' | 'border' | 'core';
export type ForwardingMode = 'gse-n2n' | 'ip-ecmp';
export const FORWARDING_MODES: readonly ForwardingMode[] = ['gse-n2n', 'ip-ecmp'];

/** A port's role on its device. */
export const PORT_NONE = 0;
/** Faces a server NIC (GSP). */
export const PORT_SERVER = 1;
/** Inside the GSE domain (GSP/GSF/BORDER to GSP/GSF/BORDER): GSE frames. */
export const PORT_FABRIC = 2;
/** Plain IP between PoDs (BORDER or gsp-direct GSP to CORE, CORE to anything). */
export const PORT_IP = 3;
export const PORT_ROLE_NAMES = ['unused', 'server', 'fabric', 'ip'] as const;

/** DPORT of a BORDER's IP uplinks (all of them, as one destination). */
export const DPORT_IP = 0xffff;

export const GSE_KINDS = ['gse-gsp', 'gse-gsf', 'gse-border', 'gse-core'] as const;

export function roleOfKind(kind: string): GseRoleName | null {
  switch (kind) {
    case 'gse-gsp':
      return 'gsp';
    case 'gse-gsf':
      return 'gsf';
    case 'gse-border':
      return 'border';
    case 'gse-core':
      return 'core';
    default:
      return null;
  }
}

/** Model parameters of a GSE device (testbed `params`, e.g. through a generator's `switchParams`). */
export interface GseParams {
  /** PKTC size: most bytes of packets in one container (GSE-CON-2). */
  containerBytes: number;
  /** PFC on server-facing (and IP) ingress ports: pause above xoff, resume at or below xon (GSE-ROLE-3). */
  pfcXoffBytes: number;
  pfcXonBytes: number;
  /** Buffer an ingress port may use above xoff before frames are dropped. */
  pfcHeadroomBytes: number;
  /** Grants wait while the DPORT's egress queue holds more than this. */
  grantHoldBytes: number;
  /** Grants are paced at this fraction of the DPORT's line rate (<= 1: never above the egress capacity). */
  grantRateFactor: number;
  /** A gap in a source's containers is skipped after this long. */
  reorderTimeoutPs: number;
  /** Control-plane update delay per hop. */
  bgpDelayPs: number;
  forwardingMode: ForwardingMode;
}

export const GSE_PARAM_DEFAULTS: GseParams = {
  containerBytes: 16 * 1024,
  pfcXoffBytes: 512 * 1024,
  pfcXonBytes: 256 * 1024,
  pfcHeadroomBytes: 256 * 1024,
  grantHoldBytes: 512 * 1024,
  grantRateFactor: 1,
  reorderTimeoutPs: 200_000_000,
  bgpDelayPs: 5_000_000,
  forwardingMode: 'gse-n2n',
};

export function gseParams(spec: TwinDeviceSpec): GseParams {
  const p = spec.params ?? {};
  const out: GseParams = { ...GSE_PARAM_DEFAULTS };
  const num = (name: keyof GseParams, min: number, max = Infinity): void => {
    const v = p[name];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      throw new TwinBuildError(`device '${spec.id}': param '${name}' must be a number from ${min} to ${max}, got ${JSON.stringify(v)}`);
    }
    (out as unknown as Record<string, number>)[name] = v;
  };
  num('containerBytes', 64, 16 * 1024 * 1024);
  num('pfcXoffBytes', 1);
  if (p.pfcXonBytes === undefined) out.pfcXonBytes = out.pfcXoffBytes / 2;
  num('pfcXonBytes', 0);
  num('pfcHeadroomBytes', 0);
  num('grantHoldBytes', 0);
  num('grantRateFactor', 0.01, 1);
  num('reorderTimeoutPs', 1);
  num('bgpDelayPs', 0);
  if (out.pfcXonBytes > out.pfcXoffBytes) {
    throw new TwinBuildError(`device '${spec.id}': pfcXonBytes (${out.pfcXonBytes}) must not exceed pfcXoffBytes (${out.pfcXoffBytes})`);
  }
  const mode = p.forwardingMode;
  if (mode !== undefined) {
    if (!FORWARDING_MODES.includes(mode as ForwardingMode)) {
      throw new TwinBuildError(`device '${spec.id}': param 'forwardingMode' must be one of ${FORWARDING_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
    }
    out.forwardingMode = mode as ForwardingMode;
  }
  return out;
}

/** A GSE device as the fabric holds it. */
export interface GseDevice {
  readonly node: number;
  readonly id: string;
  readonly kind: string;
  readonly role: GseRoleName;
  readonly tier: 'T1' | 'T2' | null;
  readonly pod: number | null;
  readonly plane: number | null;
  readonly index: number | null;
  /** GSE id (GSPID) of a GSP or BORDER, -1 otherwise. */
  gseId: number;
  readonly asn: number;
  domain: number;
  readonly defects: ReadonlySet<string>;
  readonly params: GseParams;
  /** Per port: PORT_NONE / SERVER / FABRIC / IP. */
  readonly portRole: Uint8Array;
  /** Per port: the node at the far end, -1 when not cabled. */
  readonly peer: Int32Array;
  mode: ForwardingMode;
}
