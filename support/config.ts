/**
 * Suite configuration: one YAML file per environment (config/embedded.yaml is the default),
 * chosen with E2E_CONFIG. `${VAR}` placeholders are filled from the environment; `${VAR:-default}`
 * falls back to a default. Every problem becomes a ConfigError whose message is one line that says
 * what is wrong and how to fix it.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse, stringify } from 'yaml';

export type TargetKind = 'embedded' | 'remote';

export interface AttuneConfig {
  target: TargetKind;
  api_url?: string;
  notifier_url?: string;
  database_url?: string;
  login: string;
  password: string;
  /** What the deployment's worker is configured with (T3.21); the embedded Attune is started with it. */
  worker?: AttuneWorkerConfig;
}

export interface AttuneWorkerConfig {
  max_output_size_bytes: number;
  output_truncation_message?: string;
}

export interface WaldurInstanceConfig {
  url: string;
  token: string;
  /** Operator endpoint (the emulator's admin API); absent on a real deployment. */
  admin_url?: string;
  /** A real Waldur's operator back door: a command that runs the Python given as its last argument in Waldur's Django shell (e.g. `waldur shell -c`). */
  operator_command?: string;
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
  /** The site agent: the embedded reference agent (at control_url when remote), or a command (the real waldur_site_agent). */
  /** deadline: seconds a command agent gets to finish an order (its own loop paces the cycles). */
  agent: { kind: 'embedded' | 'command'; command?: string; control_url?: string; cycle_delay_ms: number; max_cycles: number; deadline: number };
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
  /** True in the config the emulator deployment writes (`npm run emulators -- --config-out`). */
  emulators?: boolean;
  attune?: AttuneConfig;
  waldur?: WaldurConfig;
  bud?: BudConfig;
}

export type SystemName = 'attune' | 'waldur' | 'bud';
export const SYSTEMS: readonly SystemName[] = ['attune', 'waldur', 'bud'];

export class ConfigError extends Error {}

/** A value as it may be echoed: the password of `scheme://user:pass@host` becomes `***`. */
export function mask(value: unknown): string {
  return String(value).replace(/(\/\/[^/:@\s]*:)[^@\s]*@/g, '$1***@');
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/** The known key closest to `key`. */
export function nearest(key: string, known: readonly string[]): string {
  return [...known].sort((x, y) => distance(key, x) - distance(key, y))[0];
}

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

  /** A mapping whose keys must all be among `known` (a typo is named with the nearest valid key). */
  section(raw: unknown, path: string, known: readonly string[]): Raw {
    if (raw === undefined || raw === null) return {};
    if (typeof raw !== 'object' || Array.isArray(raw)) this.fail(path, 'must be a mapping of keys to values');
    for (const key of Object.keys(raw)) {
      if (!known.includes(key)) {
        const where = path === '(top level)' ? key : `${path}.${key}`;
        this.fail(where, `is not a known key; did you mean ${nearest(key, known)}? (known here: ${known.join(', ')})`);
      }
    }
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
      this.fail(`${path}.${key}`, `is not a URL ("${mask(v)}"); write it like ${protocols[0]}//host:port`);
    }
    if (!protocols.includes(parsed.protocol)) {
      this.fail(`${path}.${key}`, `must start with ${protocols.join(' or ')} (got "${mask(v)}")`);
    }
    return v;
  }

  oneOf<T extends string>(raw: Raw, key: string, path: string, options: readonly T[], fallback: T): T {
    const v = raw[key] ?? fallback;
    if (!options.includes(v as T)) this.fail(`${path}.${key}`, `must be one of ${options.join(', ')} (got "${mask(v)}")`);
    return v as T;
  }

  int(raw: Raw, key: string, path: string, fallback: number): number {
    const v = raw[key] ?? fallback;
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isInteger(n) || n < 0) this.fail(`${path}.${key}`, `must be a whole number (got "${mask(v)}")`);
    return n;
  }

  bool(raw: Raw, key: string, path: string, fallback: boolean): boolean {
    const v = raw[key] ?? fallback;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    this.fail(`${path}.${key}`, `must be true or false (got "${mask(v)}")`);
  }
}

const HTTP = ['http:', 'https:'];
const WS = ['ws:', 'wss:'];

const KEYS = {
  top: ['strict', 'emulators', ...SYSTEMS],
  attune: ['target', 'api_url', 'notifier_url', 'database_url', 'login', 'password', 'worker'],
  attuneWorker: ['max_output_size_bytes', 'output_truncation_message'],
  waldur: ['target', 'a', 'b', 'broker', 'target_stomp', 'stomp', 'agent'],
  instance: ['url', 'token', 'admin_url', 'operator_command'],
  broker: ['kind', 'ws_url', 'management_url', 'user', 'password'],
  stomp: ['source_connections', 'target_connections'],
  agent: ['kind', 'command', 'control_url', 'cycle_delay_ms', 'max_cycles', 'deadline'],
  bud: ['target', 'url', 'gateway_url', 'admin'],
  admin: ['email', 'password'],
} as const;

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
  if (raw.worker !== undefined) {
    const w = r.section(raw.worker, 'attune.worker', KEYS.attuneWorker);
    cfg.worker = { max_output_size_bytes: r.int(w, 'max_output_size_bytes', 'attune.worker', 10 * 1024 * 1024) };
    if (w.output_truncation_message !== undefined) cfg.worker.output_truncation_message = r.str(w, 'output_truncation_message', 'attune.worker');
  }
  return cfg;
}

function readWaldurInstance(r: Reader, raw: unknown, path: string): WaldurInstanceConfig {
  const s = r.section(raw, path, KEYS.instance);
  const inst: WaldurInstanceConfig = { url: r.url(s, 'url', path, HTTP), token: r.str(s, 'token', path) };
  if (s.admin_url) inst.admin_url = r.url(s, 'admin_url', path, HTTP);
  if (s.operator_command) inst.operator_command = r.str(s, 'operator_command', path);
  return inst;
}

function readWaldur(r: Reader, raw: Raw): WaldurConfig {
  const target = r.oneOf(raw, 'target', 'waldur', ['embedded', 'remote'] as const, 'embedded');
  const brokerRaw = r.section(raw.broker, 'waldur.broker', KEYS.broker);
  const broker: WaldurConfig['broker'] = {
    kind: r.oneOf(brokerRaw, 'kind', 'waldur.broker', ['embedded', 'rabbitmq', 'none'] as const, 'embedded'),
  };
  // A real RabbitMQ always has an address; the embedded broker has one once the deployment runs.
  if (broker.kind === 'rabbitmq' || (broker.kind === 'embedded' && target === 'remote')) {
    broker.ws_url = r.url(brokerRaw, 'ws_url', 'waldur.broker', WS);
    broker.management_url = r.url(brokerRaw, 'management_url', 'waldur.broker', HTTP);
    broker.user = r.str(brokerRaw, 'user', 'waldur.broker');
    broker.password = r.str(brokerRaw, 'password', 'waldur.broker');
  }
  const stomp = r.section(raw.stomp, 'waldur.stomp', KEYS.stomp);
  const agent = r.section(raw.agent, 'waldur.agent', KEYS.agent);
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
      deadline: r.int(agent, 'deadline', 'waldur.agent', 60),
    },
  };
  if (cfg.agent.kind === 'command') cfg.agent.command = r.str(agent, 'command', 'waldur.agent');
  if (cfg.agent.kind === 'embedded' && target === 'remote') cfg.agent.control_url = r.url(agent, 'control_url', 'waldur.agent', HTTP);
  if (target === 'remote') {
    cfg.a = readWaldurInstance(r, raw.a, 'waldur.a');
    cfg.b = readWaldurInstance(r, raw.b, 'waldur.b');
  }
  return cfg;
}

function readBud(r: Reader, raw: Raw): BudConfig {
  const target = r.oneOf(raw, 'target', 'bud', ['embedded', 'remote'] as const, 'embedded');
  const admin = r.section(raw.admin, 'bud.admin', KEYS.admin);
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
  const raw = r.section(interpolate(doc ?? {}, env, file), '(top level)', KEYS.top);
  if (!SYSTEMS.some((s) => raw[s])) {
    throw new ConfigError(`${file}: configures no system; add an attune:, waldur: or bud: section (see config/embedded.yaml)`);
  }
  const cfg: SuiteConfig = { source: file, strict: r.bool(raw, 'strict', '(top level)', false) };
  if (raw.emulators !== undefined) cfg.emulators = r.bool(raw, 'emulators', '(top level)', false);
  if (raw.attune) cfg.attune = readAttune(r, r.section(raw.attune, 'attune', KEYS.attune));
  if (raw.waldur) cfg.waldur = readWaldur(r, r.section(raw.waldur, 'waldur', KEYS.waldur));
  if (raw.bud) cfg.bud = readBud(r, r.section(raw.bud, 'bud', KEYS.bud));
  return cfg;
}

/** Load the config named by E2E_CONFIG (or the embedded default) from the project root. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SuiteConfig {
  const file = env.E2E_CONFIG || DEFAULT_CONFIG;
  const path = resolve(__dirname, '..', file);
  const hint = 'point E2E_CONFIG at a YAML file under config/ (see config/staging.example.yaml)';
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw new ConfigError(`E2E_CONFIG=${file}: is a folder, not a file; ${hint}`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code ?? (e as Error).message})`;
    throw new ConfigError(`E2E_CONFIG=${file}: ${why}; ${hint}`);
  }
  const cfg = parseConfig(text, file, env);
  if (env.E2E_STRICT === 'true' || env.E2E_STRICT === '1') cfg.strict = true;
  return cfg;
}

/**
 * The config as YAML, in the file's own keys, with literal values: what `npm run emulators` prints
 * (secrets replaced by `***` when `redacted`) and writes with `--config-out`.
 */
export function configYaml(cfg: SuiteConfig, redacted: boolean): string {
  const { source: _source, ...doc } = cfg;
  const secret = new Set(['password', 'token']);
  const scrub = (v: unknown, key = ''): unknown => {
    if (Array.isArray(v)) return v.map((x) => scrub(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, scrub(x, k)]));
    if (!redacted) return v;
    if (secret.has(key)) return '***';
    return typeof v === 'string' ? mask(v) : v;
  };
  return stringify(scrub(doc));
}

/** Why a system's scenarios are skipped under this config, or undefined when it is configured. */
export function skipReason(cfg: SuiteConfig, system: SystemName): string | undefined {
  if (cfg[system]) return undefined;
  return `${system} is not configured in ${cfg.source}; add a "${system}:" section to run its scenarios`;
}
