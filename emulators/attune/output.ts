// Bounded action output, as upstream's worker keeps it (crates/worker/src/runtime/log_writer.rs
// BoundedLogWriter / BoundedLogFileWriter): each stream keeps at most `max_output_size_bytes`,
// 128 of them reserved for the truncation notice; past the limit every further byte is counted
// (bytes_truncated) and dropped as it arrives, so the worker never holds more than the limit.
// The limit and the notice come from the worker's config (the plan's `worker.max_output_size_bytes`
// and `output_truncation_message`, env ATTUNE__WORKER__MAX_OUTPUT_SIZE_BYTES /
// ATTUNE__WORKER__OUTPUT_TRUNCATION_MESSAGE as upstream's config crate spells overrides);
// default 10 MiB (upstream's max_stdout_bytes / max_stderr_bytes) and upstream's notice.
// Given a log file, what is kept is also written there as it arrives (BoundedLogFileWriter), so
// `GET /executions/{id}/logs/{stream}/stream` shows a running action's output.
import * as fs from 'node:fs';
import * as path from 'node:path';

const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
const NOTICE_RESERVE_BYTES = 128;

export interface OutputLimits {
  maxBytes: number;
  /** The configured truncation message; upstream's notice when absent. */
  message?: string;
}

/** The limits the worker runs with, read at each run from its configuration. */
export function outputLimits(env: NodeJS.ProcessEnv = process.env): OutputLimits {
  const max = Number(env.ATTUNE__WORKER__MAX_OUTPUT_SIZE_BYTES);
  return {
    maxBytes: Number.isInteger(max) && max > NOTICE_RESERVE_BYTES ? max : DEFAULT_MAX_BYTES,
    message: env.ATTUNE__WORKER__OUTPUT_TRUNCATION_MESSAGE || undefined,
  };
}

/** Configure this process's worker (startAttune's `worker` option). */
export function configureOutput(limits: { max_output_size_bytes?: number; output_truncation_message?: string } = {}): void {
  if (limits.max_output_size_bytes) process.env.ATTUNE__WORKER__MAX_OUTPUT_SIZE_BYTES = String(limits.max_output_size_bytes);
  if (limits.output_truncation_message) process.env.ATTUNE__WORKER__OUTPUT_TRUNCATION_MESSAGE = limits.output_truncation_message;
}

export class BoundedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  /** Every byte the action wrote to this stream. */
  total = 0;
  truncated = false;
  private readonly room: number;
  private readonly notice: string;

  private fd: number | null = null;

  constructor(stream: 'stdout' | 'stderr', limits: OutputLimits, logFile?: string) {
    const notice = limits.message ? `\n${limits.message}\n` : `\n\n[OUTPUT TRUNCATED: ${stream} exceeded size limit]\n`;
    this.notice = notice;
    this.room = limits.maxBytes - Math.max(NOTICE_RESERVE_BYTES, Buffer.byteLength(notice));
    if (logFile) {
      fs.mkdirSync(path.dirname(logFile), { recursive: true });
      this.fd = fs.openSync(logFile, 'w');
    }
  }

  write(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.truncated) return;
    const left = this.room - this.kept;
    if (chunk.length <= left) {
      this.keep(chunk);
      return;
    }
    if (left > 0) this.keep(chunk.subarray(0, left));
    this.truncated = true;
    this.log(Buffer.from(this.notice));
  }

  /** The log file is complete: close it. */
  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  private keep(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.kept += chunk.length;
    this.log(chunk);
  }

  private log(data: Buffer): void {
    if (this.fd !== null) fs.writeSync(this.fd, data);
  }

  get bytesTruncated(): number {
    return this.total - this.kept;
  }

  text(): string {
    const data = Buffer.concat(this.chunks).toString('utf8');
    return this.truncated ? data + this.notice : data;
  }
}
