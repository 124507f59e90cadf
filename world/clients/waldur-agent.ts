/**
 * The site agent as the federation scenarios drive it. The suite writes the agent's own YAML
 * configuration (REPORT §7) from its config and the federation it set up, then drives either the
 * embedded reference agent (its control API) or a real `waldur_site_agent` command
 * (`-m order_process|event_process -c <file>`), chosen by target.agent.kind.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { AxiosInstance } from 'axios';
import { HttpLog, createHttp } from './http';
import { ComponentSpec, Json, OfferingRefs, TERMINAL_ORDER_STATES, WaldurClient, hexUuid } from './waldur';
import { eventually } from '../wait';
import { WaldurTarget } from '../targets';

export interface ComponentMapping {
  name: 'passthrough' | 'conversion';
  source: ComponentSpec[];
  target: ComponentSpec[];
  /** source component -> target component -> factor (none = passthrough, same name). */
  factors: Record<string, Record<string, number>>;
}

/** The plan's Step 3: passthrough (cpu -> cpu) and conversion (node_hours -> cpu_k_hours x 128). */
export const COMPONENT_MAPPINGS: Record<ComponentMapping['name'], ComponentMapping> = {
  passthrough: {
    name: 'passthrough',
    source: [{ type: 'cpu', name: 'CPU', measured_unit: 'Hours' }],
    target: [{ type: 'cpu', name: 'CPU', measured_unit: 'Hours' }],
    factors: {},
  },
  conversion: {
    name: 'conversion',
    source: [{ type: 'node_hours', name: 'Node Hours', measured_unit: 'Node-hours' }],
    target: [{ type: 'cpu_k_hours', name: 'CPU k-hours', measured_unit: 'k-Hours' }],
    factors: { node_hours: { cpu_k_hours: 128 } },
  },
};

/** What the scenario set up on both instances (the plan's Steps 1-2). */
export interface Federation {
  name: string;
  mapping: ComponentMapping;
  a: { offering: OfferingRefs; project: Json };
  /** `stompOffering`: the Marketplace.Slurm offering on B for the agent identity (seed 000's revision). */
  b: { offering: OfferingRefs; stompOffering?: OfferingRefs };
}

export type AgentMode = 'order_process' | 'event_process';

export interface AgentOptions {
  mode: AgentMode;
  /** backend_settings.target_stomp_enabled */
  targetStomp: boolean;
  /** backend_settings.target_api_url when the agent reaches Waldur B through another address than the config's. */
  targetUrl?: string;
}

/** backend_settings.order_poll_timeout (seconds): upstream's default, the bound for polling to finish an order. */
export const ORDER_POLL_TIMEOUT_S = 300;

export interface AgentConnection {
  /** The agent's name for the offering ("Target: <name>" for the target side); null where not observable. */
  offering_name: string | null;
  side: 'source' | 'target';
  object_type: string;
  /** The event subscription behind it: its UUID hex is the connection's broker user (STOMP login). */
  subscription_uuid: string;
  is_connected: boolean;
}

export interface OrderRun {
  state: string;
  cycles: number;
  /** What each cycle reported (embedded agent) or null (command: not observable). */
  reports: unknown[];
}

/** STOMP WebSocket settings of an instance URL, for the agent's offering-level keys. */
function stompSettings(url: string): Record<string, unknown> {
  const u = new URL(url);
  const tls = u.protocol === 'https:';
  return { websocket_use_tls: tls, verify_ssl: tls, ...(u.port ? { stomp_ws_port: Number(u.port) } : {}) };
}

/** The waldur_site_agent configuration for this federation (REPORT §7.5). */
export function agentConfigYaml(target: WaldurTarget, fed: Federation, opts: AgentOptions): string {
  const components = Object.fromEntries(
    fed.mapping.source.map((c) => {
      const targets = fed.mapping.factors[c.type];
      return [
        c.type,
        {
          measured_unit: c.measured_unit,
          unit_factor: 1.0,
          accounting_type: 'limit',
          label: c.name,
          ...(targets ? { target_components: Object.fromEntries(Object.entries(targets).map(([t, factor]) => [t, { factor }])) } : {}),
        },
      ];
    }),
  );
  return stringify({
    timezone: 'UTC',
    offerings: [
      {
        name: fed.name,
        waldur_api_url: new URL('api/', target.a.url).toString(),
        waldur_api_token: target.a.token,
        waldur_offering_uuid: fed.a.offering.uuid,
        backend_type: 'waldur',
        order_processing_backend: 'waldur',
        membership_sync_backend: 'waldur',
        reporting_backend: 'waldur',
        stomp_enabled: opts.mode === 'event_process',
        ...stompSettings(target.a.url),
        backend_settings: {
          target_api_url: opts.targetUrl ?? target.b.url,
          target_api_token: target.b.token,
          order_poll_timeout: ORDER_POLL_TIMEOUT_S,
          target_offering_uuid: fed.b.offering.uuid,
          target_customer_uuid: fed.b.offering.customerUuid,
          user_match_field: 'username',
          user_resolve_method: 'user_field',
          target_stomp_enabled: opts.targetStomp,
          ...(fed.b.stompOffering ? { target_stomp_offering_uuid: fed.b.stompOffering.uuid } : {}),
        },
        backend_components: components,
      },
    ],
  });
}

/** The description waldur_site_agent gives its event subscriptions (upstream literal, braces included). */
const AGENT_SUBSCRIPTION = 'Event subscription created by the site agent';

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Start, cycle and observe the site agent; closed (stopped) after the scenario. */
export abstract class AgentDriver {
  constructor(
    protected readonly target: WaldurTarget,
    protected readonly waldur: WaldurClient,
    protected readonly fed: Federation,
  ) {}

  /** Start the agent in a mode; resolves with what the agent reports about its processors. */
  abstract start(opts: AgentOptions): Promise<Json>;
  /** One order-processing cycle, or the agent's own pacing for a command. */
  abstract cycle(): Promise<unknown>;
  /** The agent's STOMP connections, or null when the agent kind cannot show them. */
  abstract connections(): Promise<AgentConnection[] | null>;
  abstract stop(): Promise<void>;

  startPolling(targetStomp = false): Promise<Json> {
    return this.start({ mode: 'order_process', targetStomp });
  }

  startEvents(targetStomp: boolean, targetUrl?: string): Promise<Json> {
    return this.start({ mode: 'event_process', targetStomp, targetUrl });
  }

  /**
   * The plan's `_run_processor_until_order_terminal`: at most maxCycles cycles, cycleDelayMs apart, with
   * B's pending-provider orders auto-approved after each (AutoApproveWaldurBackend). Returns the final
   * state without failing on erred.
   */
  async runUntilOrderTerminal(orderUuid: string): Promise<OrderRun> {
    const reports: unknown[] = [];
    let state = '';
    for (let cycles = 1; cycles <= this.target.agent.maxCycles; cycles += 1) {
      reports.push(await this.cycle());
      await this.waldur.b.autoApprove(this.fed.b.offering.uuid);
      state = (await this.waldur.a.order(orderUuid)).state;
      if (TERMINAL_ORDER_STATES.includes(state)) return { state, cycles, reports };
      await pause(this.target.agent.cycleDelayMs);
    }
    return { state, cycles: this.target.agent.maxCycles, reports };
  }

  close(): Promise<void> {
    return this.stop();
  }

  /** The event subscriptions the agent registered (REPORT §4.3) for this federation's offerings on A and B. */
  async subscriptions(): Promise<{ side: 'source' | 'target'; uuid: string; objectType: string }[]> {
    const offerings = { source: [this.fed.a.offering.uuid], target: [this.fed.b.offering.uuid, this.fed.b.stompOffering?.uuid] };
    const found: { side: 'source' | 'target'; uuid: string; objectType: string }[] = [];
    for (const side of ['source', 'target'] as const) {
      for (const sub of await this.waldur.side(side === 'source' ? 'a' : 'b').list('/api/event-subscriptions/')) {
        if (!String(sub.description).startsWith(AGENT_SUBSCRIPTION)) continue;
        const observed = (sub.observable_objects ?? []).find((o: Json) => offerings[side].includes(o.offering_uuid));
        if (observed) found.push({ side, uuid: hexUuid(sub.uuid), objectType: observed.object_type });
      }
    }
    return found;
  }

  /** Removes what event_process registered: its event subscriptions (queues, broker users) and identities. */
  async removeRegistrations(): Promise<void> {
    for (const sub of await this.subscriptions()) {
      await this.waldur.side(sub.side === 'source' ? 'a' : 'b').call('delete', `/api/event-subscriptions/${sub.uuid}/`);
    }
    const identities = { a: this.fed.a.offering.uuid, b: this.fed.b.stompOffering?.uuid ?? this.fed.b.offering.uuid };
    for (const [side, offering] of Object.entries(identities) as ['a' | 'b', string][]) {
      for (const identity of await this.waldur.side(side).list('/api/marketplace-site-agent-identities/', { name: `agent-${offering}` })) {
        await this.waldur.side(side).call('delete', `/api/marketplace-site-agent-identities/${hexUuid(identity.uuid)}/`);
      }
    }
  }
}

/** The embedded reference agent, through its control API (emulators/waldur/agent/README.md). */
export class EmbeddedAgentDriver extends AgentDriver {
  private readonly http: AxiosInstance;
  private id: string | null = null;

  constructor(target: WaldurTarget, waldur: WaldurClient, fed: Federation, log: HttpLog) {
    super(target, waldur, fed);
    if (!target.agent.controlUrl) throw new Error('the embedded site agent has no control URL');
    this.http = createHttp(target.agent.controlUrl, log);
  }

  private async call(method: 'get' | 'post' | 'delete', path: string, data?: unknown): Promise<Json> {
    const res = await this.http.request({ method, url: path, data });
    if (res.status >= 300) throw new Error(`site agent ${method.toUpperCase()} ${path} answered ${res.status}: ${JSON.stringify(res.data)}`);
    return res.data;
  }

  async start(opts: AgentOptions): Promise<Json> {
    await this.stop();
    const started = await this.call('post', 'processors', { mode: opts.mode, config_yaml: agentConfigYaml(this.target, this.fed, opts) });
    this.id = started.id;
    return started;
  }

  cycle(): Promise<unknown> {
    if (!this.id) throw new Error('the site agent was not started in this scenario');
    return this.call('post', `processors/${this.id}/cycle`);
  }

  async connections(): Promise<AgentConnection[]> {
    if (!this.id) throw new Error('the site agent was not started in this scenario');
    return this.call('get', `processors/${this.id}/connections`);
  }

  async stop(): Promise<void> {
    if (!this.id) return;
    const id = this.id;
    this.id = null;
    await this.call('delete', `processors/${id}`);
  }
}

/**
 * A real `waldur_site_agent` (target.agent.command) run as child processes with config files the suite
 * writes. It paces its own cycles (its order loop sleeps WALDUR_SITE_AGENT_ORDER_PROCESS_PERIOD_MINUTES,
 * hard-coded to a minute or more in some releases), so nothing here pauses for a fixed time: a "cycle" is
 * waiting until the agent visibly acted (an order of A's offering changed, or Waldur B logged a request for
 * B's offering), and "until the order is finished" is a deadline (agent.deadline) watched with
 * `eventually`. Its STOMP connections are read from the outside: the agent's event subscriptions on A and B
 * and the broker's connection list (RabbitMQ management API), where a live connection's user is the
 * subscription UUID.
 */
export class CommandAgentDriver extends AgentDriver {
  private children: ChildProcess[] = [];
  private dir: string | null = null;
  private output = '';

  private spawnMode(mode: AgentMode, file: string): void {
    const child = spawn(`${this.target.agent.command} -m ${mode} -c ${file}`, {
      shell: true,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WALDUR_SITE_AGENT_ORDER_PROCESS_PERIOD_MINUTES: String(Math.max(this.target.agent.cycleDelayMs, 1000) / 60_000) },
    });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + `[${mode}] ${chunk.toString()}`).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.children.push(child);
  }

  async start(opts: AgentOptions): Promise<Json> {
    await this.stop();
    this.dir = mkdtempSync(join(tmpdir(), 'e2e-agent-'));
    const file = join(this.dir, 'agent-config.yaml');
    writeFileSync(file, agentConfigYaml(this.target, this.fed, opts), { mode: 0o600 });
    this.spawnMode(opts.mode, file);
    if (opts.mode === 'event_process') {
      // As deployed: order_process beside event_process, with its own config where stomp_enabled is false
      // (order_process skips STOMP offerings), so the plan's hybrid STOMP tests still get polling cycles.
      const orderFile = join(this.dir, 'agent-config-order-process.yaml');
      writeFileSync(orderFile, agentConfigYaml(this.target, this.fed, { ...opts, mode: 'order_process' }), { mode: 0o600 });
      this.spawnMode('order_process', orderFile);
      // Events published before the agent's queues exist are lost: wait for its source connections.
      const want = this.target.stomp.sourceConnections;
      await eventually(
        async () => (this.running(), (await this.connections()) ?? []),
        (cs) => cs.filter((c) => c.side === 'source' && c.is_connected).length >= want,
        { within: this.target.agent.deadlineMs, every: 500, what: `${want} source STOMP connections of waldur_site_agent` },
      );
    }
    this.running();
    return { mode: opts.mode, pids: this.children.map((c) => c.pid), offerings: [{ offering_uuid: this.fed.a.offering.uuid }] };
  }

  /** Fails with the agent's last output when one of its processes has ended. */
  private running(): void {
    const ended = this.children.find((c) => c.exitCode !== null);
    if (!this.children.length || ended) throw new Error(`waldur_site_agent is not running (exit ${ended?.exitCode}); last output:\n${this.output}`);
  }

  /**
   * What a cycle changes: the state and backend_id of every order of A's offering; `settled` when no order
   * is left where a cycle would not leave it (pending-provider, or executing without B's order).
   */
  private async ordersOnA(): Promise<{ key: string; settled: boolean }> {
    const orders = await this.waldur.a.orders({ offering_uuid: hexUuid(this.fed.a.offering.uuid) });
    return {
      key: orders.map((o) => `${o.uuid}:${o.state}:${o.backend_id}`).sort().join(','),
      settled: orders.every((o) => o.state !== 'pending-provider' && !(o.state === 'executing' && !o.backend_id)),
    };
  }

  /**
   * One cycle of the agent's own loop, as it shows: A's orders changed (or B logged a request for B's
   * offering) and none is left half-processed.
   */
  async cycle(): Promise<unknown> {
    const since = new Date();
    const before = (await this.ordersOnA()).key;
    const b = this.waldur.b;
    await eventually(
      async () => {
        this.running();
        const now = await this.ordersOnA();
        if (!now.settled) return false;
        if (now.key !== before) return true;
        return b.hasOperator ? (await b.requestLog([hexUuid(this.fed.b.offering.uuid)], since)).length > 0 : false;
      },
      (acted) => acted,
      { within: this.target.agent.deadlineMs, every: 500, what: `waldur_site_agent acting on A's offering orders or calling Waldur B for B's offering (agent.deadline ${this.target.agent.deadlineMs} ms)` },
    );
    return null;
  }

  /** The agent runs its own loop; the suite only approves B's orders (AutoApprove) until A's order ends or the deadline passes. */
  async runUntilOrderTerminal(orderUuid: string): Promise<OrderRun> {
    const startedAt = Date.now();
    let state = '';
    try {
      await eventually(
        async () => {
          this.running();
          await this.waldur.b.autoApprove(this.fed.b.offering.uuid);
          state = (await this.waldur.a.order(orderUuid)).state;
          return state;
        },
        (s) => TERMINAL_ORDER_STATES.includes(s),
        { within: this.target.agent.deadlineMs, every: 1000, what: `order ${orderUuid} on Waldur A finished by waldur_site_agent (agent.deadline)` },
      );
    } catch (e) {
      if (!state) throw e;
    }
    // Cycles are the agent's own: the number of its order-process periods that passed.
    return { state, cycles: Math.max(1, Math.ceil((Date.now() - startedAt) / Math.max(this.target.agent.cycleDelayMs, 1000))), reports: [] };
  }

  async connections(): Promise<AgentConnection[] | null> {
    if (!this.target.broker.managementUrl) return null;
    const live = new Set((await this.waldur.broker.connections()).map((c) => c.user));
    return (await this.subscriptions()).map((sub) => ({
      offering_name: null, // not observable from outside a waldur_site_agent process
      side: sub.side,
      object_type: sub.objectType,
      subscription_uuid: sub.uuid,
      is_connected: live.has(sub.uuid),
    }));
  }

  async stop(): Promise<void> {
    const children = this.children;
    this.children = [];
    await Promise.all(
      children
        .filter((c) => c.exitCode === null)
        .map((c) => {
          const exited = new Promise<void>((r) => c.once('exit', () => r()));
          process.kill(-c.pid!, 'SIGTERM'); // the shell and the agent it started
          return exited;
        }),
    );
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}

export function agentDriver(target: WaldurTarget, waldur: WaldurClient, fed: Federation, log: HttpLog): AgentDriver {
  return target.agent.kind === 'embedded' ? new EmbeddedAgentDriver(target, waldur, fed, log) : new CommandAgentDriver(target, waldur, fed);
}

// ---- username sync (seed 001) ------------------------------------------------------------------

/** One offering of the agent for the username sync: A's offering as user_a, B's offering as user_b. */
export interface UsernameSyncOffering {
  name: string;
  apiUrl: string;
  offeringA: string;
  tokenA: string;
  offeringB: string;
  tokenB: string;
  customerB: string;
  /** stomp_enabled, membership_sync_backend and username_reconciliation_enabled: what reconciliation gates on. */
  stomp: boolean;
  membershipSync: boolean;
  reconciliation: boolean;
}

/** The waldur_site_agent configuration of seed 001's tests (both offerings on one Waldur, REPORT §5). */
export function usernameSyncConfigYaml(o: UsernameSyncOffering): string {
  return stringify({
    timezone: 'UTC',
    offerings: [
      {
        name: o.name,
        waldur_api_url: new URL('api/', o.apiUrl).toString(),
        waldur_api_token: o.tokenA,
        waldur_offering_uuid: o.offeringA,
        backend_type: 'waldur',
        order_processing_backend: 'waldur',
        ...(o.membershipSync ? { membership_sync_backend: 'waldur' } : {}),
        stomp_enabled: o.stomp,
        username_reconciliation_enabled: o.reconciliation,
        ...stompSettings(o.apiUrl),
        backend_settings: {
          target_api_url: o.apiUrl,
          target_api_token: o.tokenB,
          target_offering_uuid: o.offeringB,
          target_customer_uuid: o.customerB,
          user_match_field: 'username',
          user_resolve_method: 'user_field',
        },
        backend_components: {
          cpu: { measured_unit: 'Hours', unit_factor: 1.0, accounting_type: 'limit', label: 'CPU Hours' },
          mem: { measured_unit: 'GB', unit_factor: 1.0, accounting_type: 'limit', label: 'Memory GB' },
        },
      },
    ],
  });
}

export interface UsernameSyncReport {
  offering: string;
  changed: boolean;
  /** run_periodic_username_reconciliation only: why the offering was left alone (null = it ran). */
  skipped?: string | null;
  patched: { offering_user_uuid: string; user_username: string; from: string | null; to: string }[];
}

/**
 * The agent's `sync_offering_user_usernames` and `run_periodic_username_reconciliation`, called on demand
 * as the report's tests call them. Only the embedded reference agent can be asked to run them now; a
 * waldur_site_agent command runs them on its own (target OFFERING_USER events, the reconciliation period).
 */
export class UsernameSyncAgent {
  private readonly http: AxiosInstance;
  private id: string | null = null;

  constructor(target: WaldurTarget, log: HttpLog) {
    if (target.agent.kind !== 'embedded' || !target.agent.controlUrl) {
      throw new Error('running the username sync on demand needs the embedded reference agent (waldur.agent.kind: embedded); waldur_site_agent runs it only on its own schedule');
    }
    this.http = createHttp(target.agent.controlUrl, log);
  }

  private async call(method: 'post' | 'delete', path: string, data?: unknown): Promise<Json> {
    const res = await this.http.request({ method, url: path, data });
    if (res.status >= 300) throw new Error(`site agent ${method.toUpperCase()} ${path} answered ${res.status}: ${JSON.stringify(res.data)}`);
    return res.data;
  }

  async start(offering: UsernameSyncOffering): Promise<void> {
    await this.close();
    this.id = (await this.call('post', 'processors', { mode: 'order_process', config_yaml: usernameSyncConfigYaml(offering) })).id;
  }

  private running(): string {
    if (!this.id) throw new Error('the site agent was not configured for the username sync in this scenario');
    return this.id;
  }

  syncUsernames(): Promise<UsernameSyncReport[]> {
    return this.call('post', `processors/${this.running()}/sync-usernames`);
  }

  reconcileUsernames(): Promise<UsernameSyncReport[]> {
    return this.call('post', `processors/${this.running()}/reconcile-usernames`);
  }

  async close(): Promise<void> {
    if (!this.id) return;
    const id = this.id;
    this.id = null;
    await this.call('delete', `processors/${id}`);
  }
}
