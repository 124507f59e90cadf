// The part of the RabbitMQ management HTTP API that Waldur (mastermind's RabbitMQManagementBackend)
// uses: vhost per subscriber user, broker user per event subscription, queue declaration, publishing.
// Works against the embedded broker and a real RabbitMQ alike.
export interface BrokerAdmin { managementUrl: string; adminUser: string; adminPassword: string }

/** Arguments mastermind declares subscription queues with. */
export const QUEUE_ARGUMENTS = {
  'x-message-ttl': 3_600_000,
  'x-max-length': 10_000,
  'x-overflow': 'reject-publish-dlx',
  'x-dead-letter-exchange': '',
  'x-dead-letter-routing-key': 'waldur.dlq.messages',
};

export class RabbitManagement {
  private readonly base: string;
  private readonly auth: string;

  constructor(private readonly cfg: BrokerAdmin) {
    this.base = cfg.managementUrl.replace(/\/+$/, '');
    this.auth = 'Basic ' + Buffer.from(`${cfg.adminUser}:${cfg.adminPassword}`).toString('base64');
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.base}/api/${path}`, {
      method,
      headers: { Authorization: this.auth, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok && !(method === 'DELETE' && res.status === 404)) throw new Error(`RabbitMQ management ${method} /api/${path} answered ${res.status}`);
    return text ? JSON.parse(text) : undefined;
  }

  /** vhost named after the Waldur user, broker user = subscription UUID hex with the user's API token as password. */
  async addSubscriber(vhost: string, login: string, password: string): Promise<void> {
    const v = encodeURIComponent(vhost);
    const all = { configure: '.*', write: '.*', read: '.*' };
    await this.call('PUT', `vhosts/${v}`, {});
    await this.call('PUT', `users/${encodeURIComponent(login)}`, { password, tags: [] });
    await this.call('PUT', `permissions/${v}/${encodeURIComponent(login)}`, all);
    // Waldur publishes as its own broker user, which needs access to every subscriber vhost.
    await this.call('PUT', `permissions/${v}/${encodeURIComponent(this.cfg.adminUser)}`, all);
  }

  async removeSubscriber(login: string): Promise<void> {
    await this.call('DELETE', `users/${encodeURIComponent(login)}`);
  }

  async declareQueue(vhost: string, queue: string): Promise<void> {
    await this.call('PUT', `queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}`, { durable: true, auto_delete: false, arguments: QUEUE_ARGUMENTS });
  }

  async deleteQueue(vhost: string, queue: string): Promise<void> {
    await this.call('DELETE', `queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}`);
  }

  async publish(vhost: string, queue: string, body: unknown): Promise<void> {
    await this.call('POST', `exchanges/${encodeURIComponent(vhost)}/amq.default/publish`, {
      properties: { content_type: 'application/json', delivery_mode: 2 },
      routing_key: queue,
      payload: JSON.stringify(body),
      payload_encoding: 'string',
    });
  }
}
