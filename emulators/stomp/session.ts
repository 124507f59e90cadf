// One STOMP 1.2 connection over a WebSocket, with RabbitMQ's destination rules:
// /queue/<q> (declared), /amq/queue/<q> (must exist), /topic/<rk> (amq.topic), /exchange/<x>/<pattern>.

import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import { AckMode, Broker, BrokerError, Consumer, Message, Queue } from './broker';
import { encodeFrame, Frame, FrameError, FrameParser } from './frames';

const SUPPORTED_VERSIONS = ['1.0', '1.1', '1.2'];
const SERVER = 'RabbitMQ/3.10.8-compatible (e2e emulator)';
const HEARTBEAT_TOLERANCE = 2;

/** A protocol error: sent as an ERROR frame, after which the connection is closed. */
class StompError extends Error {
  constructor(readonly summary: string, readonly detail: string) {
    super(summary);
  }
}

interface Subscription extends Consumer {
  id: string;
  destination: string;
  /** Server-named queue owned by this subscription (topic/exchange destinations), deleted with it. */
  temporary: boolean;
}

type Target = { kind: 'queue'; queue: string; declare: boolean } | { kind: 'exchange'; exchange: string; routingKey: string };

function parseDestination(destination: string): Target {
  const [, type, rest] = /^\/([a-z-]+(?:\/queue)?)\/(.*)$/s.exec(destination) ?? [];
  const name = rest === undefined ? '' : decodeURIComponent(rest.replace(/%(?![0-9a-fA-F]{2})/g, '%25'));
  if (type === 'queue' && name) return { kind: 'queue', queue: name, declare: true };
  if (type === 'amq/queue' && name) return { kind: 'queue', queue: name, declare: false };
  if (type === 'topic' && name) return { kind: 'exchange', exchange: 'amq.topic', routingKey: name };
  if (type === 'exchange' && name) {
    const slash = name.indexOf('/');
    return slash < 0
      ? { kind: 'exchange', exchange: name, routingKey: '' }
      : { kind: 'exchange', exchange: name.slice(0, slash), routingKey: name.slice(slash + 1) };
  }
  throw new StompError(
    'Unknown destination',
    `'${destination}' is not a valid destination.\nValid destination types are: /exchange, /topic, /queue, /amq/queue.\n`,
  );
}

/** The destination a MESSAGE frame carries, derived from how it was routed (as RabbitMQ does). */
function formatDestination(exchange: string, routingKey: string): string {
  if (exchange === '') return `/queue/${routingKey}`;
  if (exchange === 'amq.topic') return `/topic/${routingKey}`;
  return `/exchange/${exchange}/${routingKey}`;
}

const RESERVED_SEND_HEADERS = new Set(['destination', 'receipt', 'transaction', 'content-length']);

export class StompSession {
  readonly id = `session-${randomBytes(16).toString('base64url')}`;
  readonly connectedAt = Date.now();
  user?: string;
  vhost?: string;
  version = '1.2';
  private readonly parser = new FrameParser();
  private readonly subscriptions = new Map<string, Subscription>();
  private messageCounter = 0;
  private lastReceived = Date.now();
  private sendTimer?: NodeJS.Timeout;
  private checkTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly broker: Broker,
    readonly peer: { host: string; port: number },
    private readonly debug: (msg: string) => void,
  ) {
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => this.onData(Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer)));
    ws.on('close', () => this.teardown());
    ws.on('error', () => this.teardown());
  }

  /** Ends the connection, optionally with an ERROR frame first (administrative close). */
  close(error?: { summary: string; detail: string }): void {
    if (error) this.sendError(new StompError(error.summary, error.detail));
    else this.ws.close();
    this.teardown();
  }

  private onData(data: Buffer): void {
    if (this.closed) return;
    this.lastReceived = Date.now();
    try {
      this.parser.feed(data);
      for (let frame = this.parser.next(); frame && !this.closed; frame = this.parser.next()) this.handle(frame);
    } catch (e) {
      if (e instanceof StompError) this.sendError(e);
      else if (e instanceof FrameError) this.sendError(new StompError(e.summary, `${e.message}\n`));
      else if (e instanceof BrokerError) this.sendError(new StompError(e.code, e.message));
      else this.sendError(new StompError('Internal error', `${(e as Error).message}\n`));
    }
  }

  private handle(frame: Frame): void {
    const h = frame.headers;
    if (!this.user) {
      if (frame.command !== 'CONNECT' && frame.command !== 'STOMP') {
        throw new StompError('Illegal command', 'You must log in using CONNECT first');
      }
      this.connect(frame);
      return;
    }
    switch (frame.command) {
      case 'CONNECT':
      case 'STOMP':
        throw new StompError('Illegal command', 'Already connected');
      case 'SEND':
        this.onSend(frame);
        break;
      case 'SUBSCRIBE':
        this.onSubscribe(frame);
        break;
      case 'UNSUBSCRIBE': {
        const id = h.id ?? h.destination;
        const sub = id === undefined ? undefined : this.subscriptions.get(id);
        if (!sub) throw new StompError('Invalid header', '"UNSUBSCRIBE" must include a valid "id" header');
        this.endSubscription(sub);
        break;
      }
      case 'ACK':
      case 'NACK':
        this.onAck(frame);
        break;
      case 'DISCONNECT':
        this.receipt(frame);
        this.ws.close();
        this.teardown();
        return;
      default:
        throw new StompError('Bad command', `Could not interpret command "${frame.command}" (transactions are not supported)\n`);
    }
    this.receipt(frame);
  }

  private connect(frame: Frame): void {
    const h = frame.headers;
    const accepted = (h['accept-version'] ?? '1.0').split(',').map((v) => v.trim());
    const version = SUPPORTED_VERSIONS.filter((v) => accepted.includes(v)).pop();
    if (!version) throw new StompError('Version mismatch', `Supported versions are ${SUPPORTED_VERSIONS.join(',')}\n`);
    this.version = version;
    const login = h.login ?? '';
    const vhost = h.host ?? '/';
    if (!this.broker.authenticate(login, h.passcode ?? '')) {
      throw new StompError('Bad CONNECT', `Access refused for user '${login}'\n`);
    }
    if (!this.broker.canAccessVhost(login, vhost)) {
      throw new StompError('Bad CONNECT', `Virtual host '${vhost}' access denied`);
    }
    const [cx, cy] = this.parseHeartBeat(h['heart-beat']);
    this.user = login;
    this.vhost = vhost;
    // like RabbitMQ: send every cy ms (what the client wants to receive), expect something every cx ms
    this.sendRaw(
      encodeFrame('CONNECTED', { server: SERVER, session: this.id, 'heart-beat': `${cy},${cx}`, version }),
    );
    if (cy > 0) this.sendTimer = setInterval(() => this.sendRaw('\n'), cy);
    if (cx > 0) {
      this.checkTimer = setInterval(() => {
        if (Date.now() - this.lastReceived > cx * HEARTBEAT_TOLERANCE) {
          this.debug(`${this.id}: no heart-beat from client for ${cx * HEARTBEAT_TOLERANCE} ms, closing`);
          this.ws.terminate();
          this.teardown();
        }
      }, cx);
    }
    this.debug(`${this.id}: connected user=${login} vhost=${vhost} version=${version}`);
  }

  private parseHeartBeat(value: string | undefined): [number, number] {
    if (value === undefined) return [0, 0];
    const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(value);
    if (!m) throw new StompError('Bad CONNECT', `invalid heart-beat header "${value}"\n`);
    // RabbitMQ keeps heart-beats in whole seconds, at least one: 0,300 -> 1000,0 and 1500,2500 -> 2000,1000
    return [Number(m[1]), Number(m[2])].map((ms) => (ms > 0 ? Math.max(1, Math.floor(ms / 1000)) * 1000 : 0)) as [number, number];
  }

  private onSend(frame: Frame): void {
    const destination = frame.headers.destination;
    if (!destination) throw new StompError('Missing destination', '"SEND" must include a \'destination\' header\n');
    const target = parseDestination(destination);
    const user = this.user!;
    const vhost = this.vhost!;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(frame.headers)) if (!RESERVED_SEND_HEADERS.has(k)) headers[k] = v;
    if (target.kind === 'queue') {
      if (target.declare) this.declareStompQueue(target.queue);
      this.broker.check(user, vhost, 'write', 'exchange', '');
      this.broker.publish(vhost, '', target.queue, headers, frame.body);
    } else {
      this.broker.check(user, vhost, 'write', 'exchange', target.exchange);
      this.broker.publish(vhost, target.exchange, target.routingKey, headers, frame.body);
    }
  }

  private declareStompQueue(name: string): Queue {
    this.broker.check(this.user!, this.vhost!, 'configure', 'queue', name);
    return this.broker.declareQueue(this.vhost!, name, { durable: true, auto_delete: false, arguments: {} }).queue;
  }

  private onSubscribe(frame: Frame): void {
    const h = frame.headers;
    const destination = h.destination;
    if (!destination) throw new StompError('Missing destination', '"SUBSCRIBE" must include a \'destination\' header\n');
    const id = h.id ?? destination;
    if (this.subscriptions.has(id)) throw new StompError('Duplicated subscription identifier', `A subscription identified by '${id}' already exists.\n`);
    const ackMode = (h.ack ?? 'auto') as AckMode;
    if (!['auto', 'client', 'client-individual'].includes(ackMode)) {
      throw new StompError('Invalid header', `unknown ack mode "${h.ack}"\n`);
    }
    const prefetch = h['prefetch-count'] === undefined ? 0 : Number(h['prefetch-count']);
    if (!Number.isInteger(prefetch) || prefetch < 0) throw new StompError('Invalid header', 'invalid prefetch-count\n');
    const target = parseDestination(destination);
    const user = this.user!;
    const vhost = this.vhost!;
    let queue: Queue;
    let temporary = false;
    if (target.kind === 'queue') {
      queue = target.declare ? this.declareStompQueue(target.queue) : this.broker.requireQueue(vhost, target.queue);
    } else {
      this.broker.exchange(vhost, target.exchange); // NOT_FOUND before anything is created
      const name = Broker.generatedQueueName();
      this.broker.check(user, vhost, 'configure', 'queue', name);
      this.broker.check(user, vhost, 'read', 'exchange', target.exchange);
      queue = this.broker.declareQueue(vhost, name, { durable: false, auto_delete: true, exclusive: true, arguments: {} }).queue;
      this.broker.bind(vhost, target.exchange, queue, target.routingKey);
      temporary = true;
    }
    this.broker.check(user, vhost, 'read', 'queue', queue.name);
    const sub: Subscription = {
      id, destination, temporary, queue, ackMode, prefetch, unacked: [],
      ready: () => !this.closed && this.ws.readyState === this.ws.OPEN,
      deliver: (message) => this.deliver(sub, message),
    };
    this.subscriptions.set(id, sub);
    queue.consumers.push(sub);
    // deliver what is already queued only after this frame's RECEIPT, like a broker that answers first
    setImmediate(() => !this.closed && queue.dispatch());
  }

  private deliver(sub: Subscription, message: Message): void {
    const messageId = `T_${sub.id}@@${this.id}@@${++this.messageCounter}`;
    message.deliveryTag = messageId;
    const headers: Record<string, string> = {
      subscription: sub.id,
      destination: formatDestination(message.exchange, message.routingKey),
      'message-id': messageId,
      redelivered: String(message.redelivered),
    };
    if (sub.ackMode !== 'auto') headers.ack = messageId;
    this.sendRaw(encodeFrame('MESSAGE', { ...headers, ...message.headers, ...headers }, message.body));
  }

  private onAck(frame: Frame): void {
    const id = frame.headers[this.version === '1.2' ? 'id' : 'message-id'];
    const found = id === undefined ? undefined : this.findUnacked(id);
    if (!found) throw new StompError('Invalid header', `"${frame.command}" must include a valid "id" header\n`);
    const { sub, index } = found;
    const taken = sub.ackMode === 'client' ? sub.unacked.splice(0, index + 1) : sub.unacked.splice(index, 1);
    if (frame.command === 'ACK') sub.queue.stats.ack += taken.length;
    if (frame.command === 'NACK' && frame.headers.requeue !== 'false') sub.queue.requeue(taken);
    else sub.queue.dispatch();
  }

  private findUnacked(id: string): { sub: Subscription; index: number } | undefined {
    for (const sub of this.subscriptions.values()) {
      const index = sub.unacked.findIndex((m) => m.deliveryTag === id);
      if (index >= 0) return { sub, index };
    }
    return undefined;
  }

  private endSubscription(sub: Subscription): void {
    this.subscriptions.delete(sub.id);
    const queue = sub.queue;
    const at = queue.consumers.indexOf(sub);
    if (at >= 0) queue.consumers.splice(at, 1);
    const unacked = sub.unacked.splice(0);
    if (sub.temporary) this.broker.deleteQueue(queue.vhost, queue.name);
    else if (unacked.length) queue.requeue(unacked);
  }

  private receipt(frame: Frame): void {
    const id = frame.headers.receipt;
    if (id !== undefined && !this.closed) this.sendRaw(encodeFrame('RECEIPT', { 'receipt-id': id }));
  }

  private sendError(error: StompError): void {
    if (this.closed) return;
    this.debug(`${this.id}: ERROR ${error.summary}`);
    this.sendRaw(
      encodeFrame('ERROR', { message: error.summary, 'content-type': 'text/plain', version: SUPPORTED_VERSIONS.join(',') }, error.detail),
    );
    this.ws.close();
    this.teardown();
  }

  private sendRaw(data: Buffer | string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(data);
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sendTimer);
    clearInterval(this.checkTimer);
    for (const sub of [...this.subscriptions.values()]) this.endSubscription(sub);
  }

  get open(): boolean {
    return !this.closed;
  }

  /** Subscriptions whose queue was deleted underneath them are dropped silently. */
  forgetQueue(queue: Queue): void {
    for (const sub of [...this.subscriptions.values()]) if (sub.queue === queue) this.subscriptions.delete(sub.id);
  }
}
