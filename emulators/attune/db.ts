import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { SCHEMA_DDL } from './schema';

export type Row = Record<string, any>;

/** A JSON value as a query parameter for a jsonb column (PGlite passes strings through verbatim). */
export const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

/** The fields of a PostgreSQL error the API maps to its answers (http.ts), kept across the thread. */
const PG_ERROR_FIELDS = ['code', 'detail', 'constraint', 'table', 'column', 'schema', 'severity', 'hint', 'position'] as const;

// PGlite and its socket server on a thread of their own. Every query is synchronous WebAssembly;
// on the API's thread it held up every request behind it (HTTP parsing, JSON, the notifier), so the
// API's latency was the database's. Here the two run side by side, as an API and its PostgreSQL do.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglite);
const { PGLiteSocketServer } = require(workerData.socket);
const FIELDS = ${JSON.stringify(PG_ERROR_FIELDS)};
(async () => {
  const pg = await PGlite.create({ loadDataDir: new Blob([workerData.dataDir]) });
  await pg.exec('SET search_path TO attune, public');
  const server = new PGLiteSocketServer({ db: pg, host: '127.0.0.1', port: 0, maxConnections: 16 });
  await server.start();
  parentPort.on('message', async (m) => {
    try {
      if (m.close) {
        await server.stop();
        await pg.close();
        return parentPort.postMessage({ id: m.id, rows: [] });
      }
      const rows = m.exec ? (await pg.exec(m.sql), []) : (await pg.query(m.sql, m.params)).rows;
      parentPort.postMessage({ id: m.id, rows });
    } catch (e) {
      const error = { message: String(e && e.message) };
      for (const f of FIELDS) if (e && e[f] !== undefined) error[f] = e[f];
      parentPort.postMessage({ id: m.id, error });
    }
  });
  parentPort.postMessage({ ready: server.getServerConn() });
})().catch((e) => parentPort.postMessage({ failed: String(e && e.message) }));`;

type Reply = { id: number; rows?: Row[]; error?: Record<string, unknown> & { message: string } };

/**
 * The emulator's PostgreSQL: one PGlite (a single backend; PGlite serialises queries with its own
 * mutex) plus a pglite-socket server so `pg` clients reach it at `url`, both on their own thread.
 */
export class Database {
  private readonly pending = new Map<number, { resolve(rows: Row[]): void; reject(e: Error): void }>();
  private ids = 0;
  /** Why the thread can answer no more (it failed or stopped): later queries are refused at once. */
  private gone: Error | null = null;
  url = '';

  private constructor(private readonly thread: Worker) {
    thread.on('message', (m: Reply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(Object.assign(new Error(m.error.message), m.error));
      else p.resolve(m.rows!);
    });
  }

  static async open(): Promise<Database> {
    const dataDir = new Uint8Array(await cachedDataDir());
    const thread = new Worker(THREAD, {
      eval: true, execArgv: [], // plain JS: no ts-node in the thread
      workerData: { dataDir, pglite: require.resolve('@electric-sql/pglite'), socket: require.resolve('@electric-sql/pglite-socket') },
      transferList: [dataDir.buffer as ArrayBuffer],
    });
    const db = new Database(thread);
    const conn = await new Promise<string>((resolve, reject) => {
      const started = (m: { ready?: string; failed?: string }) => {
        if (m.ready === undefined && m.failed === undefined) return;
        thread.off('message', started);
        if (m.ready !== undefined) resolve(m.ready);
        else reject(new Error(`PGlite did not start: ${m.failed}`));
      };
      thread.on('message', started);
      thread.once('error', reject);
    });
    db.url = `postgres://postgres:postgres@${conn}/postgres?sslmode=disable`;
    thread.on('error', (e) => db.failAll(e));
    thread.on('exit', () => db.failAll(new Error('the database thread has stopped')));
    return db;
  }

  async query<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.send({ sql, params })) as T[];
  }

  async one<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<T | undefined> {
    return (await this.query<T>(sql, params))[0];
  }

  /**
   * One page of `SELECT columns from ORDER BY ... LIMIT ... OFFSET offset` and the count of all the
   * rows `from` (FROM ... WHERE ...) yields, in one statement (a count over the window). Only a page
   * past the end, which has no row to carry the count, counts apart.
   */
  async page(columns: string, from: string, params: unknown[], tail: string, offset: number): Promise<{ rows: Row[]; total: number }> {
    const rows = await this.query(`SELECT ${columns}, count(*) OVER () AS page_total__ ${from} ${tail}`, params);
    if (!rows.length) return { rows, total: offset ? Number((await this.one(`SELECT count(*)::int AS n ${from}`, params))!.n) : 0 };
    const total = Number(rows[0].page_total__);
    for (const r of rows) delete r.page_total__;
    return { rows, total };
  }

  /** Several statements, no parameters (DDL). */
  async exec(sql: string): Promise<void> {
    await this.send({ sql, exec: true });
  }

  async close(): Promise<void> {
    await this.send({ close: true }).catch(() => undefined);
    await this.thread.terminate();
  }

  private send(message: Record<string, unknown>): Promise<Row[]> {
    const id = ++this.ids;
    if (this.gone) return Promise.reject(this.gone);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.thread.postMessage({ id, ...message });
    });
  }

  private failAll(e: Error): void {
    this.gone ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}

/**
 * initdb + schema costs seconds; do it once per schema version and keep the resulting data
 * directory as a tarball under os.tmpdir(). Later instances start from a copy of it.
 */
async function cachedDataDir(): Promise<Buffer> {
  // keyed by the DDL and the PGlite build, so a schema change or an upgrade never reuses a stale copy
  const pglitePkg = path.join(path.dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');
  const hash = createHash('sha256').update(SCHEMA_DDL).update(fs.readFileSync(pglitePkg)).digest('hex').slice(0, 16);
  const file = path.join(os.tmpdir(), `attune-emulator-pgdata-${hash}.tar`);
  if (fs.existsSync(file)) return fs.readFileSync(file);
  const { PGlite } = await import('@electric-sql/pglite'); // here only on a cache miss; queries run on the thread
  const pg = await PGlite.create();
  await pg.exec(SCHEMA_DDL);
  await pg.exec('CHECKPOINT'); // flush pages so a reopened copy needs no WAL replay (which would skip sequence values)
  const tarball = Buffer.from(await (await pg.dumpDataDir('none')).arrayBuffer());
  await pg.close();
  const tmp = `${file}.${process.pid}.${Date.now()}`;
  fs.writeFileSync(tmp, tarball);
  fs.renameSync(tmp, file); // atomic: parallel workers never read a half-written cache
  for (const stale of fs.readdirSync(os.tmpdir())) {
    if (/^attune-emulator-pgdata-[0-9a-f]{16}\.tar$/.test(stale) && path.join(os.tmpdir(), stale) !== file) fs.rmSync(path.join(os.tmpdir(), stale), { force: true });
  }
  return tarball;
}
