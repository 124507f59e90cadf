// The waldur_site_agent YAML configuration (REPORT §7), read the way the agent reads it: offering-level
// keys, `backend_settings` of the `waldur` backend, `backend_components` with optional
// `target_components` (conversion factors). Problems become one clear message.
import { parse } from 'yaml';

export interface TargetComponent { factor: number }
export interface BackendComponent { target_components?: Record<string, TargetComponent>; [key: string]: unknown }

export interface BackendSettings {
  target_api_url: string;
  target_api_token: string;
  target_offering_uuid: string;
  target_customer_uuid: string;
  target_stomp_enabled: boolean;
  /** Seed 000's revision: a Marketplace.Slurm offering on B for the agent identity (falls back to target_offering_uuid). */
  target_stomp_offering_uuid: string;
  passthrough_attributes: string[];
}

export interface OfferingConfig {
  name: string;
  waldur_api_url: string;
  waldur_api_token: string;
  waldur_offering_uuid: string;
  backend_type: string;
  order_processing_backend?: string;
  membership_sync_backend?: string;
  stomp_enabled: boolean;
  /** HEAD's gate for run_periodic_username_reconciliation (default false). */
  username_reconciliation_enabled: boolean;
  websocket_use_tls: boolean;
  verify_ssl: boolean;
  stomp_ws_host?: string;
  stomp_ws_port?: number;
  stomp_ws_path?: string;
  backend_settings: BackendSettings;
  backend_components: Record<string, BackendComponent>;
}

export interface AgentConfig { offerings: OfferingConfig[]; timezone: string }

export class ConfigProblem extends Error {}

type Raw = Record<string, unknown>;

function str(raw: Raw, key: string, where: string): string {
  const v = raw[key];
  if (typeof v === 'number') throw new ConfigProblem(`${where}.${key} must be a string; quote it`);
  if (typeof v !== 'string' || !v) throw new ConfigProblem(`${where}.${key} is required`);
  return v;
}

const bool = (v: unknown, fallback: boolean): boolean => (v === undefined || v === null ? fallback : v === true || v === 'true');
const withSlash = (url: string): string => (url.endsWith('/') ? url : `${url}/`);

function readComponents(raw: unknown, where: string): Record<string, BackendComponent> {
  const comps = (raw ?? {}) as Record<string, BackendComponent>;
  for (const [name, c] of Object.entries(comps)) {
    for (const [target, t] of Object.entries(c?.target_components ?? {})) {
      if (!(typeof t?.factor === 'number' && t.factor > 0)) {
        throw new ConfigProblem(`${where}.backend_components.${name}.target_components.${target}.factor must be a number > 0`);
      }
    }
  }
  return comps;
}

function readOffering(raw: Raw, i: number): OfferingConfig {
  const where = `offerings[${i}]`;
  const backendType = str(raw, 'backend_type', where).toLowerCase();
  if (backendType !== 'waldur') throw new ConfigProblem(`${where}.backend_type "${backendType}" is not supported (only "waldur")`);
  const bs = (raw.backend_settings ?? {}) as Raw;
  const bw = `${where}.backend_settings`;
  return {
    name: str(raw, 'name', where),
    waldur_api_url: withSlash(str(raw, 'waldur_api_url', where)),
    waldur_api_token: str(raw, 'waldur_api_token', where),
    waldur_offering_uuid: str(raw, 'waldur_offering_uuid', where),
    backend_type: backendType,
    order_processing_backend: raw.order_processing_backend as string | undefined,
    membership_sync_backend: raw.membership_sync_backend as string | undefined,
    stomp_enabled: bool(raw.stomp_enabled, false),
    username_reconciliation_enabled: bool(raw.username_reconciliation_enabled, false),
    websocket_use_tls: bool(raw.websocket_use_tls, true),
    verify_ssl: bool(raw.verify_ssl, true),
    stomp_ws_host: raw.stomp_ws_host as string | undefined,
    stomp_ws_port: raw.stomp_ws_port === undefined || raw.stomp_ws_port === null ? undefined : Number(raw.stomp_ws_port),
    stomp_ws_path: raw.stomp_ws_path as string | undefined,
    backend_settings: {
      target_api_url: withSlash(str(bs, 'target_api_url', bw)),
      target_api_token: str(bs, 'target_api_token', bw),
      target_offering_uuid: str(bs, 'target_offering_uuid', bw),
      target_customer_uuid: str(bs, 'target_customer_uuid', bw),
      target_stomp_enabled: bool(bs.target_stomp_enabled, false),
      target_stomp_offering_uuid: typeof bs.target_stomp_offering_uuid === 'string' && bs.target_stomp_offering_uuid ? bs.target_stomp_offering_uuid : str(bs, 'target_offering_uuid', bw),
      passthrough_attributes: Array.isArray(bs.passthrough_attributes) ? bs.passthrough_attributes.map(String) : [],
    },
    backend_components: readComponents(raw.backend_components, where),
  };
}

export function parseAgentConfig(text: string): AgentConfig {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new ConfigProblem(`config is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const raw = (doc ?? {}) as Raw;
  if (!Array.isArray(raw.offerings) || raw.offerings.length === 0) throw new ConfigProblem('offerings must list at least one offering');
  return { offerings: raw.offerings.map((o, i) => readOffering((o ?? {}) as Raw, i)), timezone: String(raw.timezone ?? 'UTC') };
}
