// The notifier service: a WebSocket at /ws (own port, like upstream's attune-notifier) with
// JWT auth at upgrade (Bearer header or the `attune.jwt.<token>` subprotocol), welcome,
// subscribe/unsubscribe/ping and notification messages shaped as REPORT.md section 2.
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { Caller, Tokens } from './auth';
import { AuthError } from './http';

export interface Notification {
  channel: string; // the PostgreSQL channel name upstream uses, e.g. execution_status_changed
  entityType: string;
  entityId: number;
  payload: Record<string, unknown>;
  tenant: string | null; // who may see it (null: everyone)
}

interface Client {
  socket: WebSocket;
  caller: Caller;
  filters: Set<string>;
}

const FILTER = /^(all|entity_type:[a-z_]+|entity:[a-z_]+:\d+|notification_type:[a-z_]+|user:\d+)$/;

export class Notifier {
  private readonly server = http.createServer((req, res) => this.handleHttp(req, res));
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => (p.has('attune.v1') ? 'attune.v1' : false) });
  private readonly clients = new Set<Client>();
  // Upstream re-checks token expiry every 30 s and closes expired sessions with 4401.
  private readonly expiry = setInterval(() => {
    for (const c of this.clients) if (c.caller.expiresAt <= Date.now()) c.socket.close(4401, 'token expired');
  }, 30_000);

  constructor(private readonly tokens: Tokens) {
    this.server.on('upgrade', (req, socket, head) => {
      this.authenticate(req).then(
        (caller) =>
          this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, caller)),
        (err) => {
          const body = JSON.stringify({ error: err instanceof AuthError ? err.message : 'invalid_or_expired_token' });
          socket.end(`HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
        },
      );
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/ws`;
  }

  publish(n: Notification): void {
    const message = JSON.stringify({
      type: 'notification',
      notification_type: n.channel,
      entity_type: n.entityType,
      entity_id: n.entityId,
      user_id: null,
      payload: n.payload,
      timestamp: new Date().toISOString(),
    });
    for (const c of this.clients) {
      if (n.tenant !== null && !c.caller.isAdmin && c.caller.tenant !== n.tenant) continue;
      const wanted = ['all', `entity_type:${n.entityType}`, `entity:${n.entityType}:${n.entityId}`, `notification_type:${n.channel}`];
      if (wanted.some((f) => c.filters.has(f)) && c.socket.readyState === WebSocket.OPEN) c.socket.send(message);
    }
  }

  stats() {
    let subs = 0;
    for (const c of this.clients) subs += c.filters.size;
    return { connected_clients: this.clients.size, total_subscriptions: subs };
  }

  async close(): Promise<void> {
    clearInterval(this.expiry);
    for (const c of this.clients) c.socket.terminate();
    this.clients.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handleHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/health') send(200, { status: 'ok' });
    else if (req.url === '/stats') send(200, this.stats());
    else send(404, { error: 'Not found', code: 'NOT_FOUND' });
  }

  private async authenticate(req: http.IncomingMessage): Promise<Caller> {
    if (!req.url?.startsWith('/ws')) throw new AuthError('not_found');
    const header = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const proto = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .find((s) => s.startsWith('attune.jwt.'))
      ?.slice('attune.jwt.'.length);
    const token = header ?? proto;
    if (!token) throw new AuthError('missing_token');
    try {
      return await this.tokens.verify(token, ['access', 'execution']);
    } catch {
      throw new AuthError('invalid_or_expired_token');
    }
  }

  private accept(socket: WebSocket, caller: Caller): void {
    const client: Client = { socket, caller, filters: new Set() };
    this.clients.add(client);
    socket.on('close', () => this.clients.delete(client));
    socket.on('error', () => this.clients.delete(client));
    socket.send(JSON.stringify({ type: 'welcome', client_id: randomUUID(), message: 'Connected to Attune Notifier' }));
    socket.on('message', (data) => {
      let msg: any;
      try {
        msg = JSON.parse(String(data));
      } catch (e: any) {
        return socket.send(JSON.stringify({ type: 'error', message: `Malformed message: ${e.message}` }));
      }
      if (msg?.type === 'ping') return socket.send(JSON.stringify({ type: 'pong' }));
      if (msg?.type !== 'subscribe' && msg?.type !== 'unsubscribe') {
        return socket.send(JSON.stringify({ type: 'error', message: `Malformed message: unknown type` }));
      }
      const filter = String(msg.filter ?? '');
      if (!FILTER.test(filter)) return socket.send(JSON.stringify({ type: 'error', message: `Invalid filter '${filter}': unsupported` }));
      if (filter.startsWith('user:') && Number(filter.slice(5)) !== caller.id && !caller.isAdmin) {
        return socket.send(JSON.stringify({ type: 'error', message: 'Unauthorized to subscribe to user filter for another identity' }));
      }
      if (msg.type === 'subscribe') client.filters.add(filter);
      else client.filters.delete(filter);
    });
  }
}
