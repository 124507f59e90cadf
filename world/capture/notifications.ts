/**
 * NotificationCapture: a client of Attune's notifier WebSocket (REPORT §2). It authenticates at the
 * upgrade with the JWT (Bearer header plus subprotocol `attune.v1`), waits for the `welcome`, sends
 * `subscribe` frames, and buffers every message it receives so steps can wait on them and a failing
 * scenario can show them.
 */
import WebSocket from 'ws';
import { CaptureBuffer } from './buffer';

export interface Notification {
  type: string;
  notification_type?: string;
  entity_type?: string;
  entity_id?: number;
  payload?: Record<string, any>;
  timestamp?: string;
  message?: string;
  /** When the suite received it (ms since epoch). */
  receivedAt: number;
}

export class NotificationCapture {
  readonly buffer = new CaptureBuffer<Notification>();
  private socket: WebSocket | null = null;
  private connecting: Promise<WebSocket> | null = null;
  private readonly filters = new Set<string>();

  constructor(private readonly url: string, private readonly token: () => Promise<string>) {}

  /** Connect (once) and subscribe to `filter`, e.g. `entity_type:execution`. */
  async subscribe(filter: string): Promise<void> {
    const ws = await this.connect();
    if (this.filters.has(filter)) return;
    this.filters.add(filter);
    ws.send(JSON.stringify({ type: 'subscribe', filter }));
  }

  private connect(): Promise<WebSocket> {
    this.connecting ??= this.token().then(
      (token) =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(this.url, ['attune.v1'], { headers: { Authorization: `Bearer ${token}` } });
          this.socket = ws;
          const timer = setTimeout(() => reject(new Error(`no welcome from the notifier at ${this.url} within 5000 ms`)), 5000);
          ws.on('unexpected-response', (_req, res) => {
            clearTimeout(timer);
            reject(new Error(`the notifier at ${this.url} refused the connection: HTTP ${res.statusCode}`));
          });
          ws.on('error', (e) => {
            clearTimeout(timer);
            reject(new Error(`cannot reach the notifier at ${this.url}: ${e.message}`));
          });
          ws.on('message', (raw) => {
            let message: Notification;
            try {
              message = { ...JSON.parse(raw.toString()), receivedAt: Date.now() };
            } catch {
              message = { type: 'unparsable', message: raw.toString(), receivedAt: Date.now() };
            }
            this.buffer.push(message);
            if (message.type === 'welcome') {
              clearTimeout(timer);
              resolve(ws);
            }
          });
        }),
    );
    return this.connecting;
  }

  waitFor(predicate: (n: Notification) => boolean, opts: { within: number; what?: string }): Promise<Notification> {
    return this.buffer.waitFor(predicate, opts);
  }

  /** Notifications about one entity, in the order they arrived. */
  about(entityType: string, id: number): Notification[] {
    return this.buffer.filter((n) => n.type === 'notification' && n.entity_type === entityType && n.entity_id === id);
  }

  render(): string {
    return this.buffer
      .all()
      .map((n) => {
        const { receivedAt, ...rest } = n;
        return `${new Date(receivedAt).toISOString().slice(11, 23)} ${JSON.stringify(rest)}`;
      })
      .join('\n');
  }

  close(): void {
    this.socket?.terminate();
    this.socket = null;
  }
}
