// The twin nodes of the scale-up family: `scaleup-switch` and `accelerator`, the engine's port model plus /scaleup state and config and, for accelerators, traffic.
//
// Paths below /scaleup go to the device's protocol core (common.ts lists them; each protocol adds
// its own); /scaleup alone reads a summary (protocol, id, ports). Everything else (interfaces,
// counters, capture, faults) is the engine's port model, except that a port's speed is what the
// device reports (a defect may misreport it).
import type { TwinNode } from '../twin.ts';
import type { TwinModelContext } from '../build.ts';
import { PortDeviceModel } from '../fabric/twin-models.ts';
import { ScaleupFabric, type ScaleupDevice } from './fabric.ts';
import type { CoreBase, EndpointCoreBase } from './common.ts';

const SPEED_PATH = /^\/interfaces\/interface\[name=([^\]]+)\](?:\/state)?\/speed$/;

function scaleupPath(path: string): string | null {
  if (path === '/scaleup') return '';
  return path.startsWith('/scaleup/') ? path.slice('/scaleup'.length) : null;
}

export class ScaleupSwitchModel extends PortDeviceModel {
  protected readonly scaleup: ScaleupDevice;

  constructor(ctx: TwinModelContext) {
    super(ctx.runtime, ctx.nodeIndex, ctx.spec, ctx.defects);
    const dev = ScaleupFabric.of(ctx.runtime).byNode.get(ctx.nodeIndex);
    if (dev === undefined) throw new Error(`device '${ctx.spec.id}': not a scale-up device`);
    this.scaleup = dev;
  }

  protected get core(): CoreBase {
    return this.scaleup.core as CoreBase;
  }

  protected override stateGet(path: string): unknown {
    const sp = scaleupPath(path);
    if (sp === '') {
      return { protocol: this.scaleup.protocol, ...(this.scaleup.role === 'accelerator' ? { id: this.scaleup.id } : {}), ports: this.scaleup.ports.map((p) => p.name) };
    }
    if (sp !== null) return this.core.state(sp);
    const m = SPEED_PATH.exec(path);
    if (m !== null) {
      const p = this.scaleup.ports.find((x) => x.name === m[1]);
      if (p !== undefined) return this.core.speedOf(p.index);
    }
    const base = super.stateGet(path);
    if (path === '/interfaces' && Array.isArray(base)) {
      return base.map((i: { name: string; speed: number }) => {
        const p = this.scaleup.ports.find((x) => x.name === i.name);
        return p === undefined ? i : { ...i, speed: this.core.speedOf(p.index) };
      });
    }
    return base;
  }

  protected override configGet(path?: string): unknown {
    const sp = path === undefined ? null : scaleupPath(path);
    if (sp !== null) return this.core.configGet(sp);
    return super.configGet(path);
  }

  protected override configEdit(path: string, value: unknown, op: 'merge' | 'replace' | 'delete'): void {
    const sp = scaleupPath(path);
    if (sp !== null) {
      if (!this.core.config(sp, value, op)) throw new Error(`device '${this.id}': config path '${path}' is not supported`);
      return;
    }
    super.configEdit(path, value, op);
  }
}

export class AcceleratorModel extends ScaleupSwitchModel {
  readonly traffic: NonNullable<TwinNode['traffic']>;

  constructor(ctx: TwinModelContext) {
    super(ctx);
    const core = () => this.scaleup.core as EndpointCoreBase;
    this.traffic = {
      setFlows: (flows) => core().setFlows(flows),
      start: () => core().flows.start(),
      stop: () => core().flows.stop(),
      metrics: () => core().metrics(),
    };
  }
}
