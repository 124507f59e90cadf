// Test helpers: a raw STOMP-over-WebSocket connection (hand-written frames in, parsed frames out) and
// the broker targets the conformance tests run against.
import WebSocket from 'ws';
import { randomBytes } from 'node:crypto';

export interface ServerFrame {
  command: string;
  headers: Record<string, string>;
  body: string;
}

/** The first complete frame in buf (honouring content-length) and the bytes it used, or undefined. */
function parseServerFrame(buf: Buffer): { frame: ServerFrame; used: number } | undefined {
  const split = buf.indexOf('\n\n');
  if (split < 0) return undefined;
  const [command, ...lines] = buf.subarray(0, split).toString('utf8').split('\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (!(line.slice(0, colon) in headers)) headers[line.slice(0, colon)] = line.slice(colon + 1);
  }
  const length = headers['content-length'];
  const end = length === undefined ? buf.indexOf(0, split + 2) : split + 2 + Number(length);
  if (end < 0 || buf.length <= end) return undefined;
  return { frame: { command, headers, body: buf.subarray(split + 2, end).toString('utf8') }, used: end + 1 };
}

/** A raw connection: send() strings exactly as given; frames, heart-beat EOLs and the close are recorded. */
export class RawStomp {
  readonly frames: ServerFrame[] = [];
  eols = 0;
  closeCode?: number;
  private pending = Buffer.alloc(0);
  private readonly ws: WebSocket;
  private waiters: (() => void)[] = [];
  readonly opened: Promise<void>;

  constructor(url: string) {
    this.ws = new WebSocket(url, ['v12.stomp']);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('message', (data: Buffer) => {
      this.pending = Buffer.concat([this.pending, data]);
      for (;;) {
        let lead = 0;
        while (this.pending[lead] === 0x0a || this.pending[lead] === 0x0d) this.eols += this.pending[lead++] === 0x0a ? 1 : 0;
        this.pending = this.pending.subarray(lead);
        const parsed = parseServerFrame(this.pending);
        if (!parsed) break;
        this.frames.push(parsed.frame);
        this.pending = this.pending.subarray(parsed.used);
      }
      this.notify();
    });
    this.ws.on('close', (code) => {
      this.closeCode = code;
      this.notify();
    });
    this.ws.on('error', () => {});
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  async send(...chunks: string[]): Promise<void> {
    await this.opened;
    for (const c of chunks) this.ws.send(c);
  }

  /** Resolves when the condition holds (checked on every frame/close), rejects after `within` ms with what was seen. */
  until(condition: () => boolean, within = 5000, what = 'condition'): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${what} not met within ${within} ms; frames: ${JSON.stringify(this.frames)}, close: ${this.closeCode}`)), within);
      const check = () => {
        if (condition()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }

  async frame(command: string, within = 5000): Promise<ServerFrame> {
    await this.until(() => this.frames.some((f) => f.command === command), within, `a ${command} frame`);
    return this.frames.find((f) => f.command === command)!;
  }

  closed(within = 5000): Promise<void> {
    return this.until(() => this.closeCode !== undefined, within, 'the close of the connection');
  }

  close(): void {
    this.ws.terminate();
  }
}

export function connectFrame(h: { login: string; passcode: string; host: string; heartBeat?: string }): string {
  return `CONNECT\naccept-version:1.2\nhost:${h.host}\nlogin:${h.login}\npasscode:${h.passcode}\nheart-beat:${h.heartBeat ?? '0,0'}\n\n\0`;
}

export const uniqueId = (prefix: string) => `${prefix}${randomBytes(8).toString('hex')}`;
