// event_process: identity registration, one event subscription + queue + STOMP connection per object
// type (REPORT §4.3), on Waldur A (source) and, with target_stomp_enabled, on Waldur B (target ORDER).
// STOMP 1.2 over WebSocket with @stomp/stompjs: login = subscription UUID hex, passcode = API token,
// vhost = the token owner's UUID hex, SUBSCRIBE /amq/queue/<queue>.
import { Client, ReconnectionTimeMode } from '@stomp/stompjs';
import WebSocket from 'ws';
import { Json, WaldurApi, hex } from './api';
import type { OfferingConfig } from './config';
import type { OrderProcessor } from './processor';

export type Side = 'source' | 'target';

export interface Connection {
  offering_name: string;
  side: Side;
  object_type: string;
  subscription_uuid: string;
  queue: string;
  ws_url: string;
  is_connected: boolean;
  messages: number;
  last_error: string | null;
}

const AGENT_VERSION = '0.0.0-reference';
const debug = (msg: string): void => {
  if (process.env.E2E_DEBUG) process.stderr.write(`[site-agent] ${msg}\n`);
};

/** STOMP WebSocket URL of an offering (stomp_ws_host/port/path, defaults from the API URL). */
export function stompUrl(o: Pick<OfferingConfig, 'waldur_api_url' | 'stomp_ws_host' | 'stomp_ws_port' | 'stomp_ws_path' | 'websocket_use_tls' | 'verify_ssl'>): string {
  const api = new URL(o.waldur_api_url);
  const host = o.stomp_ws_host || api.hostname;
  const port = o.stomp_ws_port || (o.verify_ssl ? 443 : 80);
  const path = o.stomp_ws_path || '/rmqws-stomp';
  return `${o.websocket_use_tls ? 'wss' : 'ws'}://${host}:${port}${path.startsWith('/') ? path : `/${path}`}`;
}

interface StompSide { name: string; api: WaldurApi; token: string; identityOffering: string; queueOffering: string; wsUrl: string; side: Side }

export class EventConsumers {
  private readonly clients: { client: Client; info: Connection }[] = [];

  constructor(private readonly processor: OrderProcessor) {}

  connections(): Connection[] {
    return this.clients.map(({ client, info }) => ({ ...info, is_connected: client.connected }));
  }

  /** setup_stomp_offering_subscriptions for one offering (source, and target when enabled). */
  async start(): Promise<void> {
    const o = this.processor.offering;
    const source: StompSide = { name: o.name, api: this.processor.a, token: o.waldur_api_token, identityOffering: o.waldur_offering_uuid, queueOffering: o.waldur_offering_uuid, wsUrl: stompUrl(o), side: 'source' };
    const types: string[] = [];
    if (o.order_processing_backend) types.push('order');
    if (o.membership_sync_backend) types.push('user_role', 'resource', 'service_account', 'course_account');
    await this.subscribe(source, types, (type, body) => (type === 'order' ? this.processor.onSourceOrderEvent(body) : Promise.resolve([])));
    const bs = o.backend_settings;
    if (!bs.target_stomp_enabled) return;
    // The synthetic "Target: <name>" offering copies the source's STOMP WebSocket settings (upstream backend.py).
    const target: StompSide = {
      name: `Target: ${o.name}`, api: this.processor.backend.b, token: bs.target_api_token,
      identityOffering: bs.target_stomp_offering_uuid, queueOffering: bs.target_offering_uuid,
      wsUrl: stompUrl({ ...o, waldur_api_url: bs.target_api_url }), side: 'target',
    };
    try {
      await this.subscribe(target, ['order'], (_type, body) => this.processor.onTargetOrderEvent(body));
    } catch (e) {
      debug(`target STOMP unavailable, polling remains: ${(e as Error).message}`); // known issue 3
    }
  }

  private async identity(s: StompSide): Promise<Json> {
    const name = `agent-${s.identityOffering}`;
    const body = { offering: s.identityOffering, name, version: AGENT_VERSION, last_restarted: new Date().toISOString(), dependencies: [], config_file_path: '', config_file_content: '' };
    const found = await s.api.get('/api/marketplace-site-agent-identities/', { name });
    if (Array.isArray(found) && found.length) return s.api.put(`/api/marketplace-site-agent-identities/${hex(found[0].uuid)}/`, body);
    return s.api.post('/api/marketplace-site-agent-identities/', body);
  }

  private async subscribe(s: StompSide, types: string[], handle: (type: string, body: Json) => Promise<unknown>): Promise<void> {
    if (!types.length) return;
    const identity = await this.identity(s);
    for (const type of types) {
      const sub = await s.api.post(`/api/marketplace-site-agent-identities/${hex(identity.uuid)}/register_event_subscription/`, {
        observable_object_type: type,
        description: 'Event subscription created by the site agent for identity {identity.name}',
      });
      const queue = await s.api.post(`/api/event-subscriptions/${hex(sub.uuid)}/create_queue/`, { offering_uuid: s.queueOffering, object_type: type });
      const queueName = queue?.queue_name || `subscription_${hex(sub.uuid)}_offering_${hex(s.queueOffering)}_${type}`;
      this.connect(s, type, sub, queueName, handle);
    }
  }

  private connect(s: StompSide, type: string, sub: Json, queue: string, handle: (type: string, body: Json) => Promise<unknown>): void {
    const info: Connection = { offering_name: s.name, side: s.side, object_type: type, subscription_uuid: hex(sub.uuid), queue, ws_url: s.wsUrl, is_connected: false, messages: 0, last_error: null };
    const client = new Client({
      webSocketFactory: () => new WebSocket(s.wsUrl, ['v12.stomp']),
      connectHeaders: { login: hex(sub.uuid), passcode: s.token, host: hex(sub.user_uuid), 'accept-version': '1.2' },
      heartbeatIncoming: 10_000,
      heartbeatOutgoing: 10_000,
      // Known issue 4: connections drop; reconnect with back-off 1 s x2 up to 120 s (REPORT §4.1, without
      // the jitter), re-subscribing in onConnect. The queue is durable, so events wait for the consumer.
      reconnectDelay: 1000,
      reconnectTimeMode: ReconnectionTimeMode.EXPONENTIAL,
      maxReconnectDelay: 120_000,
      onConnect: () => {
        info.last_error = null;
        client.subscribe(`/amq/queue/${queue}`, (msg) => {
          info.messages += 1;
          let body: Json;
          try {
            body = JSON.parse(msg.body);
          } catch {
            return;
          }
          handle(type, body).catch((e) => debug(`${s.side} ${type} handler failed: ${(e as Error).message}`));
        }, { id: queue, ack: 'auto' });
      },
      onStompError: (frame) => {
        info.last_error = frame.headers.message ?? 'STOMP ERROR frame';
      },
      onWebSocketError: () => {
        info.last_error = `WebSocket error at ${s.wsUrl}`;
      },
    });
    client.activate();
    this.clients.push({ client, info });
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.clients.map(({ client }) => client.deactivate()));
    this.clients.length = 0;
  }
}
