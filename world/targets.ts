/**
 * What the suite knows about each system under test once it is reachable: URLs and credentials,
 * whether it comes from config (a real deployment) or from the launcher (embedded emulators).
 * Steps and clients see only this, never the emulators themselves.
 */

export interface AttuneTarget {
  embedded: boolean;
  apiUrl: string;
  notifierUrl: string;
  databaseUrl?: string;
  login: string;
  password: string;
  /** The worker's configured output limit and truncation message (T3.21), when the config says them. */
  worker?: { maxOutputSizeBytes: number; outputTruncationMessage?: string };
}

export interface WaldurInstance {
  url: string;
  token: string;
  /** Operator endpoint (fault switches, back-door reads); the embedded emulator's admin API. */
  adminUrl?: string;
  /** A real Waldur's Django shell as a command (`waldur shell -c`), for the operations seed 001 does there. */
  operatorCommand?: string;
}

export interface WaldurTarget {
  embedded: boolean;
  a: WaldurInstance;
  b: WaldurInstance;
  broker: {
    kind: 'embedded' | 'rabbitmq' | 'none';
    wsUrl?: string;
    managementUrl?: string;
    user?: string;
    password?: string;
  };
  targetStomp: boolean;
  stomp: { sourceConnections: number; targetConnections: number };
  agent: {
    kind: 'embedded' | 'command';
    /** Control endpoint of the embedded reference agent. */
    controlUrl?: string;
    /** Command line of a real waldur_site_agent. */
    command?: string;
    cycleDelayMs: number;
    maxCycles: number;
    /** How long a command agent gets to finish an order (agent.deadline), watched with `eventually`. */
    deadlineMs: number;
  };
}

export interface BudTarget {
  embedded: boolean;
  url: string;
  /** budgateway (OpenAI-compatible inference); the embedded budapp serves it on its own address. */
  gatewayUrl: string;
  admin: { email: string; password: string };
}

export interface Targets {
  attune?: AttuneTarget;
  waldur?: WaldurTarget;
  bud?: BudTarget;
}
