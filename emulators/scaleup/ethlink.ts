// EthLink and ETH-X on the engine: accelerators sending one frame per unit, switches forwarding on the OEFH destination id or the PRI device id.
//
// EthLink (ETHL-1..3): flows take the attribute `semantic` (tma, default, or lsu) that goes into the
// OEFH; the receiving analyser counts units per semantic. ETH-X (ETHX-2): a frame's PRI holds the
// destination's device id and, as the user-defined address, where in the target the data goes
// (flow index, unit sequence: 10 bytes the network must not touch); the receiving analyser counts
// frames whose user address is not the one the data's signature implies.
//
// Defects: ethlink-oefh-semantic-cleared (the switch writes TMA into every OEFH),
// ethx-pri-user-address-rewritten (the switch overwrites the user address with its own
// egress port's address, as a router rewrites MAC addresses).
import { ETHLINK_SEMANTIC, ETHLINK_TXN_OPCODE, EthlinkOefhView, buildEthlinkFrame, parseEthlinkFrame } from '../../protocols/ethlink/index.ts';
import { ETHX_TXN_OFFSET, ETHX_TXN_OPCODE, ETHX_USER_ADDRESS_LEN, EthxPriView, buildEthxFrame, parseEthxFrame } from '../../protocols/ethx/index.ts';
import { scaleupReadSignature } from '../../protocols/scaleup/signature.ts';
import { WireError } from '../../protocols/wire.ts';
import { hash32 } from '../sim/rng.ts';
import { registerScaleupProtocol, type ScaleupDevice, type ScaleupFabric, type ScaleupPort } from './fabric.ts';
import { SwitchCoreBase } from './common.ts';
import type { FlowAttributes, ScaleupFlow } from './flows.ts';
import { FrameAccelerator, type Decoded } from './simple.ts';

const SEMANTICS: Record<string, number> = { tma: ETHLINK_SEMANTIC.TMA, lsu: ETHLINK_SEMANTIC.LSU };

function onlyAttribute(device: ScaleupDevice, name: string, a: FlowAttributes | undefined, key: string | null, check: (v: unknown) => boolean, dflt: FlowAttributes): FlowAttributes {
  const out = { ...dflt };
  for (const [k, v] of Object.entries(a ?? {})) {
    if (k !== key) throw new Error(`device '${device.name}': flow '${name}': ${device.protocol} flows take ${key === null ? 'no attributes' : `attribute '${key}' only`}, not '${k}'`);
    if (!check(v)) throw new Error(`device '${device.name}': flow '${name}': bad ${k} ${JSON.stringify(v)}`);
    out[k] = v;
  }
  return out;
}

class EthlinkAccelerator extends FrameAccelerator {
  readonly bySemantic = { tma: 0, lsu: 0, other: 0 };

  constructor(fabric: ScaleupFabric, device: ScaleupDevice) {
    super(fabric, device, (a, name) => onlyAttribute(device, name, a, 'semantic', (v) => v === 'tma' || v === 'lsu', { semantic: 'tma' }));
  }

  protected buildUnit(flow: ScaleupFlow, seq: number, data: Uint8Array): Uint8Array {
    return buildEthlinkFrame({
      oefh: { semantic: SEMANTICS[flow.attributes.semantic as string], dstId: flow.dst.id, srcId: this.device.id, entropy: hash32(this.device.id, flow.dst.id, flow.index) & 0xffff },
      opcode: ETHLINK_TXN_OPCODE.WRITE,
      address: (seq * 4096) >>> 0,
      data,
    });
  }

  protected decode(_port: ScaleupPort, bytes: Uint8Array): Decoded {
    const f = parseEthlinkFrame(bytes);
    if (f.oefh.dstId !== this.device.id) throw new WireError('malformed', 'ethlink', 'dstId', `frame for ${f.oefh.dstId} at ${this.device.id}`);
    if (f.oefh.semantic === ETHLINK_SEMANTIC.TMA) this.bySemantic.tma++;
    else if (f.oefh.semantic === ETHLINK_SEMANTIC.LSU) this.bySemantic.lsu++;
    else this.bySemantic.other++;
    return { kind: 'unit', src: f.oefh.srcId, data: f.data };
  }

  protected override receiveExtra(): Record<string, unknown> {
    return { bySemantic: { ...this.bySemantic } };
  }
}

class EthlinkSwitch extends SwitchCoreBase {
  onFrame(port: ScaleupPort, bytes: Uint8Array): void {
    let v: EthlinkOefhView;
    try {
      v = EthlinkOefhView.checked(bytes);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      this.counters.malformed++;
      this.fabric.network.stats(this.device.node, port.index).inErrors++;
      return;
    }
    const egress = this.route(port, v.srcId, v.dstId);
    if (egress === undefined) return;
    this.counters.forwarded++;
    let out = bytes;
    if (this.device.has('ethlink-oefh-semantic-cleared') && v.semantic !== ETHLINK_SEMANTIC.TMA) {
      out = bytes.slice();
      EthlinkOefhView.unchecked(out).setSemantic(ETHLINK_SEMANTIC.TMA);
    }
    this.afterLatency(() => egress.send(out));
  }
}

/** The user-defined address of an ETH-X unit: flow index (2 bytes), unit sequence (4), byte offset (4). */
export function ethxUserAddressOf(flowIndex: number, seq: number): Uint8Array {
  const out = new Uint8Array(ETHX_USER_ADDRESS_LEN);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, flowIndex);
  dv.setUint32(2, seq);
  dv.setUint32(6, (seq * 4096) >>> 0);
  return out;
}

class EthxAccelerator extends FrameAccelerator {
  userAddressMismatch = 0;

  constructor(fabric: ScaleupFabric, device: ScaleupDevice) {
    super(fabric, device, (a, name) => onlyAttribute(device, name, a, null, () => false, {}));
  }

  protected buildUnit(flow: ScaleupFlow, seq: number, data: Uint8Array): Uint8Array {
    return buildEthxFrame({ pri: { deviceId: flow.dst.id, userAddress: ethxUserAddressOf(flow.index, seq) }, opcode: ETHX_TXN_OPCODE.WRITE, srcDevice: this.device.id, data });
  }

  protected decode(_port: ScaleupPort, bytes: Uint8Array): Decoded {
    const f = parseEthxFrame(bytes);
    if (f.pri.deviceId !== this.device.id) throw new WireError('malformed', 'ethx', 'deviceId', `frame for ${f.pri.deviceId} at ${this.device.id}`);
    const sig = scaleupReadSignature(f.data);
    if (sig !== null) {
      const want = ethxUserAddressOf(sig.flow, sig.seq);
      if (!want.every((b, i) => b === f.pri.userAddress[i])) this.userAddressMismatch++;
    }
    return { kind: 'unit', src: f.srcDevice, data: f.data };
  }

  protected override receiveExtra(): Record<string, unknown> {
    return { userAddressMismatch: this.userAddressMismatch };
  }
}

class EthxSwitch extends SwitchCoreBase {
  onFrame(port: ScaleupPort, bytes: Uint8Array): void {
    let dst: number;
    let src: number;
    try {
      dst = EthxPriView.checked(bytes).deviceId;
      if (bytes.length < ETHX_TXN_OFFSET + 6) throw new WireError('truncated', 'ethx', 'txn', 'no source device');
      src = (bytes[ETHX_TXN_OFFSET + 4] << 8) | bytes[ETHX_TXN_OFFSET + 5];
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      this.counters.malformed++;
      this.fabric.network.stats(this.device.node, port.index).inErrors++;
      return;
    }
    const egress = this.route(port, src, dst);
    if (egress === undefined) return;
    this.counters.forwarded++;
    let out = bytes;
    if (this.device.has('ethx-pri-user-address-rewritten')) {
      out = bytes.slice();
      const addr = new Uint8Array(ETHX_USER_ADDRESS_LEN);
      addr.set([0x02, 0xe7, (this.device.node >> 8) & 0xff, this.device.node & 0xff, (egress.index >> 8) & 0xff, egress.index & 0xff]);
      EthxPriView.unchecked(out).setUserAddress(addr);
    }
    this.afterLatency(() => egress.send(out));
  }
}

registerScaleupProtocol('ethlink', {
  switch: (f, d) => new EthlinkSwitch(f, d),
  accelerator: (f, d) => new EthlinkAccelerator(f, d),
});

registerScaleupProtocol('ethx', {
  switch: (f, d) => new EthxSwitch(f, d),
  accelerator: (f, d) => new EthxAccelerator(f, d),
});
