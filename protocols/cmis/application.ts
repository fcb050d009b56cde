// CMIS application descriptors (lower page 86-117, page 01h 223-250) and the per-lane ApSel control byte.
//
// A descriptor is 4 bytes: host interface ID, media interface ID (SFF-8024), host lane count
// (bits 7-4) with media lane count (bits 3-0), host lane assignment (bit n: host lane n+1 may be
// the first lane of a data path). Host ID 0xff ends the list. The ApSel byte of page 10h
// 145-152 (staged) and page 11h 206-213 (active) carries ApSel (bits 7-4, 1-based, 0 = unused),
// DataPathID (bits 3-1, the data path's first lane, 0-based) and ExplicitControl (bit 0).
import { WireError, checkLen, checkUint } from '../wire.ts';
import { CMIS_MEDIA_TYPE, sff8024HostName, sff8024MediaName } from './codes.ts';
import { CMIS } from './common.ts';

export const CMIS_APPLICATION_LEN = 4;
export const CMIS_APPLICATIONS_IN_LOWER = 8;
export const CMIS_APPLICATIONS_LEN = CMIS_APPLICATION_LEN * CMIS_APPLICATIONS_IN_LOWER;
export const CMIS_APPLICATION_END = 0xff;

export interface CmisApplicationInit {
  hostInterfaceId: number;
  mediaInterfaceId: number;
  hostLaneCount: number;
  mediaLaneCount: number;
  hostLaneAssignment: number;
}

export class CmisApplication implements CmisApplicationInit {
  readonly hostInterfaceId: number;
  readonly mediaInterfaceId: number;
  readonly hostLaneCount: number;
  readonly mediaLaneCount: number;
  readonly hostLaneAssignment: number;
  constructor(init: CmisApplicationInit) {
    this.hostInterfaceId = init.hostInterfaceId;
    this.mediaInterfaceId = init.mediaInterfaceId;
    this.hostLaneCount = init.hostLaneCount;
    this.mediaLaneCount = init.mediaLaneCount;
    this.hostLaneAssignment = init.hostLaneAssignment;
  }
  /** One descriptor from 4 bytes; any values are kept (unknown codes survive a round trip). */
  static parse(b: Uint8Array): CmisApplication {
    checkLen(CMIS, 'application', b.length, CMIS_APPLICATION_LEN);
    return new CmisApplication({
      hostInterfaceId: b[0],
      mediaInterfaceId: b[1],
      hostLaneCount: b[2] >> 4,
      mediaLaneCount: b[2] & 15,
      hostLaneAssignment: b[3],
    });
  }
  /** Descriptors in order until host ID 0xff (end of list) or 0 (undefined, as in blank memory). */
  static parseList(b: Uint8Array): CmisApplication[] {
    const out: CmisApplication[] = [];
    for (let i = 0; i + CMIS_APPLICATION_LEN <= b.length; i += CMIS_APPLICATION_LEN) {
      if (b[i] === CMIS_APPLICATION_END || b[i] === 0) break;
      out.push(CmisApplication.parse(b.subarray(i, i + CMIS_APPLICATION_LEN)));
    }
    return out;
  }
  /** Writes `apps` and marks every following descriptor of `b` unused (0xff, zeros). */
  static emitList(apps: readonly CmisApplication[], b: Uint8Array): void {
    const slots = Math.floor(b.length / CMIS_APPLICATION_LEN);
    if (apps.length > slots) throw new WireError('malformed', CMIS, 'applications', `${apps.length} descriptors, room for ${slots}`);
    for (let i = 0; i < slots; i++) {
      const slot = b.subarray(i * CMIS_APPLICATION_LEN, (i + 1) * CMIS_APPLICATION_LEN);
      if (i < apps.length) apps[i].emit(slot);
      else slot.set([CMIS_APPLICATION_END, 0, 0, 0]);
    }
  }
  bufferLen(): number {
    return CMIS_APPLICATION_LEN;
  }
  emit(b: Uint8Array): void {
    checkUint(CMIS, 'hostInterfaceId', this.hostInterfaceId, 0xfe);
    if (this.hostInterfaceId === 0) throw new WireError('malformed', CMIS, 'hostInterfaceId', '0 marks an undefined descriptor');
    checkUint(CMIS, 'mediaInterfaceId', this.mediaInterfaceId, 0xff);
    checkUint(CMIS, 'hostLaneCount', this.hostLaneCount, 15);
    checkUint(CMIS, 'mediaLaneCount', this.mediaLaneCount, 15);
    checkUint(CMIS, 'hostLaneAssignment', this.hostLaneAssignment, 0xff);
    checkLen(CMIS, 'application', b.length, CMIS_APPLICATION_LEN);
    b[0] = this.hostInterfaceId;
    b[1] = this.mediaInterfaceId;
    b[2] = (this.hostLaneCount << 4) | this.mediaLaneCount;
    b[3] = this.hostLaneAssignment;
  }
  /** The host lanes (1-based) a data path of this application starting at `firstLane` uses. */
  lanesFrom(firstLane: number): number[] {
    return Array.from({ length: this.hostLaneCount }, (_, i) => firstLane + i);
  }
  /** Whether host lane `firstLane` (1-based) may start a data path of this application. */
  allowsFirstLane(firstLane: number): boolean {
    return firstLane >= 1 && firstLane <= 8 && ((this.hostLaneAssignment >> (firstLane - 1)) & 1) === 1;
  }
  summary(mediaType: number = CMIS_MEDIA_TYPE.SMF): string {
    return `${sff8024HostName(this.hostInterfaceId)} -> ${sff8024MediaName(this.mediaInterfaceId, mediaType)} ${this.hostLaneCount}/${this.mediaLaneCount} lanes first ${this.hostLaneAssignment.toString(2).padStart(8, '0')}`;
  }
}

/** The ApSel control byte of one host lane. */
export interface CmisApSel {
  /** 1-based application number; 0 = lane not used. */
  apSel: number;
  /** First host lane of the data path, 0-based (CMIS numbers it so). */
  dataPathId: number;
  explicitControl: boolean;
}

export function cmisApSelDecode(b: number): CmisApSel {
  return { apSel: b >> 4, dataPathId: (b >> 1) & 7, explicitControl: (b & 1) === 1 };
}

export function cmisApSelEncode(a: CmisApSel): number {
  checkUint(CMIS, 'apSel', a.apSel, 15);
  checkUint(CMIS, 'dataPathId', a.dataPathId, 7);
  return (a.apSel << 4) | (a.dataPathId << 1) | (a.explicitControl ? 1 : 0);
}
