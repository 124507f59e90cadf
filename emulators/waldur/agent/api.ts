// The agent's Waldur REST client: Token auth, `/api/...` paths with trailing slashes, bare-array lists
// followed through the Link header (page_size=100, as the agent's sync_all), errors with the status.
export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
export type Query = Record<string, string | number | (string | number)[] | undefined>;

export class ApiFailure extends Error {
  constructor(readonly method: string, readonly path: string, readonly status: number, readonly body: string) {
    super(`${method} ${path} answered HTTP ${status}: ${body.slice(0, 300)}`);
  }
}

/** UUID as Waldur stores it in backend_id fields: dashed, lowercase. */
export function dashed(uuid: string): string {
  const h = uuid.replace(/-/g, '').toLowerCase();
  return h.length === 32 ? `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` : uuid;
}
export const hex = (uuid: string): string => uuid.replace(/-/g, '').toLowerCase();

function nextLink(header: string | null): string | null {
  for (const part of (header ?? '').split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="next"/.exec(part);
    if (m) return m[1];
  }
  return null;
}

export class WaldurApi {
  /** `apiUrl` like https://host/ or https://host/api/; the client strips the API suffix. */
  readonly base: string;

  constructor(apiUrl: string, private readonly token: string) {
    this.base = apiUrl.replace(/\/+$/, '').replace(/\/api$/, '') + '/';
  }

  url(path: string, query?: Query): string {
    const u = new URL(path.replace(/^\//, ''), this.base);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) u.searchParams.append(k, String(item));
    }
    return u.toString();
  }

  private async raw(method: string, url: string, body?: unknown): Promise<{ json: Json; headers: Headers }> {
    const res = await fetch(url, {
      method,
      headers: { Authorization: `Token ${this.token}`, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    if (!res.ok) throw new ApiFailure(method, new URL(url).pathname, res.status, text);
    let json: Json = undefined;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
    }
    return { json, headers: res.headers };
  }

  async get(path: string, query?: Query): Promise<Json> {
    return (await this.raw('GET', this.url(path, query))).json;
  }

  async post(path: string, body: unknown = {}): Promise<Json> {
    return (await this.raw('POST', this.url(path), body)).json;
  }

  async patch(path: string, body: unknown): Promise<Json> {
    return (await this.raw('PATCH', this.url(path), body)).json;
  }

  async put(path: string, body: unknown): Promise<Json> {
    return (await this.raw('PUT', this.url(path), body)).json;
  }

  /** Every item of a list endpoint, following `Link: <...>; rel="next"`. */
  async list(path: string, query: Query = {}): Promise<Json[]> {
    const items: Json[] = [];
    let url: string | null = this.url(path, { page_size: 100, ...query });
    while (url) {
      const { json, headers } = await this.raw('GET', url);
      if (!Array.isArray(json)) throw new ApiFailure('GET', new URL(url).pathname, 200, 'expected a JSON array');
      items.push(...json);
      url = nextLink(headers.get('link'));
    }
    return items;
  }
}
