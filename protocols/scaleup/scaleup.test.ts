// Scale-up helpers: wire budgets worked by hand (RoCEv2, UALink, SUE packing, ETH+), the test signature, the layout notes.
import { describe, expect, test } from 'vitest';
import { catchWire } from '../testing.ts';
import {
  SCALEUP_LAYOUT_NOTES,
  SCALEUP_PROTOCOLS,
  scaleupReadSignature,
  scaleupSignatureOf,
  scaleupWireBudget,
  scaleupWriteSignature,
  suePduPlan,
  ualinkRequestSizesOf,
} from './index.ts';

describe('wire budgets', () => {
  test('RoCEv2 RDMA WRITE Only: 98 bytes around the payload', () => {
    expect(scaleupWireBudget('roce', 64)).toMatchObject({ wireBytes: 162, frames: 1 });
    expect(scaleupWireBudget('roce', 4096).wireBytes).toBe(4194);
    // 8 KB: two packets, one RETH
    expect(scaleupWireBudget('roce', 8192).wireBytes).toBe(8192 + 2 * 82 + 16);
  });

  test('UALink: request sizes, control flits four headers each, nine TL flits per 640-byte DL flit', () => {
    expect(ualinkRequestSizesOf(64)).toEqual([64]);
    expect(ualinkRequestSizesOf(300)).toEqual([256, 64]);
    expect(ualinkRequestSizesOf(4096)).toEqual(new Array(16).fill(256));
    // 64 x 64 B: 64 data + 16 control flits = 80 TL flits = 9 DL flits
    expect(scaleupWireBudget('ualink', 64, 64)).toMatchObject({ frames: 9, wireBytes: 5760 });
    // 8 x 4 KB: 512 data + 32 control = 544 TL flits = 61 DL flits
    expect(scaleupWireBudget('ualink', 4096, 8).frames).toBe(61);
  });

  test('SUE packs greedily up to 4096 bytes, splitting what does not fit', () => {
    expect(suePduPlan([64, 64])).toEqual([160]);
    expect(suePduPlan(new Array(52).fill(64))).toEqual([51 * 80, 80]);
    expect(suePduPlan([4096])).toEqual([4096, 32]);
    expect(suePduPlan([5000], 8192)).toEqual([5016]);
    // one frame: AFH 6 + RH 8 + PDU 160 + R-CRC 4 + 24
    expect(scaleupWireBudget('sue', 64, 2).wireBytes).toBe(202);
    expect(scaleupWireBudget('esun', 64, 2).wireBytes).toBe(202 - 6 + 18);
  });

  test('per-frame protocols', () => {
    expect(scaleupWireBudget('ethplus', 64).wireBytes).toBe(64 + 1 + 8 + 4 + 12);
    expect(scaleupWireBudget('ethlink', 64).wireBytes).toBe(64 + 14 + 24);
    expect(scaleupWireBudget('ethx', 64).wireBytes).toBe(64 + 22 + 24);
    for (const p of SCALEUP_PROTOCOLS) expect(scaleupWireBudget(p, 4096, 4).efficiency).toBeGreaterThan(scaleupWireBudget(p, 64, 4).efficiency);
    expect(catchWire(() => scaleupWireBudget('sue', 0)).field).toBe('budget');
  });
});

describe('signature', () => {
  test('write, read, refuse', () => {
    const b = new Uint8Array(64);
    scaleupWriteSignature(b, 3, 0xdeadbeef);
    expect([...b.subarray(0, 8)]).toEqual([0x5c, 0xa1, 0, 3, 0xde, 0xad, 0xbe, 0xef]);
    expect(scaleupReadSignature(b)).toEqual({ flow: 3, seq: 0xdeadbeef });
    expect(scaleupReadSignature(new Uint8Array(8))).toBeNull();
    expect(scaleupReadSignature(b.subarray(0, 7))).toBeNull();
    expect(catchWire(() => scaleupSignatureOf(new Uint8Array(8))).field).toBe('signature');
    expect(catchWire(() => scaleupWriteSignature(b, 0x10000, 0)).field).toBe('flow');
  });

  test('every protocol has a layout note', () => {
    for (const p of SCALEUP_PROTOCOLS) expect(SCALEUP_LAYOUT_NOTES[p]).toMatch(/assumed/);
  });
});
