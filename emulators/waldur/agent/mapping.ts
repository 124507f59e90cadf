// ComponentMapper (waldur_site_agent/common/component_mapping.py): passthrough when a component has no
// target_components; otherwise target = sum(source x factor), truncated after summation; usage back =
// sum(target / factor), rounded to two decimals by the caller.
import type { BackendComponent } from './config';

export class ComponentMapper {
  constructor(private readonly components: Record<string, BackendComponent>) {}

  private targetsOf(source: string): [string, number][] {
    const targets = this.components[source]?.target_components;
    return targets && Object.keys(targets).length ? Object.entries(targets).map(([t, c]) => [t, c.factor]) : [[source, 1]];
  }

  /** Source limits (A) -> target limits (B). Unknown source components pass through unchanged. */
  forward(limits: Record<string, number>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [source, value] of Object.entries(limits)) {
      for (const [target, factor] of this.targetsOf(source)) out[target] = (out[target] ?? 0) + value * factor;
    }
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Math.trunc(v)]));
  }

  /** Target amounts (B) -> source amounts (A); unknown target components are ignored. */
  reverse(amounts: Record<string, number>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const source of Object.keys(this.components)) {
      for (const [target, factor] of this.targetsOf(source)) {
        if (target in amounts) out[source] = (out[source] ?? 0) + (factor ? amounts[target] / factor : 0);
      }
    }
    return out;
  }

  /** Only the configured source components of `limits`. */
  configured(limits: Record<string, number>): Record<string, number> {
    return Object.fromEntries(Object.entries(limits).filter(([k]) => k in this.components));
  }
}

export const twoDecimals = (x: number): string => (Math.round(x * 100) / 100).toFixed(2);
