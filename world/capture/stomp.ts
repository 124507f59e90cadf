/**
 * StompCapture: a STOMP 1.2 over WebSocket client (@stomp/stompjs on `ws`) that buffers every MESSAGE
 * of every subscription, so a step can wait for a frame by condition instead of by time.
 *
 *   const capture = await StompCapture.connect(wsUrl, { login: subUuidHex, passcode: token, host: vhost });
 *   await capture.subscribe(`/amq/queue/${queue}`);          // resolves on the broker's RECEIPT
 *   const frame = await capture.waitFor((f) => f.json?.order_state === 'pending-provider', { within: 10_000 });
 *   await capture.close();
 */
import { Client, IFrame, IMessage } from '@stomp/stompjs';
import WebSocket from 'ws';
import { CaptureBuffer } from './buffer';

export interface StompCredentials {
  login: string;
  passcode: string;
  /** The `host` header: the RabbitMQ vhost. */
  host: string;
}

export interface CapturedFrame {
  /** The destination this capture subscribed to (e.g. /amq/queue/<q>); the broker's header is in headers.destination. */
  subscribedTo: string;
  headers: Record<string, string>;
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
  receivedAt: Date;
}

export interface StompCaptureOptions {
  /** Give up connecting / subscribing after this many ms (default 10 s). */
  within?: number;
  /** Heart-beat intervals in ms (default 10 000 both ways, as the Waldur site agent). */
  heartbeat?: number;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

export class StompCapture {
  private readonly all = new CaptureBuffer<CapturedFrame>();
  private readonly byDestination = new Map<string, CapturedFrame[]>();
  /** ERROR frames and closes seen, for failure messages. */
  private readonly problems: string[] = [];
  private readonly listeners = new Set<(problem: string) => void>();
  private receipts = 0;
  private closed = false;

  private constructor(private readonly client: Client, readonly url: string) {}

  static connect(url: string, credentials: StompCredentials, opts: StompCaptureOptions = {}): Promise<StompCapture> {
    const heartbeat = opts.heartbeat ?? 10_000;
    const client = new Client({
      webSocketFactory: () => new WebSocket(url, ['v12.stomp', 'v11.stomp', 'v10.stomp']),
      connectHeaders: { login: credentials.login, passcode: credentials.passcode, host: credentials.host },
      heartbeatIncoming: heartbeat,
      heartbeatOutgoing: heartbeat,
      reconnectDelay: 0,
      connectionTimeout: opts.within ?? 10_000,
      debug: () => {},
    });
    const capture = new StompCapture(client, url);
    client.onStompError = (frame: IFrame) => capture.problem(`ERROR ${frame.headers.message ?? ''}: ${frame.body.trim()}`);
    client.onWebSocketClose = (evt: { code?: number; reason?: string }) => {
      if (!capture.closed) capture.problem(`socket closed (code ${evt.code ?? '?'}${evt.reason ? `, ${evt.reason}` : ''})`);
    };
    return new Promise<StompCapture>((resolve, reject) => {
      const refused = (why: string) => {
        capture.listeners.delete(refused);
        void client.deactivate();
        reject(new Error(`STOMP connect to ${url} as ${credentials.login} (vhost ${credentials.host}) failed: ${why}`));
      };
      capture.listeners.add(refused);
      client.onConnect = () => {
        capture.listeners.delete(refused);
        resolve(capture);
      };
      client.activate();
    });
  }

  private problem(description: string): void {
    this.problems.push(description);
    for (const listener of [...this.listeners]) listener(description);
  }

  /**
   * Subscribes and resolves once the broker confirmed the SUBSCRIBE with a RECEIPT, so nothing
   * published afterwards can be missed. Rejects if the broker answers with ERROR or closes instead.
   */
  subscribe(destination: string, headers: Record<string, string> = {}, opts: { within?: number } = {}): Promise<void> {
    const receipt = `capture-${++this.receipts}`;
    const within = opts.within ?? 10_000;
    this.byDestination.set(destination, this.byDestination.get(destination) ?? []);
    return new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        this.listeners.delete(refused);
        if (err) reject(err);
        else resolve();
      };
      // a refusal arrives as an ERROR frame and/or a close of the socket
      const refused = (why: string) => done(new Error(`SUBSCRIBE ${destination} refused: ${why}`));
      const timer = setTimeout(() => done(new Error(`no RECEIPT for SUBSCRIBE ${destination} within ${within} ms`)), within);
      this.listeners.add(refused);
      this.client.watchForReceipt(receipt, () => done());
      this.client.subscribe(destination, (m: IMessage) => this.record(destination, m), { ...headers, receipt });
    });
  }

  private record(subscribedTo: string, m: IMessage): void {
    const frame: CapturedFrame = { subscribedTo, headers: { ...m.headers }, body: m.body, json: parseJson(m.body), receivedAt: new Date() };
    this.byDestination.get(subscribedTo)?.push(frame);
    this.all.push(frame);
  }

  /** Resolves with the first frame (already captured or yet to come) that matches; otherwise fails with what was seen. */
  async waitFor(predicate: (f: CapturedFrame) => boolean, opts: { within: number; what?: string }): Promise<CapturedFrame> {
    try {
      return await this.all.waitFor(predicate, opts);
    } catch (e) {
      const state = this.problems.length ? `; connection: ${this.problems.join('; ')}` : '';
      throw new Error(`${(e as Error).message}${state}`);
    }
  }

  /** Frames captured so far, all or for one subscribed destination. */
  frames(destination?: string): CapturedFrame[] {
    return destination === undefined ? this.all.all() : [...(this.byDestination.get(destination) ?? [])];
  }

  get connected(): boolean {
    return this.client.connected;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client.deactivate();
  }
}
