// Demo suite: a two-port switch counts the traffic it forwards and stops forwarding on a port fault.
//
// Checks (requirement IDs):
// - RFC2863-ifHCInOctets / ifHCOutOctets / ifHCInUcastPkts: a flow of N frames of S bytes sent
//   through the switch moves the in-counters of the ingress port and the out-counters of the egress
//   port by exactly N frames and N x S octets;
// - RFC2863-ifOperStatus / RFC8343-oper-status: a link-down fault on a port makes its oper-status
//   down within 1 ms, and traffic towards it stops being delivered; clearing it brings it back up.
// Devices: one `switch` with counters, state and faults; one `traffic-generator` wired to two of
// its ports (the first two links of the testbed that join them).
import { test, expect, req, describe } from '../../harness/suite.ts';
import type { Lab } from '../../harness/suite.ts';

const FRAME_BYTES = 1000;
const FRAMES = 200;

/** The two switch ports the traffic generator is wired to, and the generator ports facing them. */
async function wiring(lab: Lab) {
  const dut = lab.requireDevice({ kind: 'switch' }, ['counters', 'state', 'faults']);
  const ate = lab.requireDevice({ kind: 'traffic-generator' }, ['traffic']);
  const pairs = lab.links(ate.id, dut.id);
  if (pairs.length < 2) lab.block(`the testbed has ${pairs.length} link(s) between ${ate.id} and ${dut.id}; the suite needs 2`);
  const [[ateA, dutA], [ateB, dutB]] = pairs as [[string, string], [string, string]];
  return { dut, ate, ateA, ateB, dutA, dutB };
}

describe('demo switch', () => {
  test(
    'counters count every frame and octet of a flow',
    req('RFC2863-ifHCInOctets', 'RFC2863-ifHCOutOctets', 'RFC2863-ifHCInUcastPkts'),
    async ({ lab }) => {
      const { dut, ate, ateA, ateB, dutA, dutB } = await wiring(lab);
      const before = await dut.counters.all();
      await ate.traffic.setFlows([{ name: 'a-to-b', txPort: ateA, rxPort: `${ate.id}:${ateB}`, bytes: FRAMES * FRAME_BYTES, frameBytes: FRAME_BYTES }]);
      await ate.traffic.start();
      const done = await lab.until(async () => (await ate.traffic.metrics()).find((m) => m.done), { timeoutMs: 10, what: 'flow a-to-b completing' });
      const after = await dut.counters.all();

      expect(done.rxFrames, 'frames delivered').toBe(FRAMES);
      expect(after[dutA]!.inPkts - before[dutA]!.inPkts, `${dutA} in packets`).toBe(BigInt(FRAMES));
      expect(after[dutA]!.inOctets - before[dutA]!.inOctets, `${dutA} in octets`).toBe(BigInt(FRAMES * FRAME_BYTES));
      expect(after[dutB]!.outPkts - before[dutB]!.outPkts, `${dutB} out packets`).toBe(BigInt(FRAMES));
      expect(after[dutB]!.outOctets - before[dutB]!.outOctets, `${dutB} out octets`).toBe(BigInt(FRAMES * FRAME_BYTES));
      lab.metric({ name: 'flow completion time', unit: 'us', value: (done.fctPs ?? 0) / 1e6 });
    },
  );

  test(
    'a link-down fault takes the port down and stops delivery; clearing it restores both',
    req('RFC2863-ifOperStatus', 'RFC8343-oper-status'),
    async ({ lab }) => {
      const { dut, ate, ateA, ateB, dutB } = await wiring(lab);
      const status = `/interfaces/interface[name=${dutB}]/oper-status`;
      expect(await dut.state.get(status)).toBe('up');

      const fault = await dut.faults.inject({ kind: 'link-down', port: dutB });
      await lab.until(async () => (await dut.state.get(status)) === 'down', { timeoutMs: 1, what: `${dutB} oper-status down` });

      await ate.traffic.setFlows([{ name: 'into-down-port', txPort: ateA, rxPort: `${ate.id}:${ateB}`, bytes: 50 * FRAME_BYTES, frameBytes: FRAME_BYTES }]);
      await ate.traffic.start();
      await lab.advance(1);
      const [m] = await ate.traffic.metrics();
      expect(m!.txFrames, 'frames sent').toBe(50);
      expect(m!.rxFrames, 'frames delivered through a down port').toBe(0);

      await dut.faults.clear(fault);
      await lab.until(async () => (await dut.state.get(status)) === 'up', { timeoutMs: 1, what: `${dutB} oper-status up again` });
    },
  );

  test('the switch reports the link rate of its ports', req('RFC8343-speed'), async ({ lab }) => {
    const dut = lab.requireDevice({ kind: 'switch' }, ['state']);
    for (const p of dut.ports) {
      const speed = await dut.state.get(`/interfaces/interface[name=${p}]/speed`);
      expect(Number(speed), `${p} speed`).toBeGreaterThan(0);
    }
  });
});
