import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { SCHEMA_DDL } from './schema';

export type Row = Record<string, any>;

/** A JSON value as a query parameter for a jsonb column (PGlite passes strings through verbatim). */
export const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

/**
 * The emulator's PostgreSQL: one in-process PGlite (a single backend; PGlite serialises queries
 * with its own mutex) plus a pglite-socket server so `pg` clients reach it at `url`.
 */
export class Database {
  private constructor(readonly pg: PGlite, private readonly server: PGLiteSocketServer, readonly url: string) {}

  static async open(): Promise<Database> {
    const pg = await PGlite.create({ loadDataDir: new Blob([new Uint8Array(await cachedDataDir())]) });
    await pg.exec('SET search_path TO attune, public');
    const server = new PGLiteSocketServer({ db: pg, host: '127.0.0.1', port: 0, maxConnections: 16 });
    await server.start();
    return new Database(pg, server, `postgres://postgres:postgres@${server.getServerConn()}/postgres?sslmode=disable`);
  }

  async query<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pg.query<T>(sql, params)).rows;
  }

  async one<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<T | undefined> {
    return (await this.query<T>(sql, params))[0];
  }

  async close(): Promise<void> {
    await this.server.stop();
    await this.pg.close();
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
