// The emulator's PostgreSQL on its own thread (db.ts): rows and PostgreSQL's error fields come back
// across the thread (the API maps a unique violation to 409 by its code and constraint), a page
// carries the total of all its rows in one statement, a page past the end still counts them, and a
// stopped thread refuses queries instead of leaving them unanswered.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { Database } from '../../emulators/attune/db';

let db: Database;
before(async () => {
  db = await Database.open();
});
after(async () => {
  await db.close();
});

describe('the database thread', () => {
  it('answers rows, and refuses a duplicate with PostgreSQL code and constraint', async () => {
    const ref = `dbtest_${process.pid}`;
    const [row] = await db.query(`INSERT INTO pack (ref, label, version) VALUES ($1, 'x', '1') RETURNING id, ref, created`, [ref]);
    assert.equal(row.ref, ref);
    assert.ok(row.created instanceof Date, 'a timestamptz arrives as a Date');
    await assert.rejects(db.query(`INSERT INTO pack (ref, label, version) VALUES ($1, 'x', '1')`, [ref]), (e: any) => {
      assert.equal(e.code, '23505');
      assert.equal(e.constraint, 'pack_ref_key');
      return true;
    });
    await assert.rejects(db.query('SELECT * FROM no_such_table'), (e: any) => e.code === '42P01' && /no_such_table/.test(e.message));
  });

  it('pages with the total in one statement, and counts a page past the end apart', async () => {
    const prefix = `dbpage_${process.pid}_`;
    for (let i = 0; i < 5; i++) await db.query(`INSERT INTO pack (ref, label, version) VALUES ($1, 'x', '1')`, [`${prefix}${i}`]);
    const from = 'FROM pack WHERE ref LIKE $1';
    const first = await db.page('ref', from, [`${prefix}%`], 'ORDER BY ref LIMIT 2 OFFSET 0', 0);
    assert.deepEqual(first, { rows: [{ ref: `${prefix}0` }, { ref: `${prefix}1` }], total: 5 });
    assert.deepEqual(await db.page('ref', from, [`${prefix}%`], 'ORDER BY ref LIMIT 2 OFFSET 4', 4), { rows: [{ ref: `${prefix}4` }], total: 5 });
    assert.deepEqual(await db.page('ref', from, [`${prefix}%`], 'ORDER BY ref LIMIT 2 OFFSET 10', 10), { rows: [], total: 5 });
    assert.deepEqual(await db.page('ref', from, ['none_%'], 'ORDER BY ref LIMIT 2 OFFSET 0', 0), { rows: [], total: 0 });
  });

  it('serves the same data to a pg client over its socket', async () => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM attune.pack WHERE ref LIKE $1`, [`dbpage_${process.pid}_%`]);
      assert.equal(rows[0].n, 5);
    } finally {
      await client.end();
    }
  });

  it('refuses a query at once once its thread has stopped', async () => {
    const other = await Database.open();
    await other.close();
    await assert.rejects(other.query('SELECT 1'), /the database thread has stopped/);
  });
});
