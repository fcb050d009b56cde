// The SNMP agent's interface provider backed by one twin node: an IF-MIB row per port with the node's live counters.
//
// The node is looked up at each request (`node()`), so a lab reset (served-twin.ts) is served at
// once. ifIndex is the port's position (1-based) in the node's port list, ifName the port name; admin
// status follows the node's `enabled` (or the NETCONF provider's own record, through `adminUp`),
// oper status the node's state; counters are read when the datagram arrives.
import type { TwinNode } from '../../twin.ts';
import type { SnmpInterface, SnmpInterfaceProvider } from '../snmp/agent.ts';

export class TwinSnmpProvider implements SnmpInterfaceProvider {
  constructor(
    /** The node served now. */
    private readonly node: () => TwinNode,
    /** Administrative state of a port (default: the node's `enabled`, else up). */
    private readonly adminUp: (port: string) => boolean = (p) => node().state?.get(`/interfaces/interface[name=${p}]/enabled`) !== false,
  ) {}

  interfaces(): readonly SnmpInterface[] {
    const node = this.node();
    const zero = { inOctets: 0, outOctets: 0, inPkts: 0, outPkts: 0, inDiscards: 0, outDiscards: 0, inErrors: 0, outErrors: 0 };
    return node.ports.map((name, i) => {
      const state = (leaf: string): unknown => node.state?.get(`/interfaces/interface[name=${name}]/${leaf}`);
      const speed = state('speed');
      const c = node.counters?.port(name) ?? zero;
      const adminUp = this.adminUp(name);
      return {
        name,
        index: i + 1,
        adminUp,
        operUp: adminUp && state('oper-status') === 'up',
        speedBps: typeof speed === 'number' && speed > 0 ? Math.trunc(speed) : 0,
        counters: {
          inOctets: c.inOctets,
          outOctets: c.outOctets,
          inPkts: c.inPkts,
          outPkts: c.outPkts,
          inDiscards: c.inDiscards,
          outDiscards: c.outDiscards,
          inErrors: c.inErrors,
          outErrors: c.outErrors,
        },
      };
    });
  }
}
