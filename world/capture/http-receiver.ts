/**
 * A local HTTP receiver the suite starts on 127.0.0.1 for a scenario: it records every request it
 * gets (method, path, headers, body) and answers with what the scenario set. What a target's HTTP
 * action sent is read here, never taken from the target's own account of it.
 */
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CaptureBuffer } from './buffer';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export class HttpReceiver {
  readonly requests = new CaptureBuffer<ReceivedRequest>();
  private answer: Answer = { status: 200, body: '' };
  private server?: Server;

  /** Start listening on a free port of 127.0.0.1; answers `answer` until told otherwise. */
  async listen(answer: Answer): Promise<this> {
    this.answer = answer;
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
        res.writeHead(this.answer.status, { 'content-type': 'application/json', ...this.answer.headers });
        res.end(this.answer.body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** What the receiver answers every request with. */
  get answering(): Answer {
    return this.answer;
  }

  /** The receiver's base URL (http://127.0.0.1:PORT). */
  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  render(): string {
    return this.requests.all().map((r) => `${r.method} ${r.path} ${JSON.stringify(r.headers)}\n${r.body}`).join('\n');
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
