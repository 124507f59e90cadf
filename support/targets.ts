/**
 * The launcher: the one file that starts emulators. For a system configured as `embedded`, the first
 * scenario that needs it in a cucumber worker starts it in-process on free ports; AfterAll stops
 * everything that was started. For a `remote` system the target is read from config as it is.
 */
import { AttuneConfig, BudConfig, SuiteConfig, SystemName, WaldurConfig } from './config';
import { AttuneTarget, BudTarget, Targets, WaldurTarget } from '../world/targets';
import { registerSecret } from '../world/redact';

type Stop = () => Promise<void>;
const started = new Map<SystemName, Promise<NonNullable<Targets[SystemName]>>>();
const stops: Stop[] = [];

async function attune(cfg: AttuneConfig): Promise<AttuneTarget> {
  const base = { login: cfg.login, password: cfg.password };
  if (cfg.target === 'remote') {
    return { embedded: false, apiUrl: cfg.api_url!, notifierUrl: cfg.notifier_url!, databaseUrl: cfg.database_url, ...base };
  }
  const { startAttune } = await import('../emulators/attune');
  const emu = await startAttune({ admin: { login: cfg.login, password: cfg.password } });
  stops.push(emu.stop);
  return { embedded: true, apiUrl: emu.apiUrl, notifierUrl: emu.notifierUrl, databaseUrl: emu.databaseUrl, ...base };
}

async function waldur(cfg: WaldurConfig): Promise<WaldurTarget> {
  const common = {
    targetStomp: cfg.target_stomp,
    stomp: { sourceConnections: cfg.stomp.source_connections, targetConnections: cfg.stomp.target_connections },
  };
  let broker: WaldurTarget['broker'] = { kind: cfg.broker.kind };
  if (cfg.broker.kind === 'rabbitmq') {
    broker = {
      kind: 'rabbitmq',
      wsUrl: cfg.broker.ws_url,
      managementUrl: cfg.broker.management_url,
      user: cfg.broker.user,
      password: cfg.broker.password,
    };
  }
  let a = cfg.a!;
  let b = cfg.b!;
  let embedded = false;
  if (cfg.target === 'embedded') {
    embedded = true;
    if (cfg.broker.kind === 'embedded') {
      const { startStompBroker } = await import('../emulators/stomp');
      const br = await startStompBroker();
      stops.push(br.stop);
      broker = { kind: 'embedded', wsUrl: br.wsUrl, managementUrl: br.managementUrl, user: br.adminUser, password: br.adminPassword };
    }
    const { startWaldur } = await import('../emulators/waldur');
    const brokerForWaldur =
      broker.kind === 'none'
        ? null
        : { wsUrl: broker.wsUrl!, managementUrl: broker.managementUrl!, adminUser: broker.user!, adminPassword: broker.password! };
    const emu = await startWaldur({ broker: brokerForWaldur, targetStomp: cfg.target_stomp });
    stops.push(emu.stop);
    a = { url: emu.a.url, token: emu.a.token, admin_url: emu.a.adminUrl };
    b = { url: emu.b.url, token: emu.b.token, admin_url: emu.b.adminUrl };
  }
  const agent: WaldurTarget['agent'] = {
    kind: cfg.agent.kind,
    command: cfg.agent.command,
    cycleDelayMs: cfg.agent.cycle_delay_ms,
    maxCycles: cfg.agent.max_cycles,
  };
  if (cfg.agent.kind === 'embedded') {
    const { startSiteAgent } = await import('../emulators/waldur/agent');
    const ag = await startSiteAgent();
    stops.push(ag.stop);
    agent.controlUrl = ag.controlUrl;
  }
  for (const s of [a.token, b.token, broker.password]) registerSecret(s);
  return {
    embedded,
    a: { url: a.url, token: a.token, adminUrl: a.admin_url },
    b: { url: b.url, token: b.token, adminUrl: b.admin_url },
    broker,
    agent,
    ...common,
  };
}

async function bud(cfg: BudConfig): Promise<BudTarget> {
  if (cfg.target === 'remote') return { embedded: false, url: cfg.url!, gatewayUrl: cfg.gateway_url!, admin: cfg.admin };
  const { startBud } = await import('../emulators/bud');
  const emu = await startBud({ admin: cfg.admin });
  stops.push(emu.stop);
  return { embedded: true, url: emu.url, gatewayUrl: emu.url, admin: cfg.admin };
}

/** The target of `system`, started on first use in this worker. */
export function ensureTarget<K extends SystemName>(system: K, cfg: SuiteConfig): Promise<NonNullable<Targets[K]>> {
  let p = started.get(system);
  if (!p) {
    registerSecret(cfg.attune?.password);
    registerSecret(cfg.bud?.admin.password);
    if (system === 'attune') p = attune(cfg.attune!);
    else if (system === 'waldur') p = waldur(cfg.waldur!);
    else p = bud(cfg.bud!);
    started.set(system, p);
  }
  return p as Promise<NonNullable<Targets[K]>>;
}

/** Stop everything this worker started, newest first. */
export async function stopAll(): Promise<void> {
  started.clear();
  while (stops.length) {
    const stop = stops.pop()!;
    await stop().catch(() => undefined);
  }
}
