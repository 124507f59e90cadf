/**
 * Targets from config. Workers hold no emulator code: for `target: embedded` the coordinator
 * (cucumber.js, support/deployment.ts) has already started one emulator deployment for the whole
 * run and pointed E2E_CONFIG at the remote config it wrote, so every target a worker sees is remote.
 */
import { SuiteConfig, SystemName } from './config';
import { AttuneTarget, BudTarget, Targets, WaldurTarget } from '../world/targets';
import { registerSecret } from '../world/redact';

function notStarted(system: SystemName, cfg: SuiteConfig): Error {
  return new Error(
    `${system} is embedded in ${cfg.source} but no emulator deployment was started for this run; run through cucumber-js (its config starts one) or point E2E_CONFIG at the file \`npm run emulators -- --config-out FILE\` writes`,
  );
}

function attune(cfg: SuiteConfig): AttuneTarget {
  const a = cfg.attune!;
  if (a.target !== 'remote') throw notStarted('attune', cfg);
  registerSecret(a.password);
  return { embedded: Boolean(cfg.emulators), apiUrl: a.api_url!, notifierUrl: a.notifier_url!, databaseUrl: a.database_url, login: a.login, password: a.password,
    ...(a.worker ? { worker: { maxOutputSizeBytes: a.worker.max_output_size_bytes, outputTruncationMessage: a.worker.output_truncation_message } } : {}),
  };
}

function waldur(cfg: SuiteConfig): WaldurTarget {
  const w = cfg.waldur!;
  if (w.target !== 'remote') throw notStarted('waldur', cfg);
  for (const s of [w.a!.token, w.b!.token, w.broker.password]) registerSecret(s);
  return {
    embedded: Boolean(cfg.emulators),
    a: { url: w.a!.url, token: w.a!.token, adminUrl: w.a!.admin_url, operatorCommand: w.a!.operator_command },
    b: { url: w.b!.url, token: w.b!.token, adminUrl: w.b!.admin_url, operatorCommand: w.b!.operator_command },
    broker: { kind: w.broker.kind, wsUrl: w.broker.ws_url, managementUrl: w.broker.management_url, user: w.broker.user, password: w.broker.password },
    agent: { kind: w.agent.kind, command: w.agent.command, controlUrl: w.agent.control_url, cycleDelayMs: w.agent.cycle_delay_ms, maxCycles: w.agent.max_cycles, deadlineMs: w.agent.deadline * 1000 },
    targetStomp: w.target_stomp,
    stomp: { sourceConnections: w.stomp.source_connections, targetConnections: w.stomp.target_connections },
  };
}

function bud(cfg: SuiteConfig): BudTarget {
  const b = cfg.bud!;
  if (b.target !== 'remote') throw notStarted('bud', cfg);
  registerSecret(b.admin.password);
  return { embedded: Boolean(cfg.emulators), url: b.url!, gatewayUrl: b.gateway_url ?? b.url!, admin: b.admin };
}

/** The target of `system` under `cfg` (a remote config: staging, or the run's emulator deployment). */
export async function ensureTarget<K extends SystemName>(system: K, cfg: SuiteConfig): Promise<NonNullable<Targets[K]>> {
  const build = { attune, waldur, bud }[system];
  return build(cfg) as NonNullable<Targets[K]>;
}
