// A small client for the RabbitMQ management HTTP API (the calls Waldur mastermind makes). It drives a
// real RabbitMQ and the embedded broker alike: same paths, same bodies, vhost names URL-encoded.

import { request } from 'node:http';

export interface QueueInfo {
  name: string;
  vhost: string;
  durable: boolean;
  auto_delete: boolean;
  arguments: Record<string, unknown>;
  /** Counts; a real RabbitMQ fills them in with its stats interval (eventually). */
  messages?: number;
  consumers?: number;
}

export interface ConnectionInfo {
  name: string;
  user: string;
  vhost: string;
}

export class ManagementApiError extends Error {
  constructor(readonly method: string, readonly path: string, readonly status: number, readonly body: string) {
    super(`${method} ${path} -> ${status} ${body.slice(0, 300)}`);
  }
}

/** Waldur's queue arguments (RabbitMQManagementBackend.create_queue). */
export const WALDUR_QUEUE_ARGUMENTS = {
  'x-message-ttl': 3_600_000,
  'x-max-length': 10_000,
  'x-overflow': 'reject-publish-dlx',
  'x-dead-letter-exchange': '',
  'x-dead-letter-routing-key': 'waldur.dlq.messages',
};

const enc = encodeURIComponent;

export class RabbitManagementClient {
  constructor(private readonly baseUrl: string, private readonly user: string, private readonly password: string) {}

  /** One HTTP exchange; the status and parsed body, throwing ManagementApiError unless 2xx (or 404 when allowed). */
  private call(method: string, path: string, body?: unknown, allow404 = false): Promise<{ status: number; json: any }> {
    const url = new URL(this.baseUrl);
    const rawPath = `${url.pathname.replace(/\/$/, '')}/api/${path}`; // keeps %2F encoded, as RabbitMQ expects
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method,
          path: rawPath,
          agent: false,
          timeout: 15_000,
          auth: `${this.user}:${this.password}`,
          headers: { 'content-type': 'application/json', ...(data ? { 'content-length': data.length } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if ((status >= 200 && status < 300) || (allow404 && status === 404)) {
              let json: unknown;
              try {
                json = text ? JSON.parse(text) : undefined;
              } catch {
                json = text;
              }
              resolve({ status, json });
            } else reject(new ManagementApiError(method, `/api/${path}`, status, text));
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} /api/${path}: no answer within 15 s`)));
      req.on('error', reject);
      req.end(data);
    });
  }

  /** true when created, false when it already existed. */
  async putVhost(vhost: string): Promise<boolean> {
    return (await this.call('PUT', `vhosts/${enc(vhost)}`, {})).status === 201;
  }

  async deleteVhost(vhost: string): Promise<boolean> {
    return (await this.call('DELETE', `vhosts/${enc(vhost)}`, undefined, true)).status !== 404;
  }

  async putUser(user: string, password: string, tags: string[] = []): Promise<boolean> {
    return (await this.call('PUT', `users/${enc(user)}`, { password, tags: tags.join(',') })).status === 201;
  }

  async deleteUser(user: string): Promise<boolean> {
    return (await this.call('DELETE', `users/${enc(user)}`, undefined, true)).status !== 404;
  }

  async setPermissions(vhost: string, user: string, p = { configure: '.*', write: '.*', read: '.*' }): Promise<void> {
    await this.call('PUT', `permissions/${enc(vhost)}/${enc(user)}`, p);
  }

  async declareQueue(
    vhost: string,
    name: string,
    opts: { durable?: boolean; auto_delete?: boolean; arguments?: Record<string, unknown> } = {},
  ): Promise<boolean> {
    const body = { durable: opts.durable ?? true, auto_delete: opts.auto_delete ?? false, arguments: opts.arguments ?? {} };
    return (await this.call('PUT', `queues/${enc(vhost)}/${enc(name)}`, body)).status === 201;
  }

  async deleteQueue(vhost: string, name: string): Promise<boolean> {
    return (await this.call('DELETE', `queues/${enc(vhost)}/${enc(name)}`, undefined, true)).status !== 404;
  }

  async getQueue(vhost: string, name: string): Promise<QueueInfo | undefined> {
    const { status, json } = await this.call('GET', `queues/${enc(vhost)}/${enc(name)}`, undefined, true);
    return status === 404 ? undefined : (json as QueueInfo);
  }

  async listQueues(vhost: string): Promise<QueueInfo[]> {
    return (await this.call('GET', `queues/${enc(vhost)}`)).json as QueueInfo[];
  }

  /** Publishes through the default exchange to the queue named routingKey; true when a queue took it. */
  async publish(vhost: string, routingKey: string, payload: string | object, properties: Record<string, unknown> = {}): Promise<boolean> {
    const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const props = typeof payload === 'string' ? properties : { content_type: 'application/json', ...properties };
    const body = { properties: props, routing_key: routingKey, payload: text, payload_encoding: 'string' };
    return ((await this.call('POST', `exchanges/${enc(vhost)}/amq.default/publish`, body)).json as { routed: boolean }).routed;
  }

  async connections(): Promise<ConnectionInfo[]> {
    return (await this.call('GET', 'connections')).json as ConnectionInfo[];
  }

  /** Force-closes a connection by name; false when the broker has no such connection. */
  async closeConnection(name: string): Promise<boolean> {
    return (await this.call('DELETE', `connections/${enc(name)}`, undefined, true)).status !== 404;
  }
}
