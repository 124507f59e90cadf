import { randomBytes, randomUUID } from 'node:crypto';

/** In-memory budapp database for one emulator instance. */

export const CLIENT_PERMISSIONS = ['client:access', 'project:view', 'project:manage'] as const;
export const ALL_PERMISSIONS = [
  'model:view', 'model:manage', 'model:benchmark', 'project:view', 'project:manage', 'endpoint:view',
  'endpoint:manage', 'cluster:view', 'cluster:manage', 'user:view', 'user:manage', 'benchmark:view',
  'benchmark:manage', 'client:access',
] as const;

export interface User {
  id: string;
  name: string;
  email: string;
  password: string;
  color: string;
  role: string;
  status: 'active' | 'deleted' | 'invited';
  company: string | null;
  purpose: string | null;
  user_type: 'admin' | 'client';
  permissions: string[];
  first_login: boolean;
  is_reset_password: boolean;
  created_at: string;
}

export interface Timings {
  /** Lifetime of access tokens (Keycloak realm "accessTokenLifespan"). */
  access_token_ttl_seconds: number;
  /** Lifetime of refresh tokens (Keycloak "ssoSessionIdleTimeout"). */
  refresh_token_ttl_seconds: number;
  /** Lifetime of offline refresh tokens (remember_me). */
  offline_token_ttl_seconds: number;
  /** Lifetime of a password-reset token. */
  reset_token_ttl_seconds: number;
  /** Duration of each local-model extraction stage. */
  local_model_step_ms: number;
  /** Duration of each cluster-onboarding / deployment / simulation stage. */
  deployment_step_ms: number;
}

export const DEFAULT_TIMINGS: Timings = {
  access_token_ttl_seconds: 1800,
  refresh_token_ttl_seconds: 3600,
  offline_token_ttl_seconds: 2592000,
  reset_token_ttl_seconds: 3600,
  local_model_step_ms: 300,
  deployment_step_ms: 200,
};

export interface ResetToken { token: string; userId: string; expiresAt: number; used: boolean }
export interface Mail { id: string; to: string; subject: string; body: string; token: string; reset_url: string; sent_at: string }

export interface Workflow {
  id: string;
  workflow_type: string;
  title: string;
  icon: string | null;
  tag: string | null;
  progress: Record<string, unknown> | null;
  total_steps: number;
  current_step: number;
  status: 'in_progress' | 'completed' | 'failed';
  reason: string | null;
  created_by: string;
  created_at: string;
  modified_at: string;
  /** Merged data of every stored step plus what the workflow produced. */
  data: Record<string, unknown>;
}

export type Row = Record<string, unknown> & { id: string };

export const now = () => new Date().toISOString();
export const hexColor = () => `#${randomBytes(3).toString('hex').toUpperCase()}`;

export class BudState {
  users = new Map<string, User>();
  /** Live Keycloak-like sessions: session id -> user id. Logout ends the session. */
  sessions = new Map<string, string>();
  /** Blacklisted access-token ids (JWTBlacklistService). */
  blacklist = new Set<string>();
  resetTokens = new Map<string, ResetToken>();
  mailbox: Mail[] = [];
  providers: Row[] = [];
  cloudModels: Row[] = [];
  models = new Map<string, Row>();
  workflows = new Map<string, Workflow>();
  projects = new Map<string, Row>();
  clusters = new Map<string, Row>();
  endpoints = new Map<string, Row>();
  credentials = new Map<string, Row>();
  timers = new Set<NodeJS.Timeout>();

  constructor(public timings: Timings) {}

  userByEmail(email: string): User | undefined {
    const e = email.toLowerCase();
    for (const u of this.users.values()) if (u.email.toLowerCase() === e) return u;
    return undefined;
  }

  addUser(u: Omit<User, 'id' | 'color' | 'created_at' | 'first_login' | 'is_reset_password' | 'status'>): User {
    const user: User = {
      ...u,
      id: randomUUID(),
      color: hexColor(),
      status: 'active',
      first_login: true,
      is_reset_password: false,
      created_at: now(),
    };
    this.users.set(user.id, user);
    return user;
  }

  /** Real timer tracked so stop() can clear it. */
  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  activeModelNamed(name: string, exceptId?: string): Row | undefined {
    const n = name.toLowerCase();
    for (const m of this.models.values()) {
      if (m.status !== 'deleted' && m.id !== exceptId && String(m.name).toLowerCase() === n) return m;
    }
    return undefined;
  }
}
