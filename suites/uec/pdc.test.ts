// Ultra Ethernet PDCs: the connection life cycle, start-PSN rules and the MPR window.
//
// Test plan (requirement IDs):
// 1. UE1.0-PDS-PDC: a flow between NICs on two leaves opens one PDC at each end; the initiator
//    logs UNALLOC -> SYN -> ESTABLISHED -> CLOSING -> UNALLOC, the target UNALLOC -> PENDING ->
//    ESTABLISHED -> UNALLOC; once every packet is acknowledged the initiator sends the close command
//    (CTRL CLOSE, AR) and the target's ACK of it frees both PDCs (no PDC left at either end).
// 2. UE1.0-PDS-START-PSN: four PDCs opened one after the other between the same two NICs start at
//    random PSNs (all different, none below 2^16), each at least 2^16 away (signed serial distance)
//    from the last PSN used on the same PDC id before.
// 3. UE1.0-PDS-MPR: with the target's MPR set to 1 (128 PSNs) and 512 B frames (about 300 packets
//    in a 1.5 BDP window), the ACK_CC carry MPR 1 and the initiator never has a PSN more than
//    128 past the cumulative ACK it has seen; no NACK PSN_OOR_WINDOW comes back.
import { test, expect, req, describe } from '../../harness/suite.ts';
import { UET_NACK_CODE } from '../../protocols/uet/nack.ts';
import { UET_CTRL_TYPE } from '../../protocols/uet/prologue.ts';
import { UET_MPR_UNIT_PSNS, UET_START_PSN_MIN_DISTANCE, uetPsnDistance } from '../../protocols/uet/psn.ts';
import { FRAME_BYTES, captureUet, isAck, isCtrl, isNack, isRequest, nicsOn, runToCompletion, uecFabric } from './lib.ts';

interface LogEntry {
  timePs: number;
  pdc: number;
  role: 'initiator' | 'target';
  from: string;
  to: string;
  flow: string;
}

describe('UET PDCs', () => {
  test('a PDC goes SYN -> ESTABLISHED -> CLOSING at the initiator, PENDING -> ESTABLISHED at the target, and the close frees both', req('UE1.0-PDS-PDC'), async ({ lab }) => {
    const f = uecFabric(lab, { leaves: 2, nicsPerLeaf: 3 });
    const src = nicsOn(f, f.leaves[0])[2];
    const dst = nicsOn(f, f.leaves[1])[2];
    const tx = lab.requireDevice(src.nic, ['traffic', 'state', 'capture']);
    const rx = lab.requireDevice(dst.nic, ['traffic', 'state']);
    const logOf = async (d: typeof tx | typeof rx): Promise<LogEntry[]> => {
      const log = await d.state.get('/uet/state/pdc-log');
      if (!Array.isArray(log)) lab.block(`device ${d.id} reports no PDC state log (/uet/state/pdc-log)`);
      return log as LogEntry[];
    };
    const before = { tx: (await logOf(tx)).length, rx: (await logOf(rx)).length };
    await tx.traffic.setFlows([{ name: 'pdc-life', txPort: src.nicPort, rxPort: `${dst.nic}:${dst.nicPort}`, bytes: 512 * 1024, frameBytes: FRAME_BYTES, transport: 'uet' }]);
    const frames = await captureUet(tx, src.nicPort, async () => {
      await runToCompletion(lab, [tx], 5, 'the flow completing');
      await lab.until(async () => ((await tx.state.get('/uet/state/pdcs')) as unknown[]).length === 0 && ((await rx.state.get('/uet/state/pdcs')) as unknown[]).length === 0, {
        timeoutMs: 1,
        what: 'both PDCs freed after the data was acknowledged',
      });
    });
    const ini = (await logOf(tx)).slice(before.tx).filter((e) => e.flow === 'pdc-life');
    const tgt = (await logOf(rx)).slice(before.rx).filter((e) => e.flow === 'pdc-life');
    expect(ini.map((e) => e.to), 'initiator states').toEqual(['SYN', 'ESTABLISHED', 'CLOSING', 'UNALLOC']);
    expect(ini.every((e) => e.role === 'initiator' && e.pdc === ini[0].pdc), 'one initiator PDC').toBe(true);
    expect(tgt.map((e) => e.to), 'target states').toEqual(['PENDING', 'ESTABLISHED', 'UNALLOC']);
    expect(tgt.every((e) => e.role === 'target' && e.pdc === tgt[0].pdc), 'one target PDC').toBe(true);
    const closes = frames.filter(isCtrl).filter((u) => u.direction === 'tx' && u.uet.pds.ctrlType === UET_CTRL_TYPE.CLOSE);
    expect(closes.length, 'close commands sent').toBeGreaterThan(0);
    const close = closes[0];
    expect(close.uet.pds.ackRequest, 'close command asks for an ACK').toBe(true);
    expect(close.uet.pds.spdcid, 'close names the initiator PDC').toBe(ini[0].pdc);
    expect(close.uet.pds.dpdcid, 'close names the target PDC').toBe(tgt[0].pdc);
    const lastData = frames.filter(isRequest).filter((u) => u.direction === 'tx').at(-1)!;
    expect(close.timePs, 'the close follows the data').toBeGreaterThan(lastData.timePs);
    const closeAck = frames.filter(isAck).find((u) => u.direction === 'rx' && u.timePs > close.timePs && u.uet.pds.cackPsn === close.uet.pds.psn);
    expect(closeAck, 'the target acknowledges the close command').toBeDefined();
    expect(ini.find((e) => e.to === 'UNALLOC')!.timePs, 'initiator freed once the close was acknowledged').toBeGreaterThanOrEqual(closeAck!.timePs);
    lab.metric({
      name: 'PDC life cycle',
      unit: 'us',
      table: {
        columns: ['end', 'state', 'at (us)'],
        rows: [...ini.map((e) => ['initiator', e.to, e.timePs / 1e6]), ...tgt.map((e) => ['target', e.to, e.timePs / 1e6])],
      },
    });
  });

  test('each new PDC starts at a random PSN at least 2^16 from the last PSN used on its PDC id', req('UE1.0-PDS-START-PSN'), async ({ lab }) => {
    const f = uecFabric(lab, { leaves: 2, nicsPerLeaf: 4 });
    const src = nicsOn(f, f.leaves[0])[3];
    const dst = nicsOn(f, f.leaves[1])[3];
    const tx = lab.requireDevice(src.nic, ['traffic', 'state', 'capture']);
    const rx = lab.requireDevice(dst.nic, ['traffic', 'state']);
    const pdcs: Array<{ id: number; start: number; last: number }> = [];
    for (let i = 0; i < 4; i++) {
      await tx.traffic.setFlows([{ name: `psn${i}`, txPort: src.nicPort, rxPort: `${dst.nic}:${dst.nicPort}`, bytes: 64 * 1024, frameBytes: FRAME_BYTES, transport: 'uet' }]);
      const frames = await captureUet(tx, src.nicPort, async () => {
        await runToCompletion(lab, [tx], 5, `flow psn${i} completing`);
        await lab.until(async () => ((await tx.state.get('/uet/state/pdcs')) as unknown[]).length === 0 && ((await rx.state.get('/uet/state/pdcs')) as unknown[]).length === 0, {
          timeoutMs: 1,
          what: `PDC of flow psn${i} closed`,
        });
      });
      const sent = frames.filter((u) => u.direction === 'tx' && (isRequest(u) || isCtrl(u)));
      const syn = frames.filter(isRequest).find((u) => u.direction === 'tx' && u.uet.pds.syn !== undefined);
      if (syn === undefined) throw new Error(`flow psn${i}: no SYN packet, so no start PSN`);
      const start = syn.uet.pds.startPsn!;
      let last = start;
      for (const u of sent) {
        const p = u.uet.pds as { psn: number };
        if (p.psn !== 0 && uetPsnDistance(last, p.psn) > 0) last = p.psn;
      }
      pdcs.push({ id: syn.uet.pds.spdcid, start, last });
    }
    const starts = pdcs.map((p) => p.start);
    expect(new Set(starts).size, `start PSNs ${starts.join(', ')} all different`).toBe(pdcs.length);
    for (const s of starts) expect(s, 'start PSN not in the lowest 2^16').toBeGreaterThanOrEqual(UET_START_PSN_MIN_DISTANCE);
    let reused = 0;
    for (let i = 1; i < pdcs.length; i++) {
      const prev = [...pdcs.slice(0, i)].reverse().find((p) => p.id === pdcs[i].id);
      if (prev === undefined) continue;
      reused++;
      const d = Math.abs(uetPsnDistance(prev.last, pdcs[i].start));
      expect(d, `PDC id ${pdcs[i].id}: start PSN ${pdcs[i].start} vs last PSN ${prev.last} used on it`).toBeGreaterThanOrEqual(UET_START_PSN_MIN_DISTANCE);
    }
    lab.metric({
      name: 'start PSNs of successive PDCs',
      unit: 'PSN',
      table: { columns: ['PDC id', 'start PSN', 'last PSN'], rows: pdcs.map((p) => [p.id, p.start, p.last]) },
    });
    lab.metric({ name: 'PDC ids reused', unit: 'PDCs', value: reused });
  });

  test('the initiator stays within MPR x 128 PSNs of the cumulative ACK the target advertises', req('UE1.0-PDS-MPR'), async ({ lab }) => {
    const f = uecFabric(lab, { leaves: 2, nicsPerLeaf: 2 });
    const src = nicsOn(f, f.leaves[0])[1];
    const dst = nicsOn(f, f.leaves[1])[0];
    const tx = lab.requireDevice(src.nic, ['traffic', 'capture']);
    const rx = lab.requireDevice(dst.nic, ['traffic', 'config']);
    const mprBefore = await rx.config.get('/uet/config/mpr');
    if (typeof mprBefore !== 'number') lab.block(`device ${rx.id} has no MPR setting (/uet/config/mpr)`);
    await rx.config.edit('/uet/config/mpr', 1);
    let frames;
    try {
      await tx.traffic.setFlows([{ name: 'mpr', txPort: src.nicPort, rxPort: `${dst.nic}:${dst.nicPort}`, bytes: 256 * 1024, frameBytes: 512, transport: 'uet', entropies: 16 }]);
      frames = await captureUet(tx, src.nicPort, async () => {
        await runToCompletion(lab, [tx], 5, 'the flow completing');
      });
    } finally {
      await rx.config.edit('/uet/config/mpr', mprBefore);
    }
    const window = 1 * UET_MPR_UNIT_PSNS;
    let cack: number | null = null;
    let start: number | null = null;
    let maxAhead = 0;
    for (const u of frames) {
      if (u.direction === 'rx' && isAck(u)) {
        expect(u.uet.pds.cc?.mpr, 'MPR advertised in ACK_CC').toBe(1);
        if (cack === null || uetPsnDistance(cack, u.uet.pds.cackPsn) > 0) cack = u.uet.pds.cackPsn;
      } else if (u.direction === 'tx' && isRequest(u)) {
        const r = u.uet.pds;
        if (start === null) start = r.startPsn ?? r.psn;
        const base = cack ?? (start - 1) >>> 0;
        const ahead = uetPsnDistance(base, r.psn);
        if (ahead > maxAhead) maxAhead = ahead;
        expect(ahead, `PSN ${r.psn} is ${ahead} past the cumulative ACK ${base}`).toBeLessThanOrEqual(window);
      }
    }
    const oor = frames.filter(isNack).filter((u) => u.uet.pds.nackCode === UET_NACK_CODE.PSN_OOR_WINDOW);
    expect(oor.length, 'NACKs PSN_OOR_WINDOW').toBe(0);
    expect(maxAhead, 'the window was reached (the test exercises it)').toBeGreaterThan(window / 2);
    lab.metric({ name: 'most PSNs ahead of the cumulative ACK (MPR 1 = 128)', unit: 'PSNs', value: maxAhead });
  });
});
