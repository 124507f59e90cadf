// The broker model shared by the STOMP sessions and the management API: vhosts, users with per-vhost
// permissions (RabbitMQ style regexes), queues that hold messages until consumed, exchanges
// (default, direct, fanout, topic) and consumers served round-robin with ack tracking.

import { randomBytes } from 'node:crypto';

export type AckMode = 'auto' | 'client' | 'client-individual';
export type Access = 'configure' | 'write' | 'read';

/** A broker-level refusal in RabbitMQ terms (NOT_FOUND, ACCESS_REFUSED, PRECONDITION_FAILED, ...). */
export class BrokerError extends Error {
  constructor(readonly code: 'not_found' | 'access_refused' | 'precondition_failed' | 'bad_request', message: string) {
    super(message);
  }
}

export interface Properties {
  content_type?: string;
  content_encoding?: string;
  headers?: Record<string, unknown>;
  delivery_mode?: number;
  priority?: number;
  correlation_id?: string;
  reply_to?: string;
  expiration?: string;
  message_id?: string;
  timestamp?: number;
  type?: string;
  user_id?: string;
  app_id?: string;
}

export interface Message {
  exchange: string;
  routingKey: string;
  /** STOMP headers carried over from SEND (custom headers, content-type, ...). */
  headers: Record<string, string>;
  body: Buffer;
  redelivered: boolean;
  expiresAt?: number;
  /** The message-id/ack value of its latest delivery. */
  deliveryTag?: string;
}

export interface Consumer {
  queue: Queue;
  ackMode: AckMode;
  prefetch: number; // 0 = unlimited
  unacked: Message[];
  /** False once the subscriber's socket is closing: nothing more is handed to it. */
  ready(): boolean;
  /** Hands one message to the subscriber. */
  deliver(message: Message): void;
}

export interface QueueOptions {
  durable: boolean;
  auto_delete: boolean;
  exclusive?: boolean;
  arguments: Record<string, unknown>;
}

export class Queue {
  readonly messages: Message[] = [];
  readonly consumers: Consumer[] = [];
  /** Cumulative counters, as RabbitMQ's management API shows them in a queue's `message_stats`. */
  readonly stats = { publish: 0, deliver: 0, deliver_no_ack: 0, deliver_get: 0, redeliver: 0, ack: 0 };
  private next = 0;

  constructor(readonly vhost: string, readonly name: string, readonly options: QueueOptions) {}

  get unacknowledged(): number {
    return this.consumers.reduce((n, c) => n + c.unacked.length, 0);
  }

  /** Appends a message, honouring x-message-ttl and x-max-length / x-overflow; false when refused. */
  enqueue(message: Message): boolean {
    const args = this.options.arguments;
    const ttl = Number(args['x-message-ttl']);
    const maxLength = args['x-max-length'] === undefined ? Infinity : Number(args['x-max-length']);
    this.dropExpired();
    if (this.messages.length >= maxLength) {
      if (String(args['x-overflow'] ?? 'drop-head').startsWith('reject-publish')) return false;
      this.messages.shift();
    }
    this.messages.push({ ...message, expiresAt: Number.isFinite(ttl) ? Date.now() + ttl : undefined });
    this.stats.publish += 1;
    this.dispatch();
    return true;
  }

  /** Puts messages back at the head of the queue, marked redelivered, in their original order. */
  requeue(messages: Message[]): void {
    this.messages.unshift(...messages.map((m) => ({ ...m, redelivered: true })));
    this.dispatch();
  }

  /** Delivers ready messages to consumers with spare prefetch capacity, round-robin. */
  dispatch(): void {
    this.dropExpired();
    while (this.messages.length) {
      const consumer = this.nextConsumer();
      if (!consumer) return;
      const message = this.messages.shift()!;
      if (consumer.ackMode !== 'auto') consumer.unacked.push(message);
      this.stats[consumer.ackMode === 'auto' ? 'deliver_no_ack' : 'deliver'] += 1;
      this.stats.deliver_get += 1;
      if (message.redelivered) this.stats.redeliver += 1;
      consumer.deliver(message);
    }
  }

  private nextConsumer(): Consumer | undefined {
    for (let i = 0; i < this.consumers.length; i++) {
      const c = this.consumers[(this.next + i) % this.consumers.length];
      if (c.ready() && (c.ackMode === 'auto' || !c.prefetch || c.unacked.length < c.prefetch)) {
        this.next = (this.next + i + 1) % this.consumers.length;
        return c;
      }
    }
    return undefined;
  }

  private dropExpired(): void {
    const now = Date.now();
    while (this.messages.length && this.messages[0].expiresAt !== undefined && this.messages[0].expiresAt <= now) {
      this.messages.shift();
    }
  }
}

interface Binding {
  queue: Queue;
  pattern: string;
}

interface Exchange {
  name: string;
  type: 'direct' | 'fanout' | 'topic';
  bindings: Binding[];
}

interface Vhost {
  name: string;
  queues: Map<string, Queue>;
  exchanges: Map<string, Exchange>;
}

export interface Permission {
  configure: string;
  write: string;
  read: string;
}

export interface User {
  name: string;
  password?: string;
  tags: string[];
}

/** Topic matching as in RabbitMQ: words separated by ".", "*" = exactly one word, "#" = zero or more. */
export function topicMatches(pattern: string, routingKey: string): boolean {
  const match = (p: string[], k: string[]): boolean => {
    if (!p.length) return !k.length;
    if (p[0] === '#') return match(p.slice(1), k) || (k.length > 0 && match(p, k.slice(1)));
    return k.length > 0 && (p[0] === '*' || p[0] === k[0]) && match(p.slice(1), k.slice(1));
  };
  return match(pattern.split('.'), routingKey.split('.'));
}

function sameArguments(a: Record<string, unknown>, b: Record<string, unknown>): string | undefined {
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) return key;
  }
  return undefined;
}

export class Broker {
  readonly vhosts = new Map<string, Vhost>();
  readonly users = new Map<string, User>();
  /** permissions.get(vhost).get(user) */
  readonly permissions = new Map<string, Map<string, Permission>>();

  constructor(admin: { user: string; password: string }) {
    this.putUser(admin.user, admin.password, ['administrator']);
    this.putVhost('/', admin.user);
  }

  // ---- vhosts, users, permissions ------------------------------------------------------------

  /** Creates a vhost (true) or leaves an existing one (false); the creating user gets full permissions, as in RabbitMQ. */
  putVhost(name: string, creator?: string): boolean {
    if (this.vhosts.has(name)) return false;
    const exchanges = new Map<string, Exchange>();
    for (const [n, type] of [['', 'direct'], ['amq.direct', 'direct'], ['amq.fanout', 'fanout'], ['amq.topic', 'topic']] as const) {
      exchanges.set(n, { name: n, type, bindings: [] });
    }
    this.vhosts.set(name, { name, queues: new Map(), exchanges });
    this.permissions.set(name, new Map());
    if (creator && this.users.has(creator)) this.setPermission(name, creator, { configure: '.*', write: '.*', read: '.*' });
    return true;
  }

  deleteVhost(name: string): boolean {
    const vhost = this.vhosts.get(name);
    if (!vhost) return false;
    this.vhosts.delete(name);
    this.permissions.delete(name);
    return true;
  }

  putUser(name: string, password: string | undefined, tags: string[]): boolean {
    const created = !this.users.has(name);
    this.users.set(name, { name, password, tags });
    return created;
  }

  deleteUser(name: string): boolean {
    if (!this.users.delete(name)) return false;
    for (const perms of this.permissions.values()) perms.delete(name);
    return true;
  }

  setPermission(vhost: string, user: string, permission: Permission): boolean {
    const perms = this.permissions.get(vhost);
    if (!perms || !this.users.has(user)) throw new BrokerError('bad_request', 'vhost_or_user_not_found');
    for (const [kind, regex] of Object.entries(permission)) {
      try {
        new RegExp(regex);
      } catch {
        throw new BrokerError('bad_request', `invalid regular expression for ${kind}: ${regex}`);
      }
    }
    const created = !perms.has(user);
    perms.set(user, permission);
    return created;
  }

  deletePermission(vhost: string, user: string): boolean {
    return this.permissions.get(vhost)?.delete(user) ?? false;
  }

  /** The user when the password matches, else undefined. */
  authenticate(user: string, password: string): User | undefined {
    const u = this.users.get(user);
    return u && u.password !== undefined && u.password === password ? u : undefined;
  }

  /** A vhost is open to a user who has any permission entry on it (as RabbitMQ). */
  canAccessVhost(user: string, vhost: string): boolean {
    return this.vhosts.has(vhost) && !!this.permissions.get(vhost)?.has(user);
  }

  check(user: string, vhost: string, access: Access, kind: 'queue' | 'exchange', name: string): void {
    const perm = this.permissions.get(vhost)?.get(user);
    const resource = kind === 'exchange' && name === '' ? 'amq.default' : name;
    if (!perm || !new RegExp(`^(?:${perm[access]})$`).test(resource)) {
      throw new BrokerError(
        'access_refused',
        `ACCESS_REFUSED - ${access} access to ${kind} '${resource}' in vhost '${vhost}' refused for user '${user}'`,
      );
    }
  }

  // ---- queues, exchanges, publishing ---------------------------------------------------------

  private vhost(name: string): Vhost {
    const vhost = this.vhosts.get(name);
    if (!vhost) throw new BrokerError('not_found', `NOT_FOUND - no vhost '${name}'`);
    return vhost;
  }

  getQueue(vhost: string, name: string): Queue | undefined {
    return this.vhosts.get(vhost)?.queues.get(name);
  }

  requireQueue(vhost: string, name: string): Queue {
    const queue = this.vhost(vhost).queues.get(name);
    if (!queue) throw new BrokerError('not_found', `NOT_FOUND - no queue '${name}' in vhost '${vhost}'`);
    return queue;
  }

  /** Declares a queue; an existing queue must be equivalent (PRECONDITION_FAILED otherwise). */
  declareQueue(vhost: string, name: string, options: QueueOptions): { queue: Queue; created: boolean } {
    const v = this.vhost(vhost);
    const existing = v.queues.get(name);
    if (existing) {
      const o = existing.options;
      const different =
        o.durable !== options.durable ? 'durable' : o.auto_delete !== options.auto_delete ? 'auto_delete' : sameArguments(o.arguments, options.arguments);
      if (different) {
        throw new BrokerError(
          'precondition_failed',
          `PRECONDITION_FAILED - inequivalent arg '${different}' for queue '${name}' in vhost '${vhost}'`,
        );
      }
      return { queue: existing, created: false };
    }
    const queue = new Queue(vhost, name, options);
    v.queues.set(name, queue);
    v.exchanges.get('')!.bindings.push({ queue, pattern: name });
    return { queue, created: true };
  }

  /** Deletes a queue, returning its consumers so their sessions can be told. */
  deleteQueue(vhost: string, name: string): Consumer[] | undefined {
    const v = this.vhosts.get(vhost);
    const queue = v?.queues.get(name);
    if (!v || !queue) return undefined;
    v.queues.delete(name);
    for (const exchange of v.exchanges.values()) exchange.bindings = exchange.bindings.filter((b) => b.queue !== queue);
    return [...queue.consumers];
  }

  bind(vhost: string, exchangeName: string, queue: Queue, pattern: string): void {
    this.exchange(vhost, exchangeName).bindings.push({ queue, pattern });
  }

  exchange(vhost: string, name: string): Exchange {
    const exchange = this.vhost(vhost).exchanges.get(name === 'amq.default' ? '' : name);
    if (!exchange) throw new BrokerError('not_found', `NOT_FOUND - no exchange '${name}' in vhost '${vhost}'`);
    return exchange;
  }

  /** Routes a message through an exchange; true when at least one queue accepted it. */
  publish(vhost: string, exchangeName: string, routingKey: string, headers: Record<string, string>, body: Buffer): boolean {
    const exchange = this.exchange(vhost, exchangeName);
    const targets = new Set<Queue>();
    for (const b of exchange.bindings) {
      const hit =
        exchange.type === 'fanout' || (exchange.type === 'topic' ? topicMatches(b.pattern, routingKey) : b.pattern === routingKey);
      if (hit) targets.add(b.queue);
    }
    let routed = false;
    for (const queue of targets) {
      routed = queue.enqueue({ exchange: exchange.name, routingKey, headers, body, redelivered: false }) || routed;
    }
    return routed;
  }

  /** A name for a server-named queue (topic and exchange subscriptions). */
  static generatedQueueName(): string {
    return `stomp-subscription-${randomBytes(16).toString('base64url')}`;
  }
}

/** AMQP basic properties as STOMP MESSAGE headers, the way RabbitMQ's STOMP adapter maps them. */
export function propertiesToHeaders(p: Properties): Record<string, string> {
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.headers ?? {})) h[k] = typeof v === 'string' ? v : JSON.stringify(v);
  if (p.delivery_mode === 2) h.persistent = 'true';
  const map: [keyof Properties, string][] = [
    ['content_type', 'content-type'], ['content_encoding', 'content-encoding'], ['priority', 'priority'],
    ['correlation_id', 'correlation-id'], ['reply_to', 'reply-to'], ['expiration', 'expiration'],
    ['message_id', 'amqp-message-id'], ['timestamp', 'timestamp'], ['type', 'type'], ['user_id', 'user-id'],
    ['app_id', 'app-id'],
  ];
  for (const [prop, header] of map) if (p[prop] !== undefined) h[header] = String(p[prop]);
  return h;
}
