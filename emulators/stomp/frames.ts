// STOMP 1.2 frame codec: header escaping, content-length bodies, NUL terminators, heart-beat EOLs,
// several frames per WebSocket message and frames split across messages.

export interface Frame {
  command: string;
  headers: Record<string, string>; // first occurrence of a repeated header wins (STOMP 1.2 §"Repeated Header Entries")
  body: Buffer;
}

export class FrameError extends Error {
  constructor(message: string, readonly summary = 'Bad frame') {
    super(message);
  }
}

const CLIENT_COMMANDS = new Set([
  'CONNECT', 'STOMP', 'SEND', 'SUBSCRIBE', 'UNSUBSCRIBE', 'ACK', 'NACK', 'BEGIN', 'COMMIT', 'ABORT', 'DISCONNECT',
]);
const MAX_HEADER_BYTES = 64 * 1024;
const MAX_HEADERS = 1000;
const NUL = 0;
const LF = 0x0a;
const CR = 0x0d;

function unescapeHeader(raw: string): string {
  return raw.replace(/\\(.?)/gs, (_, c: string) => {
    switch (c) {
      case 'r': return '\r';
      case 'n': return '\n';
      case 'c': return ':';
      case '\\': return '\\';
      default: throw new FrameError(`undefined escape sequence "\\${c}" in header`);
    }
  });
}

function escapeHeader(value: string): string {
  return value.replace(/[\\\r\n:]/g, (c) => ({ '\\': '\\\\', '\r': '\\r', '\n': '\\n', ':': '\\c' })[c]!);
}

/** Incremental parser: feed() raw bytes, then take complete frames one by one with next(). */
export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrameBytes = 16 * 1024 * 1024) {}

  /** Adds received bytes; returns how many heart-beat EOLs they carried between frames. */
  feed(chunk: Buffer): number {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    return this.skipEols();
  }

  /** The next complete frame, or undefined until more bytes arrive; throws FrameError for a malformed frame. */
  next(): Frame | undefined {
    if (!this.buf.length) return undefined;
    const frame = this.parseOne();
    if (frame) this.skipEols();
    return frame;
  }

  private skipEols(): number {
    let start = 0;
    let eols = 0;
    while (start < this.buf.length && (this.buf[start] === LF || this.buf[start] === CR)) {
      if (this.buf[start] === LF) eols++;
      start++;
    }
    this.buf = this.buf.subarray(start);
    return eols;
  }

  private parseOne(): Frame | undefined {
    const headEnd = findHeadEnd(this.buf);
    if (!headEnd) {
      if (this.buf.length > MAX_HEADER_BYTES) throw new FrameError('frame header too large');
      return undefined;
    }
    const lines = this.buf.subarray(0, headEnd.at).toString('utf8').replace(/\r$/, '').split(/\r?\n/);
    const command = lines[0];
    if (!CLIENT_COMMANDS.has(command)) throw new FrameError(`Could not interpret command "${command.slice(0, 40)}"`, 'Bad command');
    if (lines.length - 1 > MAX_HEADERS) throw new FrameError('too many headers');
    const escaped = command !== 'CONNECT' && command !== 'STOMP';
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new FrameError(`malformed header line "${line.slice(0, 40)}"`);
      const name = escaped ? unescapeHeader(line.slice(0, colon)) : line.slice(0, colon);
      const value = escaped ? unescapeHeader(line.slice(colon + 1)) : line.slice(colon + 1);
      if (!(name in headers)) headers[name] = value;
    }
    const bodyStart = headEnd.at + headEnd.length;
    let bodyEnd: number;
    if (headers['content-length'] !== undefined) {
      const len = headers['content-length'];
      if (!/^\d+$/.test(len)) throw new FrameError(`invalid content-length "${len.slice(0, 20)}"`);
      if (Number(len) > this.maxFrameBytes) throw new FrameError('frame too large');
      bodyEnd = bodyStart + Number(len);
      if (this.buf.length < bodyEnd + 1) return undefined;
      if (this.buf[bodyEnd] !== NUL) throw new FrameError('frame body not terminated by NUL after content-length octets');
    } else {
      bodyEnd = this.buf.indexOf(NUL, bodyStart);
      if (bodyEnd < 0) {
        if (this.buf.length > this.maxFrameBytes) throw new FrameError('frame too large');
        return undefined;
      }
    }
    const body = Buffer.from(this.buf.subarray(bodyStart, bodyEnd));
    this.buf = this.buf.subarray(bodyEnd + 1);
    return { command, headers, body };
  }
}

function findHeadEnd(buf: Buffer): { at: number; length: number } | undefined {
  const lf = buf.indexOf('\n\n');
  const crlf = buf.indexOf('\n\r\n');
  if (lf < 0 && crlf < 0) return undefined;
  return crlf < 0 || (lf >= 0 && lf < crlf) ? { at: lf, length: 2 } : { at: crlf, length: 3 };
}

/** Serialises a server frame; CONNECTED headers are not escaped (STOMP 1.2 §"Value Encoding"). */
export function encodeFrame(command: string, headers: Record<string, string>, body: Buffer | string = ''): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const escape = command === 'CONNECTED' ? (v: string) => v : escapeHeader;
  const all = { ...headers };
  if (bytes.length && all['content-length'] === undefined) all['content-length'] = String(bytes.length);
  const head = [command, ...Object.entries(all).map(([k, v]) => `${escape(k)}:${escape(v)}`)].join('\n');
  return Buffer.concat([Buffer.from(`${head}\n\n`, 'utf8'), bytes, Buffer.from([NUL])]);
}
