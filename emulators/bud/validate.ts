import { DetailError, Issue } from './errors';

/**
 * A small pydantic-v2 look-alike: reads fields from one request part (body, query, path, form) and
 * collects FastAPI-shaped 422 issues (`type`, `loc`, `msg`, `input`, `ctx`). `done()` throws them all.
 */
type Src = Record<string, unknown>;
interface StrOpts { required?: boolean; min?: number; max?: number; pattern?: RegExp; strip?: boolean }

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const EMAIL_RE = /^[^\s@"(),:;<>[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
const TRUE = ['true', '1', 'yes', 'on', 't', 'y'];
const FALSE = ['false', '0', 'no', 'off', 'f', 'n'];

export function quoteList(values: readonly string[]): string {
  const q = values.map((v) => `'${v}'`);
  return q.length > 1 ? `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}` : q.join('');
}

export class Validator {
  readonly issues: Issue[] = [];
  private readonly src: Src;

  /** `part` is the FastAPI location ("body", "query", "path"); `strings` = values arrive as text (query/form). */
  constructor(input: unknown, private readonly part: string, private readonly strings = false) {
    if (part === 'body' && (input === undefined || input === null)) {
      this.issues.push({ type: 'missing', loc: ['body'], msg: 'Field required', input: null });
      this.src = {};
    } else if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      this.issues.push({
        type: 'model_attributes_type',
        loc: [part],
        msg: 'Input should be a valid dictionary or object to extract fields from',
        input,
      });
      this.src = {};
    } else {
      this.src = input as Src;
    }
  }

  issue(field: string | null, type: string, msg: string, input: unknown, ctx?: Record<string, unknown>): undefined {
    const loc = field === null ? [this.part] : [this.part, field];
    this.issues.push(ctx ? { type, loc, msg, input, ctx } : { type, loc, msg, input });
    return undefined;
  }

  /** Value-error raised by a model/field validator (pydantic prefixes "Value error, "). */
  valueError(field: string | null, message: string, input: unknown): undefined {
    return this.issue(field, 'value_error', `Value error, ${message}`, input, { error: {} });
  }

  private raw(field: string, required: boolean): unknown {
    const v = this.src[field];
    if (v === undefined || (v === null && required)) {
      if (required) this.issue(field, 'missing', 'Field required', this.part === 'body' ? this.src : null);
      return undefined;
    }
    return v;
  }

  str(field: string, o: StrOpts = {}): string | undefined {
    let v = this.raw(field, !!o.required);
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v) && this.strings) v = v[v.length - 1];
    if (typeof v !== 'string') return this.issue(field, 'string_type', 'Input should be a valid string', v);
    const s = o.strip ? v.trim() : v;
    if (o.min !== undefined && s.length < o.min) {
      const unit = o.min === 1 ? 'character' : 'characters';
      return this.issue(field, 'string_too_short', `String should have at least ${o.min} ${unit}`, v, { min_length: o.min });
    }
    if (o.max !== undefined && s.length > o.max) {
      return this.issue(field, 'string_too_long', `String should have at most ${o.max} characters`, v, { max_length: o.max });
    }
    if (o.pattern && !o.pattern.test(s)) {
      return this.issue(field, 'string_pattern_mismatch', `String should match pattern '${o.pattern.source}'`, v, {
        pattern: o.pattern.source,
      });
    }
    return s;
  }

  email(field: string, o: { required?: boolean; max?: number } = {}): string | undefined {
    const v = this.str(field, { required: o.required, max: o.max });
    if (v === undefined) return undefined;
    if (!v.includes('@')) return this.valueError(field, 'value is not a valid email address: An email address must have an @-sign.', v);
    if (!EMAIL_RE.test(v)) return this.valueError(field, 'value is not a valid email address: The email address is not valid.', v);
    const at = v.lastIndexOf('@');
    return v.slice(0, at) + '@' + v.slice(at + 1).toLowerCase();
  }

  int(field: string, o: { required?: boolean; gt?: number; ge?: number; le?: number; dflt?: number } = {}): number | undefined {
    const v = this.raw(field, !!o.required);
    if (v === undefined || v === null) return o.dflt;
    let n: number;
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) return this.issue(field, 'int_from_float', 'Input should be a valid integer, got a number with a fractional part', v);
      n = v;
    } else if (typeof v === 'string' && this.strings && /^\s*[+-]?\d+\s*$/.test(v)) {
      n = Number(v);
    } else if (typeof v === 'string') {
      return this.issue(field, 'int_parsing', 'Input should be a valid integer, unable to parse string as an integer', v);
    } else {
      return this.issue(field, 'int_type', 'Input should be a valid integer', v);
    }
    if (o.gt !== undefined && !(n > o.gt)) return this.issue(field, 'greater_than', `Input should be greater than ${o.gt}`, v, { gt: o.gt });
    if (o.ge !== undefined && !(n >= o.ge)) return this.issue(field, 'greater_than_equal', `Input should be greater than or equal to ${o.ge}`, v, { ge: o.ge });
    if (o.le !== undefined && !(n <= o.le)) return this.issue(field, 'less_than_equal', `Input should be less than or equal to ${o.le}`, v, { le: o.le });
    return n;
  }

  bool(field: string, dflt = false): boolean {
    const v = this.raw(field, false);
    if (v === undefined || v === null) return dflt;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number' && (v === 0 || v === 1)) return v === 1;
    if (typeof v === 'string') {
      const s = v.toLowerCase();
      if (TRUE.includes(s)) return true;
      if (FALSE.includes(s)) return false;
      this.issue(field, 'bool_parsing', 'Input should be a valid boolean, unable to interpret input', v);
      return dflt;
    }
    this.issue(field, 'bool_type', 'Input should be a valid boolean', v);
    return dflt;
  }

  oneOf<T extends string>(field: string, values: readonly T[], o: { required?: boolean } = {}): T | undefined {
    const v = this.raw(field, !!o.required);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    const expected = quoteList(values);
    return this.issue(field, 'enum', `Input should be ${expected}`, v, { expected });
  }

  uuid(field: string, o: { required?: boolean } = {}): string | undefined {
    const v = this.raw(field, !!o.required);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') return this.issue(field, 'uuid_type', 'UUID input should be a string, bytes or UUID object', v);
    if (!UUID_RE.test(v)) {
      return this.issue(field, 'uuid_parsing', 'Input should be a valid UUID, unable to parse string as a UUID', v, {
        error: 'invalid character or length',
      });
    }
    const hex = v.replace(/-/g, '').toLowerCase();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  url(field: string): string | undefined {
    const v = this.str(field);
    if (v === undefined) return undefined;
    try {
      const u = new URL(v);
      if (u.protocol === 'http:' || u.protocol === 'https:') return v;
      return this.issue(field, 'url_scheme', "URL scheme should be 'http' or 'https'", v, { expected_schemes: "'http' or 'https'" });
    } catch {
      return this.issue(field, 'url_parsing', 'Input should be a valid URL, relative URL without a base', v, {
        error: 'relative URL without a base',
      });
    }
  }

  list<T>(field: string, item: (v: unknown, i: number) => T | undefined): T[] | undefined {
    let v = this.raw(field, false);
    if (v === undefined || v === null) return undefined;
    if (this.strings && !Array.isArray(v)) v = [v];
    if (!Array.isArray(v)) return this.issue(field, 'list_type', 'Input should be a valid list', v);
    const out: T[] = [];
    v.forEach((x, i) => {
      const r = item(x, i);
      if (r !== undefined) out.push(r);
    });
    return out;
  }

  /** Element of a list field that must be one of `values`. */
  listOf<T extends string>(field: string, values: readonly T[]): T[] | undefined {
    const expected = quoteList(values);
    return this.list(field, (x, i) => {
      if (typeof x === 'string' && (values as readonly string[]).includes(x)) return x as T;
      this.issues.push({ type: 'enum', loc: [this.part, field, i], msg: `Input should be ${expected}`, input: x, ctx: { expected } });
      return undefined;
    });
  }

  /** Anything JSON (objects/arrays) kept as given. */
  any(field: string): unknown {
    return this.src[field] ?? undefined;
  }

  done(): void {
    if (this.issues.length) throw new DetailError(422, this.issues);
  }
}

/** Validate `page`/`limit` (and other query fields) the way budapp's list routes declare them. */
export function pageParams(v: Validator): { page: number; limit: number } {
  const page = v.int('page', { ge: 1, dflt: 1 }) ?? 1;
  const limit = v.int('limit', { ge: 1, dflt: 10 }) ?? 10;
  return { page, limit };
}

export function paginate<T>(items: T[], page: number, limit: number) {
  return {
    items: items.slice((page - 1) * limit, page * limit),
    page,
    limit,
    total_record: items.length,
    total_pages: Math.ceil(items.length / limit),
  };
}
