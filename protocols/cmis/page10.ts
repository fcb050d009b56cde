// CMIS page 10h (lane controls): data-path deinit, Tx/Rx output disable, staged control set 0 (ApSel, apply).
import { cmisApSelDecode, cmisApSelEncode, type CmisApSel } from './application.ts';
import { CmisPageView, type CmisFieldTable } from './common.ts';

export const CMIS_PAGE10 = {
  /** Bit n: data path of host lane n+1 deinitialised (held in DPDeactivated). */
  DP_DEINIT: { at: 128, type: 'lanes', width: 1, rw: true },
  /** Bit n: Tx output of media lane n+1 disabled. */
  TX_DISABLE: { at: 130, type: 'lanes', width: 1, rw: true },
  RX_DISABLE: { at: 138, type: 'lanes', width: 1, rw: true },
  /** Write-only triggers: lanes whose staged settings to apply (with DPInit / at once). Read as 0. */
  APPLY_DP_INIT: { at: 143, type: 'lanes', width: 1, rw: true },
  APPLY_IMMEDIATE: { at: 144, type: 'lanes', width: 1, rw: true },
  /** One ApSel byte per host lane (see application.ts). */
  STAGED_APSEL: { at: 145, len: 8, type: 'lanes', width: 8, rw: true },
} as const satisfies CmisFieldTable;

const F = CMIS_PAGE10;

export class CmisPage10View extends CmisPageView {
  static override checked(buf: Uint8Array): CmisPage10View {
    const v = new CmisPage10View(buf, 128);
    v.checkLen();
    return v;
  }
  static unchecked(buf: Uint8Array): CmisPage10View {
    return new CmisPage10View(buf, 128);
  }
  get dpDeinitMask(): number {
    return this.getMask(F.DP_DEINIT);
  }
  get txDisableMask(): number {
    return this.getMask(F.TX_DISABLE);
  }
  /** `lane` 1..8. */
  stagedApSel(lane: number): CmisApSel {
    return cmisApSelDecode(this.get(F.STAGED_APSEL, lane));
  }
  setStagedApSel(lane: number, a: CmisApSel): void {
    this.set(F.STAGED_APSEL, cmisApSelEncode(a), lane);
  }
  summary(): string {
    const aps = Array.from({ length: 8 }, (_, i) => this.stagedApSel(i + 1).apSel).join(',');
    return `CMIS page 10h deinit ${this.dpDeinitMask.toString(2).padStart(8, '0')} txdis ${this.txDisableMask.toString(2).padStart(8, '0')} apsel [${aps}]`;
  }
}
