/**
 * Action log size limits (T3.21): an action writes a known, numbered text of a given size; the
 * recorded output is compared with what the action wrote, against the limit the deployment's worker
 * is configured with (the suite config's attune.worker, which the embedded Attune is started with).
 */
import { Given, Then } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Execution } from '../../world/clients/attune';
import { createAdhocAction, deleteAction } from '../../world/clients/attune-tier3';
import { describe } from '../../world/wait';
import { finished, refName, thePack, trackUndo } from './context';

const LINE_BYTES = 100;
/** Line i of the action's output: "line 00000042 ....\n", exactly LINE_BYTES bytes. */
const line = (i: number) => `line ${String(i).padStart(8, '0')} ${'.'.repeat(LINE_BYTES - 15)}\n`;
const numbered = (lines: number) => Array.from({ length: lines }, (_, i) => line(i)).join('');

interface Written {
  lines: number;
  bytes: number;
}

function limits(world: AcceptanceWorld): { max: number; message: string } {
  const worker = world.target('attune').worker;
  if (!worker?.outputTruncationMessage) {
    throw new Error('the config does not say the worker\'s output limit: set attune.worker.max_output_size_bytes and output_truncation_message to what the deployment runs with');
  }
  return { max: worker.maxOutputSizeBytes, message: worker.outputTruncationMessage };
}

Given('an action of the pack that writes {float} MB of output', async function (this: AcceptanceWorld, mb: number) {
  const lines = Math.ceil((mb * 1024 * 1024) / LINE_BYTES);
  const packRef = thePack(this).ref;
  const ref = `${packRef}.${refName(this, 'loud')}`;
  // awk writes the numbered lines as fast as the pipe takes them.
  const shell = `awk 'BEGIN { d = sprintf("%${LINE_BYTES - 15}s", ""); gsub(/ /, ".", d); for (i = 0; i < ${lines}; i++) printf "line %08d %s\\n", i, d }'`;
  const reply = await createAdhocAction(this.attune, { ref, packRef, shell });
  expect(reply.status, `creating action ${ref} answered ${describe(reply.body)}`).to.equal(201);
  trackUndo(this, `action ${ref}`, () => deleteAction(this.attune, ref));
  this.remember('attune.adhoc', ref);
  this.remember<Written>('attune.written', { lines, bytes: lines * LINE_BYTES });
});

Then('the execution completed despite its output', async function (this: AcceptanceWorld) {
  const done = await finished(this.attune, this.recall<Execution>('attune.execution').id, 60_000);
  expect(done.status, `execution ${done.id} ended with ${describe(done.result)}`).to.equal('completed');
  expect(done.result?.exit_code, `exit code of execution ${done.id}`).to.equal(0);
  this.remember('attune.execution', done);
});

Then(
  'its recorded output is the first part of what the action wrote, within the configured limit, ending with the truncation message',
  async function (this: AcceptanceWorld) {
    const { id, result } = this.recall<Execution>('attune.execution');
    const { max, message } = limits(this);
    const written = this.recall<Written>('attune.written');
    const stdout = String(result?.stdout ?? '');
    const shown = `${stdout.length} characters, starting ${JSON.stringify(stdout.slice(0, 40))}, ending ${JSON.stringify(stdout.slice(-60))}`;
    expect(Buffer.byteLength(stdout), `bytes of stdout kept by execution ${id} (limit ${max}; ${shown})`).to.be.at.most(max);
    expect(stdout.trimEnd().endsWith(message), `stdout of execution ${id} ends with "${message}" (${shown})`).to.equal(true);
    // What came before the message, without the newlines that set the message apart.
    const kept = stdout.slice(0, stdout.lastIndexOf(message)).replace(/\n+$/, '');
    // The kept part is what the action wrote first, byte for byte, and close to the whole limit.
    expect(kept.length, `bytes kept before the message (limit ${max})`).to.be.at.least(max - 1024);
    const expected = numbered(Math.ceil(kept.length / LINE_BYTES) + 1).slice(0, kept.length);
    expect(kept === expected, `the kept output is the start of what the action wrote (first difference at ${[...kept].findIndex((c, i) => c !== expected[i])})`).to.equal(true);
    expect(result?.stdout_truncated, `stdout_truncated in ${describe(result)}`).to.equal(true);
    // Every byte is accounted for: kept + dropped = written (give or take the newline the cut fell next to).
    const accounted = Number(result?.stdout_bytes_truncated) + kept.length;
    expect(accounted, `kept ${kept.length} + stdout_bytes_truncated ${result?.stdout_bytes_truncated} against ${written.bytes} written`).to.be.within(written.bytes - 1, written.bytes + 1);
  },
);

Then('its output is kept whole, without the truncation message', function (this: AcceptanceWorld) {
  const { id, result } = this.recall<Execution>('attune.execution');
  const written = this.recall<Written>('attune.written');
  const stdout = String(result?.stdout ?? '');
  expect(Buffer.byteLength(stdout), `bytes of stdout recorded for execution ${id}`).to.equal(written.bytes);
  expect(stdout === numbered(written.lines), `the recorded output is exactly what the action wrote`).to.equal(true);
  expect(result?.stdout_truncated ?? false, `stdout_truncated in the result of execution ${id}`).to.equal(false);
});

Then('the stored execution and its log stay within the limit', async function (this: AcceptanceWorld) {
  const { id } = this.recall<Execution>('attune.execution');
  const { max } = limits(this);
  // The database row as written (the plan's "database record reasonable size").
  const [row] = await this.attune.sql<{ bytes: number }>('SELECT octet_length(result::text) AS bytes FROM execution WHERE id = $1', [id]);
  expect(row, `execution ${id} in the database`).to.not.equal(undefined);
  expect(Number(row.bytes), `bytes of execution ${id}'s stored result (limit ${max})`).to.be.at.most(max + 64 * 1024);
  const log = await this.attune.executionLog(id, 'stdout');
  expect(Buffer.byteLength(log), `bytes of execution ${id}'s stdout log served by the API (limit ${max})`).to.be.at.most(max);
});
