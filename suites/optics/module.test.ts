// Optics suite, the module itself: identity and advertising, power class, the module state machine, and data-path configuration through ApSel.
//
// Test plan (requirement IDs):
// - CMIS-Identity, OPT-9: every module's identifier, CMIS revision and application advertisement
//   decode to known SFF-8024 codes; upper page 00h repeats the identifier, names a vendor, part
//   and serial number, and its checksum (byte 222) verifies;
// - CMIS-PowerClass, OPT-9: every module's power class (byte 200) is the class of its advertised
//   maximum power (byte 201), and the module draws no more than that maximum;
// - CMIS-ModuleStateMachine, OPT-9: LowPwrRequestSW takes a Ready module through ModulePwrDn to
//   ModuleLowPwr (data paths deactivated); releasing it goes through ModulePwrUp to ModuleReady
//   within the advertised durations (page 01h), the data path comes back to DPActivated and the
//   module state changed flag latched;
// - CMIS-DataPathStateMachine, CMIS-ControlSets, CMIS-ConfigStatus: a second advertised
//   application staged on deinitialised lanes and applied with ApplyDPInit reports ConfigSuccess,
//   becomes the active control set, and its data paths reach DPActivated when released;
// - CMIS-ConfigStatus: an ApSel that is not advertised is rejected with
//   ConfigRejectedInvalidAppSel (3) and leaves the active control set as it was.
// Devices: the `switch` reporting the most modules in its ports (/optics/ports), with `cmis`.
import { test, expect, req, describe } from '../../harness/suite.ts';
import {
  CMIS_CONFIG_STATUS as CS,
  CMIS_DP_STATE as DP,
  CMIS_LOWER,
  CMIS_MODULE_STATE as MS,
  CMIS_PAGE10,
  CMIS_POWER_CLASS_MAX_W,
  CMIS_UPPER00,
  cmisApSelEncode,
  cmisConfigStatusName,
  cmisDpStateName,
  cmisModuleStateName,
  sff8024HostName,
  sff8024MediaName,
  type CmisApplication,
} from '../../protocols/cmis/index.ts';
import { opticsSwitch, portsOf, range, type OpticsDevice } from './optics-lab.ts';

const PRINTABLE = /^[\x20-\x7e]+$/;

/** Waits until every lane in `lanes` of `port` is in `state`. */
async function untilDpState(dev: OpticsDevice, port: string, lanes: number[], state: number, timeoutMs: number): Promise<void> {
  await dev.lab.until(
    async () => {
      const v = await dev.page11NoFlags(port);
      return lanes.every((l) => v.dpState(l) === state);
    },
    { timeoutMs, pollMs: 1, what: `${dev.id}:${port} lanes ${lanes.join(',')} ${cmisDpStateName(state)}` },
  );
}

/** Stages `apSel` for each data path (first lane, lanes) with ApplyDPInit on deinitialised lanes; returns the config status per lane. */
async function applyDataPaths(dev: OpticsDevice, port: string, hostLanes: number, paths: Array<{ apSel: number; first: number; lanes: number[] }>): Promise<number[]> {
  const all = range(hostLanes);
  const mask = all.reduce((m, l) => m | (1 << (l - 1)), 0);
  await dev.write(port, 0x10, 128, mask); // DataPathDeinit on every lane
  await untilDpState(dev, port, all, DP.DEACTIVATED, 2000);
  const bytes = [...(await dev.page10(port)).raw(CMIS_PAGE10.STAGED_APSEL)];
  for (const p of paths) for (const l of p.lanes) bytes[l - 1] = cmisApSelEncode({ apSel: p.apSel, dataPathId: p.first - 1, explicitControl: false });
  await dev.write(port, 0x10, 145, ...bytes);
  const applied = paths.flatMap((p) => p.lanes);
  await dev.write(port, 0x10, 143, applied.reduce((m, l) => m | (1 << (l - 1)), 0)); // ApplyDPInit
  const v = await dev.lab.until(
    async () => {
      const p11 = await dev.page11NoFlags(port);
      const done = (l: number) => p11.configStatus(l) !== CS.IN_PROGRESS && p11.configStatus(l) !== CS.UNDEFINED;
      return applied.every(done) ? p11 : undefined;
    },
    { timeoutMs: 1000, pollMs: 1, what: `${dev.id}:${port} config status of lanes ${applied.join(',')}` },
  );
  return all.map((l) => v.configStatus(l));
}

/** Data paths of `app` over the host lanes: one per allowed first lane. */
function dataPathsOf(app: CmisApplication, apSel: number, hostLanes: number) {
  return range(hostLanes)
    .filter((f) => app.allowsFirstLane(f) && f + app.hostLaneCount - 1 <= hostLanes)
    .map((first) => ({ apSel, first, lanes: app.lanesFrom(first) }));
}

describe('optics: module', () => {
  test('identity and application advertisement decode to known codes', req('CMIS-Identity', 'OPT-9'), async ({ lab }) => {
    const dev = await opticsSwitch(lab);
    for (const p of dev.ports) {
      const lower = await dev.lower(p.name);
      const upper = await dev.upper00(p.name);
      const at = `${dev.id}:${p.name}`;
      expect([0x02, 0x18, 0x19, 0x1e], `${at} identifier (SFF-8024)`).toContain(lower.identifier);
      expect(Number(lower.revision.split('.')[0]), `${at} CMIS revision ${lower.revision}`).toBeGreaterThanOrEqual(4);
      expect(upper.get(CMIS_UPPER00.IDENTIFIER), `${at} upper page 00h identifier`).toBe(lower.identifier);
      const apps = lower.applications;
      expect(apps.length, `${at} advertised applications`).toBeGreaterThan(0);
      for (const [i, a] of apps.entries()) {
        expect(sff8024HostName(a.hostInterfaceId), `${at} application ${i + 1} host interface`).not.toMatch(/^0x|Vendor specific|Unused/);
        expect(sff8024MediaName(a.mediaInterfaceId, lower.mediaType), `${at} application ${i + 1} media interface`).not.toMatch(/^0x|Vendor specific/);
        expect(a.hostLaneCount, `${at} application ${i + 1} host lanes`).toBeGreaterThan(0);
        expect(a.hostLaneAssignment, `${at} application ${i + 1} lane assignment`).toBeGreaterThan(0);
      }
      expect(upper.text(CMIS_UPPER00.VENDOR_NAME), `${at} vendor name`).toMatch(PRINTABLE);
      expect(upper.text(CMIS_UPPER00.VENDOR_PN), `${at} part number`).toMatch(PRINTABLE);
      expect(upper.text(CMIS_UPPER00.VENDOR_SN), `${at} serial number`).toMatch(PRINTABLE);
      expect(upper.verifyChecksum(), `${at} upper page 00h checksum`).toBe(true);
    }
  });

  test('power class matches the advertised maximum power, which the module does not exceed', req('CMIS-PowerClass', 'OPT-9'), async ({ lab }) => {
    const dev = await opticsSwitch(lab);
    for (const p of dev.ports) {
      const upper = await dev.upper00(p.name);
      const at = `${dev.id}:${p.name} (${p.profile})`;
      const cls = upper.powerClass;
      expect(upper.maxPowerW, `${at} maximum power within class ${cls}`).toBeLessThanOrEqual(CMIS_POWER_CLASS_MAX_W[cls - 1]!);
      if (cls > 1) expect(upper.maxPowerW, `${at} maximum power above class ${cls - 1}`).toBeGreaterThan(CMIS_POWER_CLASS_MAX_W[cls - 2]!);
      expect(p.powerDrawW, `${at} draw at work vs advertised maximum ${upper.maxPowerW} W`).toBeLessThanOrEqual(upper.maxPowerW);
    }
  });

  test('LowPwr request and release go through PwrDn and PwrUp within the advertised durations', req('CMIS-ModuleStateMachine', 'OPT-9'), async ({ lab }) => {
    const dev = await opticsSwitch(lab);
    const port = portsOf(lab, dev, 'conventional', 2)[1]!.name;
    const hostLanes = (await dev.lower(port)).applications[0]!.hostLaneCount;
    const durations = (await dev.page01(port)).durations;
    expect(await dev.moduleState(port), 'module state at the start').toBe(MS.READY);

    /** Polls the module state every ms until `final`; returns the states seen (repeats collapsed) and when each began. */
    const watch = async (final: number, timeoutMs: number) => {
      const seen: Array<{ state: number; atPs: number }> = [];
      await lab.until(
        async () => {
          const s = await dev.moduleState(port);
          if (seen.length === 0 || seen[seen.length - 1]!.state !== s) seen.push({ state: s, atPs: await lab.nowPs() });
          return s === final;
        },
        { timeoutMs, pollMs: 1, what: `${dev.id}:${port} ${cmisModuleStateName(final)}` },
      );
      return seen;
    };
    /** Names of the states seen, without the state before the request if a poll still caught it. */
    const names = (seen: Array<{ state: number }>, before: number) => {
      const out = seen.map((s) => s.state);
      if (out.length > 1 && out[0] === before) out.shift();
      return out.map(cmisModuleStateName);
    };

    const byte26 = (await dev.device.cmis.read(port, 0, 0, 26, 1))[0]!;
    await dev.lower(port); // clears the latched flags
    await dev.write(port, 0, 26, byte26 | 0x10); // LowPwrRequestSW
    const down = await watch(MS.LOW_PWR, 2 * durations.modulePwrDnMs);
    expect(names(down, MS.READY), 'states after the LowPwr request').toEqual(['ModulePwrDn', 'ModuleLowPwr']);
    const p11 = await dev.page11NoFlags(port);
    expect(range(hostLanes).map((l) => cmisDpStateName(p11.dpState(l))), 'data paths in ModuleLowPwr').toEqual(range(hostLanes).map(() => 'DPDeactivated'));
    expect((await dev.lower(port)).get(CMIS_LOWER.STATE_CHANGED_FLAG), 'module state changed flag (latched)').toBe(1);

    const releasedPs = await lab.nowPs();
    await dev.write(port, 0, 26, byte26 & ~0x10);
    const up = await watch(MS.READY, 2 * durations.modulePwrUpMs);
    expect(names(up, MS.LOW_PWR), 'states after the release').toEqual(['ModulePwrUp', 'ModuleReady']);
    const pwrUpMs = (up[up.length - 1]!.atPs - releasedPs) / 1e9;
    expect(pwrUpMs, `ModulePwrUp lasted ${pwrUpMs} ms, advertised < ${durations.modulePwrUpMs} ms`).toBeLessThan(durations.modulePwrUpMs);
    await untilDpState(dev, port, range(hostLanes), DP.ACTIVATED, durations.dpInitMs + durations.txTurnOnMs);
    lab.metric({ name: `${port} ModulePwrUp duration`, unit: 'ms', value: pwrUpMs });
  });

  test('a valid ApSel applies: ConfigSuccess, active control set, lanes DPActivated', req('CMIS-DataPathStateMachine', 'CMIS-ControlSets', 'CMIS-ConfigStatus'), async ({ lab }) => {
    const dev = await opticsSwitch(lab);
    let target: { port: string; apps: CmisApplication[] } | undefined;
    for (const p of dev.ports) {
      const apps = (await dev.lower(p.name)).applications;
      if (apps.length >= 2) target = { port: p.name, apps };
      if (target) break;
    }
    if (!target) return lab.block(`no module of ${dev.id} advertises a second application`);
    const { port, apps } = target;
    const hostLanes = apps[0]!.hostLaneCount;
    const d = (await dev.page01(port)).durations;
    const paths = dataPathsOf(apps[1]!, 2, hostLanes);
    expect(paths.length, 'data paths of application 2 over the host lanes').toBeGreaterThan(0);

    const status = await applyDataPaths(dev, port, hostLanes, paths);
    const used = paths.flatMap((p) => p.lanes);
    expect(used.map((l) => cmisConfigStatusName(status[l - 1]!)), 'config status of ApSel 2').toEqual(used.map(() => 'ConfigSuccess'));
    const active = await dev.page11NoFlags(port);
    for (const p of paths) {
      for (const l of p.lanes) expect(active.activeApSel(l), `active control set, lane ${l}`).toMatchObject({ apSel: 2, dataPathId: p.first - 1 });
    }
    await dev.write(port, 0x10, 128, 0); // release DataPathDeinit
    await untilDpState(dev, port, used, DP.ACTIVATED, d.dpInitMs + d.txTurnOnMs);

    // Back to application 1 on all host lanes.
    const restore = await applyDataPaths(dev, port, hostLanes, dataPathsOf(apps[0]!, 1, hostLanes));
    expect(restore.slice(0, hostLanes).map((s) => cmisConfigStatusName(s)), 'config status of ApSel 1 again').toEqual(range(hostLanes).map(() => 'ConfigSuccess'));
    await dev.write(port, 0x10, 128, 0);
    await untilDpState(dev, port, range(hostLanes), DP.ACTIVATED, d.dpInitMs + d.txTurnOnMs);
    expect((await dev.page11NoFlags(port)).activeApSel(1).apSel, 'active ApSel after the restore').toBe(1);
  });

  test('an ApSel that is not advertised is rejected with ConfigRejectedInvalidAppSel and not applied', req('CMIS-ConfigStatus'), async ({ lab }) => {
    const dev = await opticsSwitch(lab);
    const port = portsOf(lab, dev, 'conventional')[0]!.name;
    const apps = (await dev.lower(port)).applications;
    const hostLanes = apps[0]!.hostLaneCount;
    const d = (await dev.page01(port)).durations;
    const before = await dev.page11NoFlags(port);
    const invalid = apps.length + 1; // the first ApSel the module does not advertise (lower page lists 1..8)
    const lanes = range(hostLanes);

    const status = await applyDataPaths(dev, port, hostLanes, [{ apSel: invalid, first: 1, lanes }]);
    expect(lanes.map((l) => cmisConfigStatusName(status[l - 1]!)), `config status of ApSel ${invalid}`).toEqual(
      lanes.map(() => cmisConfigStatusName(CS.REJECTED_INVALID_APSEL)),
    );
    const after = await dev.page11NoFlags(port);
    for (const l of lanes) expect(after.activeApSel(l), `active control set, lane ${l}, unchanged`).toEqual(before.activeApSel(l));
    await dev.write(port, 0x10, 128, 0);
    await untilDpState(dev, port, lanes, DP.ACTIVATED, d.dpInitMs + d.txTurnOnMs);
  });
});
