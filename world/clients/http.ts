/**
 * The one way clients speak HTTP: an axios instance that never throws on a status code and records
 * every exchange in the scenario's HttpLog, so a failing scenario can show what was said. Bodies are
 * kept as received and redacted when the log is read (render, last): most logs are never read.
 * Clients never assert; steps do.
 */
import axios, { AxiosInstance, AxiosRequestConfig, AxiosResponse } from 'axios';
import { redact, redactText } from '../redact';

export interface Exchange {
  at: string;
  method: string;
  url: string;
  status: number | string;
  ms: number;
  request?: unknown;
  response?: unknown;
  /** How many identical exchanges in a row this entry stands for (polling). */
  repeated?: number;
}

const sameAs = (a: Exchange, b: Exchange) =>
  a.method === b.method && a.url === b.url && a.status === b.status &&
  JSON.stringify([a.request, a.response]) === JSON.stringify([b.request, b.response]);

export class HttpLog {
  private readonly exchanges: Exchange[] = [];
  constructor(private readonly keep = 25) {}

  /** Record an exchange; its url must already be redacted, its bodies are redacted when read. */
  add(x: Exchange): void {
    const last = this.exchanges[this.exchanges.length - 1];
    if (last && sameAs(last, x)) {
      last.repeated = (last.repeated ?? 1) + 1;
      return;
    }
    this.exchanges.push(x);
    if (this.exchanges.length > this.keep) this.exchanges.shift();
  }

  /** The last `n` exchanges, redacted. */
  last(n = this.keep): Exchange[] {
    return this.exchanges.slice(-n).map((x) => ({ ...x, request: bodyOf(x.request), response: bodyOf(x.response) }));
  }

  /** Text for a report attachment, redacted. */
  render(): string {
    return this.last()
      .map((x) =>
        [
          `${x.at} ${x.method} ${x.url} -> ${x.status} (${x.ms} ms)${x.repeated ? `, the same ${x.repeated} times in a row` : ''}`,
          x.request === undefined ? '' : `  request:  ${clip(x.request)}`,
          x.response === undefined ? '' : `  response: ${clip(x.response)}`,
        ]
          .filter(Boolean)
          .join('\n'),
      )
      .join('\n');
  }
}

function clip(v: unknown, max = 2000): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s && s.length > max ? `${s.slice(0, max)}... (${s.length} chars)` : String(s);
}

function safeUrl(config: AxiosRequestConfig): string {
  const base = config.baseURL ?? '';
  const url = config.url ?? '';
  const full = /^https?:/.test(url) ? url : base.replace(/\/$/, '') + (url.startsWith('/') ? url : `/${url}`);
  const query = config.params ? `?${new URLSearchParams(config.params as Record<string, string>).toString()}` : '';
  return redactText(full + query);
}

function bodyOf(data: unknown): unknown {
  if (data === undefined || data === '') return undefined;
  if (typeof data === 'string') {
    try {
      return redact(JSON.parse(data));
    } catch {
      return redactText(data);
    }
  }
  if (data instanceof FormData) return `(multipart form data: ${[...new Set(data.keys())].join(', ')})`;
  return redact(data);
}

/** An axios instance bound to `baseURL` whose exchanges land in `log`. */
let inFlight = 0;

/**
 * Resolves once no request of this process is in flight (or after `maxMs`), and the steps awaiting
 * the last answers have run on: an interrupt undoes what a create in flight made too.
 */
export async function requestsSettled(maxMs: number): Promise<void> {
  const end = Date.now() + maxMs;
  while (inFlight > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

export function createHttp(baseURL: string, log: HttpLog, defaults: AxiosRequestConfig = {}): AxiosInstance {
  const http = axios.create({ baseURL, timeout: 15_000, validateStatus: () => true, ...defaults });
  const started = new WeakMap<object, number>();
  http.interceptors.request.use((config) => {
    started.set(config, Date.now());
    inFlight += 1;
    return config;
  });
  const record = (config: AxiosRequestConfig, status: number | string, response?: unknown) => {
    const t0 = started.get(config) ?? Date.now();
    log.add({
      at: new Date(t0).toISOString().slice(11, 23),
      method: (config.method ?? 'get').toUpperCase(),
      url: safeUrl(config),
      status,
      ms: Date.now() - t0,
      request: config.data instanceof FormData ? bodyOf(config.data) : config.data,
      response,
    });
  };
  http.interceptors.response.use(
    (res: AxiosResponse) => {
      inFlight -= 1;
      record(res.config, res.status, res.config.responseType === 'stream' ? '(a stream, read by the step)' : res.data);
      return res;
    },
    (err) => {
      if (err?.config) inFlight -= 1;
      if (err?.config) record(err.config, err.code ?? 'ERROR', err.message);
      const where = err?.config ? safeUrl(err.config) : baseURL;
      const reason = err?.code === 'ECONNREFUSED' ? 'connection refused' : err?.message ?? String(err);
      return Promise.reject(new Error(`cannot reach ${where}: ${reason}`));
    },
  );
  return http;
}
