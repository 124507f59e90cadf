// Jinja-style templating (nunjucks) for rule conditions, rule action_params and workflow inputs.
// As upstream's template_resolver: a value that is exactly "{{ expr }}" keeps the JSON type of
// the expression; other strings are rendered as text; objects and arrays are resolved recursively.
import * as nunjucks from 'nunjucks';

const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });
// Python/Jinja spellings that appear in Attune expressions.
const GLOBALS = { True: true, False: false, None: null, true: true, false: false, null: null };
const PURE = /^\s*\{\{([\s\S]*)\}\}\s*$/;

export type Context = Record<string, unknown>;

/** Evaluate one expression (without braces) to a JSON value; undefined results become null. */
export function evaluate(expr: string, ctx: Context): unknown {
  const out = env.renderString(`{% set __v = (${expr}) %}{{ __v | dump | safe }}`, { ...GLOBALS, ...ctx });
  return out === '' ? null : JSON.parse(out);
}

export function render(value: unknown, ctx: Context): unknown {
  if (typeof value === 'string') {
    const pure = PURE.exec(value);
    if (pure && !pure[1].includes('{{')) return evaluate(pure[1], ctx);
    return value.includes('{{') || value.includes('{%') ? env.renderString(value, { ...GLOBALS, ...ctx }) : value;
  }
  if (Array.isArray(value)) return value.map((v) => render(v, ctx));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v, ctx)]));
  }
  return value;
}

/** Truthiness as Jinja sees it. */
export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

function dig(obj: unknown, path: string): unknown {
  return path.split('.').reduce<any>((o, k) => (o == null ? undefined : o[k]), obj);
}

/**
 * Rule conditions as upstream's event_processor evaluates them: empty -> match;
 * {"expression": "{{ ... }}"} -> truthiness of the expression; a list of
 * {field, operator: equals|not_equals|contains, value} -> all must hold. Errors never match.
 */
export function conditionsMatch(conditions: unknown, ctx: Context): boolean {
  try {
    if (conditions == null) return true;
    if (Array.isArray(conditions)) {
      return conditions.every((c: any) => {
        const actual = dig(ctx.event && (ctx.event as any).payload, String(c.field ?? ''));
        const equal = JSON.stringify(actual) === JSON.stringify(c.value);
        if (c.operator === 'not_equals') return !equal;
        if (c.operator === 'contains') {
          return Array.isArray(actual) ? actual.some((a) => JSON.stringify(a) === JSON.stringify(c.value)) : String(actual ?? '').includes(String(c.value));
        }
        return equal;
      });
    }
    if (typeof conditions === 'object') {
      const expr = (conditions as any).expression;
      if (expr === undefined) return true;
      if (typeof expr !== 'string') return false;
      const pure = PURE.exec(expr);
      return truthy(pure ? evaluate(pure[1], ctx) : evaluate(expr, ctx));
    }
    return false;
  } catch {
    return false;
  }
}
