/**
 * Suite configuration: one YAML file per environment (config/embedded.yaml is the default),
 * chosen with E2E_CONFIG. `${VAR}` placeholders are filled from the environment; `${VAR:-default}`
 * falls back to a default. Every problem becomes a ConfigError whose message is one line that says
 * what is wrong and how to fix it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

export type TargetKind = 'embedded' | 'remote';

export interface AttuneConfig {
  target: TargetKind;
  api_url?: string;
  notifier_url?: string;
  database_url?: string;
  login: string;
  password: string;
}

export interface WaldurInstanceConfig {
  url: string;
  token: string;
  /** Operator endpoint (the emulator's admin API); absent on a real deployment. */
  admin_url?: string;
}

export interface WaldurConfig {
  target: TargetKind;
  a?: WaldurInstanceConfig;
  b?: WaldurInstanceConfig;
  /** Where the STOMP broker lives: the embedded one, a real RabbitMQ, or none (polling only). */
  broker: {
    kind: 'embedded' | 'rabbitmq' | 'none';
    ws_url?: string;
    management_url?: string;
    user?: string;
    password?: string;
  };
  /** Whether Waldur B offers STOMP (Tests 6, 7); Test 8 runs the agent with it off. */
  target_stomp: boolean;
  /** Expected connection counts of the plan's revision (seed 000: 5 source, 1 target). */
  stomp: { source_connections: number; target_connections: number };
  /** The site agent: the embedded reference agent, or a command (the real waldur_site_agent). */
  agent: { kind: 'embedded' | 'command'; command?: string; cycle_delay_ms: number; max_cycles: number };
}

export interface BudConfig {
  target: TargetKind;
  url?: string;
  /** budgateway's address; defaults to `url`. */
  gateway_url?: string;
  admin: { email: string; password: string };
}

export interface SuiteConfig {
  /** File the config came from, relative to the project. */
  source: string;
  /** Strict: an unreachable configured target fails the run at once. */
  strict: boolean;
  attune?: AttuneConfig;
  waldur?: WaldurConfig;
  bud?: BudConfig;
}

export type SystemName = 'attune' | 'waldur' | 'bud';
export const SYSTEMS: readonly SystemName[] = ['attune', 'waldur', 'bud'];

export class ConfigError extends Error {}

export const DEFAULT_CONFIG = 'config/embedded.yaml';

/** Replace `${VAR}` / `${VAR:-default}` in every string of a parsed YAML tree. */
export function interpolate(value: unknown, env: NodeJS.ProcessEnv, file: string, path = ''): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback?: string) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      throw new ConfigError(`${file}: ${path} needs the environment variable ${name}; export ${name}=... or set it in your CI secrets`);
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, file, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolate(v, env, file, path ? `${path}.${k}` : k)]),
    );
  }
  return value;
}

type Raw = Record<string, unknown>;

class Reader {
  constructor(private readonly file: string) {}

  fail(path: string, what: string): never {
    throw new ConfigError(`${this.file}: ${path} ${what}`);
  }

  section(raw: unknown, path: string): Raw {
    if (raw === undefined || raw === null) return {};
    if (typeof raw !== 'object' || Array.isArray(raw)) this.fail(path, 'must be a mapping of keys to values');
    return raw as Raw;
  }

  str(raw: Raw, key: string, path: string, fallback?: string): string {
    const v = raw[key];
    if (v === undefined || v === null || v === '') {
      if (fallback !== undefined) return fallback;
      this.fail(`${path}.${key}`, 'is missing; add it to the file');
    }
    if (typeof v !== 'string' && typeof v !== 'number') this.fail(`${path}.${key}`, 'must be a string');
    return String(v);
  }

  url(raw: Raw, key: string, path: string, protocols: string[]): string {
    const v = this.str(raw, key, path);
    let parsed: URL;
    try {
      parsed = new URL(v);
    } catch {
      this.fail(`${path}.${key}`, `is not a URL ("${v}"); write it like ${protocols[0]}//host:port`);
    }
    if (!protocols.includes(parsed.protocol)) {
      this.fail(`${path}.${key}`, `must start with ${protocols.join(' or ')} (got "${v}")`);
    }
    return v;
  }

  oneOf<T extends string>(raw: Raw, key: string, path: string, options: readonly T[], fallback: T): T {
    const v = raw[key] ?? fallback;
    if (!options.includes(v as T)) this.fail(`${path}.${key}`, `must be one of ${options.join(', ')} (got "${String(v)}")`);
    return v as T;
  }

  int(raw: Raw, key: string, path: string, fallback: number): number {
    const v = raw[key] ?? fallback;
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isInteger(n) || n < 0) this.fail(`${path}.${key}`, `must be a whole number (got "${String(v)}")`);
    return n;
  }

  bool(raw: Raw, key: string, path: string, fallback: boolean): boolean {
    const v = raw[key] ?? fallback;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    this.fail(`${path}.${key}`, `must be true or false (got "${String(v)}")`);
  }
}

const HTTP = ['http:', 'https:'];
const WS = ['ws:', 'wss:'];

function readAttune(r: Reader, raw: Raw): AttuneConfig {
  const target = r.oneOf(raw, 'target', 'attune', ['embedded', 'remote'] as const, 'embedded');
  const cfg: AttuneConfig = {
    target,
    login: r.str(raw, 'login', 'attune'),
    password: r.str(raw, 'password', 'attune'),
  };
  if (target === 'remote') {
    cfg.api_url = r.url(raw, 'api_url', 'attune', HTTP);
    cfg.notifier_url = r.url(raw, 'notifier_url', 'attune', WS);
    if (raw.database_url) cfg.database_url = r.url(raw, 'database_url', 'attune', ['postgres:', 'postgresql:']);
  }
  return cfg;
}

function readWaldurInstance(r: Reader, raw: unknown, path: string): WaldurInstanceConfig {
  const s = r.section(raw, path);
  const inst: WaldurInstanceConfig = { url: r.url(s, 'url', path, HTTP), token: r.str(s, 'token', path) };
  if (s.admin_url) inst.admin_url = r.url(s, 'admin_url', path, HTTP);
  return inst;
}

function readWaldur(r: Reader, raw: Raw): WaldurConfig {
  const target = r.oneOf(raw, 'target', 'waldur', ['embedded', 'remote'] as const, 'embedded');
  const brokerRaw = r.section(raw.broker, 'waldur.broker');
  const broker: WaldurConfig['broker'] = {
    kind: r.oneOf(brokerRaw, 'kind', 'waldur.broker', ['embedded', 'rabbitmq', 'none'] as const, 'embedded'),
  };
  if (broker.kind === 'rabbitmq') {
    broker.ws_url = r.url(brokerRaw, 'ws_url', 'waldur.broker', WS);
    broker.management_url = r.url(brokerRaw, 'management_url', 'waldur.broker', HTTP);
    broker.user = r.str(brokerRaw, 'user', 'waldur.broker');
    broker.password = r.str(brokerRaw, 'password', 'waldur.broker');
  }
  const stomp = r.section(raw.stomp, 'waldur.stomp');
  const agent = r.section(raw.agent, 'waldur.agent');
  const cfg: WaldurConfig = {
    target,
    broker,
    target_stomp: r.bool(raw, 'target_stomp', 'waldur', broker.kind !== 'none'),
    stomp: {
      source_connections: r.int(stomp, 'source_connections', 'waldur.stomp', 5),
      target_connections: r.int(stomp, 'target_connections', 'waldur.stomp', 1),
    },
    agent: {
      kind: r.oneOf(agent, 'kind', 'waldur.agent', ['embedded', 'command'] as const, 'embedded'),
      cycle_delay_ms: r.int(agent, 'cycle_delay_ms', 'waldur.agent', 200),
      max_cycles: r.int(agent, 'max_cycles', 'waldur.agent', 15),
    },
  };
  if (cfg.agent.kind === 'command') cfg.agent.command = r.str(agent, 'command', 'waldur.agent');
  if (target === 'remote') {
    cfg.a = readWaldurInstance(r, raw.a, 'waldur.a');
    cfg.b = readWaldurInstance(r, raw.b, 'waldur.b');
  }
  return cfg;
}

function readBud(r: Reader, raw: Raw): BudConfig {
  const target = r.oneOf(raw, 'target', 'bud', ['embedded', 'remote'] as const, 'embedded');
  const admin = r.section(raw.admin, 'bud.admin');
  const cfg: BudConfig = {
    target,
    admin: { email: r.str(admin, 'email', 'bud.admin'), password: r.str(admin, 'password', 'bud.admin') },
  };
  if (target === 'remote') {
    cfg.url = r.url(raw, 'url', 'bud', HTTP);
    cfg.gateway_url = raw.gateway_url ? r.url(raw, 'gateway_url', 'bud', HTTP) : cfg.url;
  }
  return cfg;
}

/** Parse and validate a config document. `file` is only used in messages. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): SuiteConfig {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    const first = String((e as Error).message).split('\n')[0];
    throw new ConfigError(`${file}: is not valid YAML (${first}); fix the file's syntax`);
  }
  const r = new Reader(file);
  const raw = r.section(interpolate(doc ?? {}, env, file), '(top level)');
  const known = new Set(['strict', ...SYSTEMS]);
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) r.fail(key, `is not a known section; use one of ${[...known].join(', ')}`);
  }
  const cfg: SuiteConfig = { source: file, strict: r.bool(raw, 'strict', '(top level)', false) };
  if (raw.attune) cfg.attune = readAttune(r, r.section(raw.attune, 'attune'));
  if (raw.waldur) cfg.waldur = readWaldur(r, r.section(raw.waldur, 'waldur'));
  if (raw.bud) cfg.bud = readBud(r, r.section(raw.bud, 'bud'));
  return cfg;
}

/** Load the config named by E2E_CONFIG (or the embedded default) from the project root. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SuiteConfig {
  const file = env.E2E_CONFIG || DEFAULT_CONFIG;
  const path = resolve(__dirname, '..', file);
  if (!existsSync(path)) {
    throw new ConfigError(`E2E_CONFIG=${file}: no such file; point E2E_CONFIG at a YAML file under config/ (see config/staging.example.yaml)`);
  }
  const cfg = parseConfig(readFileSync(path, 'utf8'), file, env);
  if (env.E2E_STRICT === 'true' || env.E2E_STRICT === '1') cfg.strict = true;
  return cfg;
}

/** Why a system's scenarios are skipped under this config, or undefined when it is configured. */
export function skipReason(cfg: SuiteConfig, system: SystemName): string | undefined {
  if (cfg[system]) return undefined;
  return `${system} is not configured in ${cfg.source}; add a "${system}:" section to run its scenarios`;
}
