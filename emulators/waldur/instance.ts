// One Waldur instance: HTTP server with the REST API under /api/, the operator endpoint under
// /__admin/, and /rmqws-stomp proxied to the broker's web-STOMP endpoint (as nginx does upstream).
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { connect, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { buildAdmin, AdminCtx } from './admin';
import { buildApi, Ctx } from './api';
import { passwordLogin } from './accounts';
import { Events } from './events';
import { ApiError, Handler, Reply, Req, parseJsonBody, readBody, send } from './http';
import { Marketplace } from './marketplace';
import { RabbitManagement } from './rabbitmq';
import { Store } from './store';

/** One API request as the server's access log records it (the operator's view: who called what). */
export interface LoggedRequest { method: string; path: string; query: string; user: string | null; status: number; at: string }
const REQUEST_LOG_SIZE = 5000;

export interface InstanceOptions {
  name: string;
  /** RabbitMQ management API used to declare subscriber vhosts/queues and publish events. */
  broker: RabbitManagement | null;
  /** web-STOMP endpoint /rmqws-stomp proxies to; null = not configured on this instance. */
  stompWsUrl: string | null;
  seed: (store: Store) => void;
}

export interface Instance { url: string; token: string; adminUrl: string; store: Store; stop(): Promise<void> }

const api = buildApi();
const admin = buildAdmin();
const SPA_PAGE = '<!doctype html><html><head><title>Waldur</title></head><body><div id="root"></div></body></html>';

const debug = (msg: string): void => {
  if (process.env.E2E_DEBUG) process.stderr.write(`[waldur-emulator] ${msg}\n`);
};

export async function startInstance(opts: InstanceOptions): Promise<Instance> {
  const server = createServer();
  const sockets = new Set<Duplex>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const store = new Store(base);
  const events = new Events(store, opts.broker);
  const market = new Marketplace(store, events);
  opts.seed(store);
  const staff = [...store.users.values()].find((u) => u.is_staff);
  if (!staff) throw new Error('seed must create a staff user');

  const requests: LoggedRequest[] = [];
  /** Extra server blocks an operator added (`POST __admin/listeners`): same Waldur, with or without /rmqws-stomp. */
  const listeners = new Map<string, { url: string; close(): Promise<void> }>();
  let nextHost = 0;
  const dispatch = async (req: IncomingMessage, res: ServerResponse, stompWsUrl: string | null = opts.stompWsUrl): Promise<void> => {
    const url = new URL(req.url ?? '/', base);
    const path = url.pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    let request: Req | null = null;
    let username: string | null = null;
    const isApi = path.startsWith('/api/');
    res.on('finish', () => {
      if (!isApi) return;
      requests.push({ method, path, query: [...url.searchParams].map(([k, v]) => `${k}=${v}`).join('&'), user: username, status: res.statusCode, at: new Date().toISOString() });
      if (requests.length > REQUEST_LOG_SIZE) requests.splice(0, requests.length - REQUEST_LOG_SIZE);
    });
    try {
      if (path === '/rmqws-stomp' || path === '/rmqws-stomp/') {
        // nginx answers a plain GET on a WebSocket location with 426; without it the SPA page is served.
        send(res, null, stompWsUrl ? { status: 426, contentType: 'text/plain', body: 'Upgrade Required', headers: { Upgrade: 'websocket' } } : { status: 200, contentType: 'text/html', body: SPA_PAGE });
        return;
      }
      if (path === '/api-auth/password/') {
        if (method !== 'POST') throw new ApiError(405, { detail: `Method "${method}" not allowed.` });
        send(res, null, passwordLogin(store, parseJsonBody(await readBody(req), req.headers['content-type'])));
        return;
      }
      const isAdmin = path === '/__admin' || path.startsWith('/__admin/');
      if (!isAdmin && !path.startsWith('/api/')) {
        send(res, null, { status: 200, contentType: 'text/html', body: SPA_PAGE });
        return;
      }
      const adminPath = path === '/__admin' ? '/__admin/' : path;
      const found = isAdmin ? admin.match(method, adminPath) : api.match(method, path);
      if (!found) throw new ApiError(404, { detail: 'Not found.' });
      if (found === 'method') throw new ApiError(405, { detail: `Method "${method}" not allowed.` });
      const user = isAdmin ? null : authenticate(store, req.headers.authorization);
      username = user?.username ?? null;
      const raw = method === 'GET' || method === 'HEAD' ? '' : await readBody(req);
      request = { method, path, query: url.searchParams, body: parseJsonBody(raw, req.headers['content-type']), params: found.params, headers: req.headers };
      const reply: Reply = user
        ? await (found.handler as Handler<Ctx>)(request, { store, market, events, user })
        : await (found.handler as Handler<AdminCtx>)(request, { store, market, events, stomp: !!stompWsUrl, requests, listeners: { add: addListener, remove: removeListener, list: () => [...listeners].map(([uuid, l]) => ({ uuid, url: l.url })) } });
      send(res, request, reply);
    } catch (e) {
      if (e instanceof ApiError) {
        send(res, request, { status: e.status, body: e.body, contentType: e.contentType });
      } else {
        debug(`${opts.name} ${method} ${path}: ${(e as Error).stack}`);
        send(res, request, { status: 500, contentType: 'text/html', body: '<h1>Server Error (500)</h1>' });
      }
    }
  };
  const wire = (srv: Server, stompWsUrl: string | null, open: Set<Duplex>): void => {
    srv.on('request', (req, res) => void dispatch(req, res, stompWsUrl));
    srv.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => proxyUpgrade(req, socket, head, stompWsUrl, open));
    // A request the HTTP parser refuses (e.g. the request line "BLAH") gets nginx's 400 page, then the close.
    srv.on('clientError', (e: NodeJS.ErrnoException, socket: Duplex) => {
      if (!socket.writable || e.code === 'ECONNRESET') return void socket.destroy();
      const [status, text] = e.code === 'HPE_HEADER_OVERFLOW' ? ['431', 'Request Header Fields Too Large'] : ['400', 'Bad Request'];
      const page = `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(page)}\r\nConnection: close\r\n\r\n${page}`);
    });
  };
  wire(server, opts.stompWsUrl, sockets);

  // A second nginx server block in front of the same Waldur, with (stomp) or without the /rmqws-stomp location.
  // With `port`, the block listens on that port of its own loopback address (127.0.0.2, .3, ...): a Waldur
  // on another host that an agent copying the source's stomp_ws_port reaches on the same port number.
  async function addListener(stomp: boolean, port?: number): Promise<{ uuid: string; url: string }> {
    const srv = createServer();
    const open = new Set<Duplex>();
    srv.on('connection', (s) => {
      open.add(s);
      s.on('close', () => open.delete(s));
    });
    wire(srv, stomp ? opts.stompWsUrl : null, open);
    let host = '127.0.0.1';
    for (let attempt = 0; ; attempt += 1) {
      host = port === undefined ? '127.0.0.1' : `127.0.${Math.floor(nextHost / 250)}.${(nextHost % 250) + 2}`;
      if (port !== undefined) nextHost = (nextHost + 1) % 60_000;
      try {
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen(port ?? 0, host, () => {
            srv.off('error', reject);
            resolve();
          });
        });
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt > 50) throw e;
      }
    }
    const uuid = randomUUID().replace(/-/g, '');
    const url = `http://${host}:${(srv.address() as AddressInfo).port}/`;
    listeners.set(uuid, {
      url,
      close: () => new Promise<void>((resolve) => {
        srv.close(() => resolve());
        for (const s of open) s.destroy();
        srv.closeAllConnections();
      }),
    });
    return { uuid, url };
  }
  async function removeListener(uuid: string): Promise<void> {
    const l = listeners.get(uuid);
    listeners.delete(uuid);
    await l?.close();
  }

  return {
    url: base,
    token: staff.token,
    adminUrl: `${base}__admin/`,
    store,
    async stop() {
      await events.idle();
      await Promise.all([...listeners.keys()].map(removeListener));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      });
    },
  };
}

function authenticate(store: Store, header: string | undefined) {
  if (!header) throw new ApiError(401, { detail: 'Authentication credentials were not provided.' });
  const [scheme, token, extra] = header.trim().split(/\s+/);
  if (scheme.toLowerCase() !== 'token' || !token || extra !== undefined) throw new ApiError(401, { detail: 'Invalid token header. No credentials provided.' });
  const user = [...store.users.values()].find((u) => u.token === token);
  if (!user) throw new ApiError(401, { detail: 'Invalid token.' });
  if (!user.is_active) throw new ApiError(401, { detail: 'User inactive or deleted.' });
  return user;
}

/** Raw TCP pipe of the WebSocket upgrade to the broker, the request path rewritten to the broker's. */
function proxyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: string | null, sockets: Set<Duplex>): void {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (!target || (path !== '/rmqws-stomp' && path !== '/rmqws-stomp/')) {
    const html = !target && path.startsWith('/rmqws-stomp');
    const bodyText = html ? SPA_PAGE : '';
    socket.end(`HTTP/1.1 ${html ? '200 OK' : '404 Not Found'}\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(bodyText)}\r\nConnection: close\r\n\r\n${bodyText}`);
    return;
  }
  const to = new URL(target);
  const upstream: Socket = connect(Number(to.port) || 80, to.hostname, () => {
    const lines = [`GET ${to.pathname}${to.search} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i];
      lines.push(name.toLowerCase() === 'host' ? `Host: ${to.host}` : `${name}: ${req.rawHeaders[i + 1]}`);
    }
    upstream.write(lines.join('\r\n') + '\r\n\r\n');
    if (head.length) upstream.write(head);
    socket.pipe(upstream);
    upstream.pipe(socket);
  });
  sockets.add(upstream);
  upstream.on('close', () => {
    sockets.delete(upstream);
    socket.destroy();
  });
  upstream.on('error', () => socket.destroy());
  socket.on('error', () => upstream.destroy());
  socket.on('close', () => upstream.destroy());
}
