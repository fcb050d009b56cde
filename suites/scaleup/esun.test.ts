// ESUN: congestion marking through EH-ECN reaches the receiver as IP ECN would.
//
// Test plan (requirement IDs ESUN-2, RFC3168-5): two accelerators send to a third at line rate
// (its switch port is the bottleneck) while the third sends to a fourth, whose acknowledgements
// (Not-ECT) then cross the congested port. From captures: the senders emit data as ECT(0) and
// never CE; at the receiver some data frames arrive CE, every data frame is ECT(0) or CE, and no
// Not-ECT frame was marked; the receiver counts as CE exactly the CE data frames it was sent.
// Devices: the ESUN supernode (four accelerators) with state, traffic, capture.
import { test, expect, req, describe } from '../../harness/suite.ts';
import { IP_ECN } from '../../protocols/ip.ts';
import { SUE_RH_OPCODE_DEFAULT } from '../../protocols/sue/index.ts';
import { capturing, decode, finite, flow, runFlows, rx, supernode, tx } from './helpers.ts';

describe('ESUN', () => {
  test('EH-ECN congestion marking reaches the receiver like IP ECN', req('ESUN-2', 'RFC3168-5'), async ({ lab }) => {
    const sn = await supernode(lab, 'esun');
    if (sn.accs.length < 4) lab.block('the ESUN supernode needs four accelerators');
    const [a, b, c, d] = sn.accs;
    const ceBefore = ((await c.dev.state.get('/scaleup/reliability')) as { ceReceived: number }).ceReceived;
    const caps = await capturing(
      [
        { dev: a.dev, port: a.port },
        { dev: c.dev, port: c.port },
      ],
      async () => {
        const r = await runFlows(lab, [
          { from: a, flows: [flow('a-c', a, c, 1 << 20, 4096)] },
          { from: b, flows: [flow('b-c', b, c, 1 << 20, 4096)] },
          { from: c, flows: [flow('c-d', c, d, 1 << 19, 4096)] },
        ], 20);
        for (const m of r.values()) expect([m.name, m.done]).toEqual([m.name, true]);
      },
    );
    const sent = tx(caps.get(`${a.dev.id}:${a.port}`)!).map((f) => decode('esun', f.bytes).esun!);
    expect(sent.filter((p) => p.rh.opcode === SUE_RH_OPCODE_DEFAULT.DATA).every((p) => p.eh.ecn === IP_ECN.ECT0), 'the sender sends data ECT(0)').toBe(true);
    const arrived = rx(caps.get(`${c.dev.id}:${c.port}`)!).map((f) => decode('esun', f.bytes).esun!);
    const data = arrived.filter((p) => p.rh.opcode === SUE_RH_OPCODE_DEFAULT.DATA && p.rh.xpuId !== d.id);
    const control = arrived.filter((p) => p.rh.opcode !== SUE_RH_OPCODE_DEFAULT.DATA);
    const ce = data.filter((p) => p.eh.ecn === IP_ECN.CE).length;
    expect(ce, 'data frames marked CE under congestion').toBeGreaterThan(0);
    expect(data.every((p) => p.eh.ecn === IP_ECN.ECT0 || p.eh.ecn === IP_ECN.CE), 'data stays ECT or becomes CE').toBe(true);
    expect(control.length, 'Not-ECT acknowledgements through the congested port').toBeGreaterThan(0);
    expect(control.filter((p) => p.eh.ecn !== IP_ECN.NOT_ECT).length, 'Not-ECT frames marked').toBe(0);
    const ceAfter = ((await c.dev.state.get('/scaleup/reliability')) as { ceReceived: number }).ceReceived;
    expect(ceAfter - ceBefore, 'the receiver counts the CE marks').toBe(ce);
    lab.metric({ name: 'ESUN data frames marked CE at the receiver', unit: '%', value: finite((100 * ce) / data.length) });
  });
});
