// DDL of the emulator's `attune` schema. Table and column names follow upstream Attune
// (migrations/2025010100000*.sql) where REPORT.md records them; `tenant` columns are the
// emulator's T1.7 extension (upstream has no tenants).
export const SCHEMA_DDL = `
CREATE SCHEMA IF NOT EXISTS attune;
SET search_path TO attune, public;
-- as upstream's deployments do: unqualified names resolve to the attune schema for every session
ALTER DATABASE postgres SET search_path TO attune, public;

-- succeeded_with_errors: the plan's workflow status under on_failure: continue (not upstream's).
CREATE TYPE attune.execution_status_enum AS ENUM
  ('requested','scheduling','scheduled','running','completed','succeeded_with_errors','failed','canceling','cancelled','timeout','abandoned');
CREATE TYPE attune.enforcement_status_enum AS ENUM ('created','processed','disabled');
CREATE TYPE attune.enforcement_condition_enum AS ENUM ('any','all');
CREATE TYPE attune.inquiry_status_enum AS ENUM ('pending','responded','timeout','cancelled');
CREATE TYPE attune.owner_type_enum AS ENUM ('system','identity','pack','action','sensor');

CREATE TABLE attune.identity (
  id BIGSERIAL PRIMARY KEY,
  login TEXT NOT NULL UNIQUE,
  display_name TEXT,
  password_hash TEXT,
  attributes JSONB NOT NULL DEFAULT '{}',
  is_admin BOOLEAN NOT NULL DEFAULT false,
  frozen BOOLEAN NOT NULL DEFAULT false,
  tenant TEXT NOT NULL,
  created TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE attune.pack (
  id BIGSERIAL PRIMARY KEY,
  ref TEXT NOT NULL UNIQUE CHECK (ref ~ '^[a-z][a-z0-9_-]+$'),
  label TEXT NOT NULL,
  description TEXT,
  version TEXT NOT NULL,
  conf_schema JSONB NOT NULL DEFAULT '{}',
  config JSONB NOT NULL DEFAULT '{}',
  meta JSONB NOT NULL DEFAULT '{}',
  tags TEXT[] NOT NULL DEFAULT '{}',
  runtime_deps TEXT[] NOT NULL DEFAULT '{}',
  dependencies TEXT[] NOT NULL DEFAULT '{}',
  is_standard BOOLEAN NOT NULL DEFAULT false,
  installed_by BIGINT REFERENCES attune.identity(id) ON DELETE SET NULL,
  pack_dir TEXT,
  tenant TEXT,
  created TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE attune.workflow_definition (
  id BIGSERIAL PRIMARY KEY,
  ref TEXT NOT NULL UNIQUE,
  pack BIGINT NOT NULL REFERENCES attune.pack(id) ON DELETE CASCADE,
  pack_ref TEXT NOT NULL,
  label TEXT NOT NULL,
  description TEXT,
  version TEXT NOT NULL,
  param_schema JSONB,
  out_schema JSONB,
  definition JSONB NOT NULL,
  tags TEXT[] NOT NULL DEFAULT '{}',
  tenant TEXT,
  created TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE attune.action (
  id BIGSERIAL PRIMARY KEY,
  ref TEXT NOT NULL UNIQUE CHECK (ref ~ '^[^.]+\\.[^.]+$' AND ref = LOWER(ref)),
  pack BIGINT NOT NULL REFERENCES attune.pack(id) ON DELETE CASCADE,
  pack_ref TEXT NOT NULL,
  label TEXT NOT NULL,
  description TEXT,
  entrypoint TEXT NOT NULL,
  runtime BIGINT,
  runtime_ref TEXT,
  param_schema JSONB,
  out_schema JSONB,
  parameter_format TEXT NOT NULL DEFAULT 'json',
  output_format TEXT NOT NULL DEFAULT 'text',
  workflow_def BIGINT REFERENCES attune.workflow_definition(id) ON DELETE CASCADE,
  is_adhoc BOOLEAN NOT NULL DEFAULT false,
  tenant TEXT,
  created TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE attune.trigger (
  id BIGSERIAL PRIMARY KEY,
  ref TEXT NOT NULL UNIQUE CHECK (ref ~ '^[^.]+\\.[^.]+$' AND ref = LOWER(ref)),
  pack BIGINT REFERENCES attune.pack(id) ON DELETE CASCADE,
  pack_ref TEXT,
  label TEXT NOT NULL,
  description TEXT,
  enabled BOOLEAN NOT NULL DEFAULT true,
  param_schema JSONB,
  out_schema JSONB,
  webhook_enabled BOOLEAN NOT NULL DEFAULT false,
  webhook_key TEXT UNIQUE,
  webhook_config JSONB NOT NULL DEFAULT '{}',
  is_adhoc BOOLEAN NOT NULL DEFAULT false,
  tenant TEXT,
  created TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE attune.rule (
  id BIGSERIAL PRIMARY KEY,
  ref TEXT NOT NULL UNIQUE CHECK (ref ~ '^[^.]+\\.[^.]+$' AND ref = LOWER(ref)),
  pack BIGINT NOT NULL REFERENCES attune.pack(id) ON DELETE CASCADE,
  pack_ref TEXT NOT NULL,
  label TEXT NOT NULL,
  description TEXT,
  action BIGINT REFERENCES attune.action(id) ON DELETE SET NULL,
  action_ref TEXT NOT NULL,
  trigger BIGINT REFERENCES attune.trigger(id) ON DELETE SET NULL,
  trigger_ref TEXT NOT NULL,
  conditions JSONB NOT NULL DEFAULT '{}',
  action_params JSONB NOT NULL DEFAULT '{}',
  trigger_params JSONB NOT NULL DEFAULT '{}',
  permission_set_refs TEXT[],
  -- the plan's T3.16 (not in upstream HEAD): a notification on the notifier when the rule fires
  notify_on_trigger BOOLEAN NOT NULL DEFAULT false,
  enabled BOOLEAN NOT NULL DEFAULT true,
  is_adhoc BOOLEAN NOT NULL DEFAULT false,
  owner_identity BIGINT REFERENCES attune.identity(id) ON DELETE SET NULL,
  tenant TEXT,
  created TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Custom sensors (pack sensors/*.yaml), run as standalone processes by sensors.ts.
CREATE TABLE attune.sensor (
  id BIGSERIAL PRIMARY KEY,
  ref TEXT NOT NULL UNIQUE,
  pack BIGINT REFERENCES attune.pack(id) ON DELETE CASCADE,
  pack_ref TEXT,
  label TEXT NOT NULL,
  description TEXT,
  entrypoint TEXT NOT NULL,
  runtime_ref TEXT NOT NULL,
  trigger BIGINT REFERENCES attune.trigger(id) ON DELETE CASCADE,
  trigger_ref TEXT NOT NULL,
  enabled BOOLEAN NOT NULL DEFAULT true,
  param_schema JSONB,
  config JSONB NOT NULL DEFAULT '{}',
  tenant TEXT,
  created TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE attune.event (
  id BIGSERIAL PRIMARY KEY,
  trigger BIGINT REFERENCES attune.trigger(id) ON DELETE SET NULL,
  trigger_ref TEXT NOT NULL,
  config JSONB,
  payload JSONB,
  source BIGINT,
  source_ref TEXT,
  rule BIGINT REFERENCES attune.rule(id) ON DELETE SET NULL,
  rule_ref TEXT,
  tenant TEXT,
  created TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE attune.enforcement (
  id BIGSERIAL PRIMARY KEY,
  rule BIGINT REFERENCES attune.rule(id) ON DELETE SET NULL,
  rule_ref TEXT NOT NULL,
  trigger_ref TEXT NOT NULL,
  config JSONB,
  event BIGINT REFERENCES attune.event(id) ON DELETE SET NULL,
  status attune.enforcement_status_enum NOT NULL DEFAULT 'created',
  payload JSONB NOT NULL DEFAULT '{}',
  condition attune.enforcement_condition_enum NOT NULL DEFAULT 'all',
  conditions JSONB NOT NULL DEFAULT '{}',
  tenant TEXT,
  created TIMESTAMPTZ NOT NULL DEFAULT now(),
  resolved_at TIMESTAMPTZ,
  updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE attune.execution (
  id BIGSERIAL PRIMARY KEY,
  action BIGINT REFERENCES attune.action(id) ON DELETE SET NULL,
  action_ref TEXT NOT NULL,
  config JSONB,
  env_vars JSONB,
  parent BIGINT REFERENCES attune.execution(id) ON DELETE SET NULL,
  enforcement BIGINT REFERENCES attune.enforcement(id) ON DELETE SET NULL,
  executor BIGINT REFERENCES attune.identity(id) ON DELETE SET NULL,
  worker BIGINT,
  worker_selector JSONB,
  worker_tolerations JSONB,
  status attune.execution_status_enum NOT NULL DEFAULT 'requested',
  result JSONB,
  original_execution BIGINT REFERENCES attune.execution(id) ON DELETE SET NULL,
  started_at TIMESTAMPTZ,
  workflow_task JSONB,
  tenant TEXT,
  created TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX execution_parent_idx ON attune.execution(parent);
CREATE INDEX execution_status_idx ON attune.execution(status);
-- Indexes for the list filters the suite polls with (executions by enforcement, rule or action; events by trigger).
CREATE INDEX execution_enforcement_idx ON attune.execution(enforcement);
CREATE INDEX execution_action_ref_idx ON attune.execution(action_ref);
CREATE INDEX enforcement_rule_ref_idx ON attune.enforcement(rule_ref);
CREATE INDEX enforcement_event_idx ON attune.enforcement(event);
CREATE INDEX event_trigger_ref_idx ON attune.event(trigger_ref);
-- Indexes under the ON DELETE SET NULL references, so deleting a pack (its actions, triggers and
-- rules) finds the referencing rows at once instead of scanning the run's executions and events.
CREATE INDEX execution_action_idx ON attune.execution(action);
CREATE INDEX event_trigger_idx ON attune.event(trigger);
CREATE INDEX event_rule_idx ON attune.event(rule);
CREATE INDEX enforcement_rule_idx ON attune.enforcement(rule);

CREATE TABLE attune.key (
  id BIGSERIAL PRIMARY KEY,
  ref TEXT NOT NULL UNIQUE CHECK (ref ~ '^[^.]+(\\.[^.]+)*$' AND ref = LOWER(ref)),
  owner_type attune.owner_type_enum NOT NULL,
  owner TEXT,
  owner_identity BIGINT REFERENCES attune.identity(id) ON DELETE CASCADE,
  owner_pack BIGINT REFERENCES attune.pack(id) ON DELETE CASCADE,
  owner_pack_ref TEXT,
  owner_action BIGINT REFERENCES attune.action(id) ON DELETE CASCADE,
  owner_action_ref TEXT,
  owner_sensor BIGINT,
  owner_sensor_ref TEXT,
  name TEXT NOT NULL,
  encrypted BOOLEAN NOT NULL DEFAULT false,
  encryption_key_hash TEXT,
  value JSONB NOT NULL,
  expires_at TIMESTAMPTZ, -- the plan's TTL (request field ttl, seconds); upstream keys never expire
  tenant TEXT,
  created TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE attune.inquiry (
  id BIGSERIAL PRIMARY KEY,
  execution BIGINT NOT NULL REFERENCES attune.execution(id) ON DELETE CASCADE,
  prompt TEXT NOT NULL,
  response_schema JSONB,
  assigned_to BIGINT REFERENCES attune.identity(id) ON DELETE SET NULL,
  status attune.inquiry_status_enum NOT NULL DEFAULT 'pending',
  response JSONB,
  timeout_at TIMESTAMPTZ,
  responded_at TIMESTAMPTZ,
  tenant TEXT,
  created TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Concurrency policies (upstream: no REST route; seeded through SQL). method enqueue: executions
-- over the threshold wait in FIFO order; cancel: they are cancelled. Scoped to an action or a pack.
CREATE TABLE attune.policy (
  id BIGSERIAL PRIMARY KEY,
  ref TEXT NOT NULL UNIQUE,
  pack BIGINT REFERENCES attune.pack(id) ON DELETE CASCADE,
  pack_ref TEXT,
  action BIGINT REFERENCES attune.action(id) ON DELETE CASCADE,
  action_ref TEXT,
  parameters TEXT[] NOT NULL DEFAULT '{}',
  method TEXT NOT NULL DEFAULT 'enqueue' CHECK (method IN ('enqueue', 'cancel')),
  threshold INTEGER NOT NULL CHECK (threshold > 0),
  name TEXT,
  description TEXT,
  tags TEXT[] NOT NULL DEFAULT '{}',
  created TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE attune.queue_stats (
  action_id BIGINT PRIMARY KEY REFERENCES attune.action(id) ON DELETE CASCADE,
  queue_length INTEGER NOT NULL DEFAULT 0,
  active_count INTEGER NOT NULL DEFAULT 0,
  max_concurrent INTEGER NOT NULL DEFAULT 0,
  oldest_enqueued_at TIMESTAMPTZ,
  total_enqueued BIGINT NOT NULL DEFAULT 0,
  total_completed BIGINT NOT NULL DEFAULT 0,
  last_updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The system pack "core": built-in timer triggers and a few shell actions (inline code, as
-- upstream runs ad-hoc core.shell actions).
INSERT INTO attune.pack (ref, label, description, version, is_standard, tags)
  VALUES ('core', 'Core', 'Built-in triggers and actions', '1.0.0', true, '{core}');
INSERT INTO attune.trigger (ref, pack, pack_ref, label, description, param_schema) VALUES
  ('core.intervaltimer', 1, 'core', 'Interval Timer', 'Fires every interval',
   '{"unit":{"type":"string","enum":["seconds","minutes","hours"],"default":"seconds"},"interval":{"type":"integer","required":true}}'),
  ('core.crontimer', 1, 'core', 'Cron Timer', 'Fires on a six-field cron schedule (seconds first)',
   '{"expression":{"type":"string","required":true},"timezone":{"type":"string","default":"UTC"}}'),
  ('core.datetimetimer', 1, 'core', 'DateTime Timer', 'Fires once at fire_at',
   '{"fire_at":{"type":"string","required":true},"timezone":{"type":"string","default":"UTC"}}');
INSERT INTO attune.action (ref, pack, pack_ref, label, description, entrypoint, runtime_ref, param_schema) VALUES
  ('core.echo', 1, 'core', 'Echo', 'Print a message', 'printf ''%s\\n'' "$message"', 'core.shell',
   '{"message":{"type":"string","default":""}}'),
  ('core.noop', 1, 'core', 'No-op', 'Do nothing', 'true', 'core.shell', '{}'),
  ('core.sleep', 1, 'core', 'Sleep', 'Sleep for seconds', 'sleep "\${seconds:-1}"', 'core.shell',
   '{"seconds":{"type":"integer","default":1}}'),
  ('core.ask', 1, 'core', 'Ask', 'Create an inquiry and wait for its response', 'ask', 'core.native',
   '{"prompt":{"type":"string","required":true},"response_schema":{"type":"object"},"assigned_to":{"type":"integer"},"timeout":{"type":"integer","description":"seconds"},"default_response":{"type":"object","description":"the response used when the inquiry times out (the plan; not upstream)"}}');
-- core.http_request (upstream packs/core/actions/http_request.yaml): a script in the core pack's
-- directory (emulators/attune/core-pack/actions), parameters as upstream, JSON output.
INSERT INTO attune.action (ref, pack, pack_ref, label, description, entrypoint, runtime_ref, param_schema, output_format) VALUES
  ('core.http_request', 1, 'core', 'HTTP Request', 'Make HTTP requests to external APIs with support for various methods, headers, and authentication',
   'http_request.js', 'core.nodejs',
   '{"url":{"type":"string","required":true},"method":{"type":"string","default":"GET","enum":["GET","POST","PUT","PATCH","DELETE","HEAD","OPTIONS"]},"headers":{"type":"object","default":{}},"body":{"type":"string"},"json_body":{"type":"object"},"query_params":{"type":"object","default":{}},"timeout":{"type":"integer","default":30,"minimum":1,"maximum":300},"verify_ssl":{"type":"boolean","default":true},"auth_type":{"type":"string","enum":["none","basic","bearer"]},"auth_username":{"type":"string"},"auth_password":{"type":"string","secret":true},"auth_token":{"type":"string","secret":true},"follow_redirects":{"type":"boolean","default":true},"max_redirects":{"type":"integer","default":10}}',
   'json');
`;
