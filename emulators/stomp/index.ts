// Embedded STOMP 1.2 over WebSocket broker with RabbitMQ web-stomp destination semantics and a subset of
// the RabbitMQ management HTTP API. One HTTP server on 127.0.0.1:<free port> serves both:
//   wsUrl         ws://127.0.0.1:PORT/ws   (a plain GET there answers 426, as RabbitMQ's web-stomp does)
//   managementUrl http://127.0.0.1:PORT    (/api/... with basic auth)

import { createServer, IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { Broker } from './broker';
import { managementHandler } from './management';
import { StompSession } from './session';

export interface StompBrokerHandle {
  wsUrl: string;
  managementUrl: string;
  adminUser: string;
  adminPassword: string;
  stop(): Promise<void>;
}

const WS_PATH = '/ws';
const STOMP_PROTOCOLS = ['v12.stomp', 'v11.stomp', 'v10.stomp', 'stomp'];

export async function startStompBroker(opts: { adminUser?: string; adminPassword?: string } = {}): Promise<StompBrokerHandle> {
  const adminUser = opts.adminUser ?? 'admin';
  const adminPassword = opts.adminPassword ?? randomBytes(12).toString('hex');
  const debug = process.env.E2E_DEBUG ? (msg: string) => process.stderr.write(`[stomp] ${msg}\n`) : () => {};
  const broker = new Broker({ user: adminUser, password: adminPassword });
  const sessions = new Set<StompSession>();

  const connectionName = (s: StompSession) => `${s.peer.host}:${s.peer.port} -> ${s.id}`;
  const management = managementHandler(broker, {
    connections: () =>
      [...sessions].filter((s) => s.open && s.user).map((s) => ({
        name: connectionName(s),
        user: s.user!,
        vhost: s.vhost!,
        protocol: `Web STOMP ${s.version}`,
        peer_host: s.peer.host,
        peer_port: s.peer.port,
        connected_at: s.connectedAt,
        state: 'running',
      })),
    closeConnection: (name, reason) => {
      const session = [...sessions].find((s) => s.open && s.user && connectionName(s) === name);
      debug(`closing ${name}: ${reason}`);
      session?.close();
      return !!session;
    },
    onDeleted: ({ vhost, user, queue }) => {
      for (const s of sessions) {
        if (queue) s.forgetQueue(queue);
        else if ((vhost !== undefined && s.vhost === vhost) || (user !== undefined && s.user === user)) {
          s.close({ summary: 'Connection closed', detail: `${vhost !== undefined ? `vhost '${vhost}'` : `user '${user}'`} was deleted\n` });
        }
      }
    },
  });

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === WS_PATH) {
      res.writeHead(426, { connection: 'upgrade', upgrade: 'websocket', 'content-length': 0 });
      res.end();
      return;
    }
    void management(req, res);
  });
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => STOMP_PROTOCOLS.find((p) => offered.has(p)) ?? false,
  });

  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new StompSession(ws, broker, { host: req.socket.remoteAddress ?? '', port: req.socket.remotePort ?? 0 }, debug);
      sessions.add(session);
      ws.on('close', () => sessions.delete(session));
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  debug(`listening on 127.0.0.1:${port}`);

  let stopped: Promise<void> | undefined;
  return {
    wsUrl: `ws://127.0.0.1:${port}${WS_PATH}`,
    managementUrl: `http://127.0.0.1:${port}`,
    adminUser,
    adminPassword,
    stop: () =>
      (stopped ??= (async () => {
        for (const s of sessions) s.close();
        for (const ws of wss.clients) ws.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
}

if (require.main === module) {
  void startStompBroker({ adminUser: process.env.STOMP_ADMIN_USER, adminPassword: process.env.STOMP_ADMIN_PASSWORD }).then((b) => {
    process.stdout.write(`STOMP broker: ${b.wsUrl}\nmanagement: ${b.managementUrl} (admin user ${b.adminUser})\n`);
    const stop = () => void b.stop().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
