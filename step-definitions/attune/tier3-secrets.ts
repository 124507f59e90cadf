/**
 * Tier 3 secrets: how a secret reaches an action (T3.20, README scenario 4) and how the key store
 * keeps it at rest (T3.27). What the action saw comes from the action's own report; what the
 * database holds is read over the database URL.
 */
import { createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Execution } from '../../world/clients/attune';
import { AttuneDatabase } from '../../world/clients/attune-tier3';
import { describe } from '../../world/wait';
import { actionRef, finished, outputOf, refName, thePack, trackUndo } from './context';
import { expectEnded } from './executions';

interface Secret { name: string; ref: string; value: string }
const secret = (world: AcceptanceWorld) => world.recall<Secret>('attune.secret');

/** The scenario's connection to Attune's database (closed by the After hook). */
export function database(world: AcceptanceWorld): AttuneDatabase {
  return world.lazy('attune.database', () => new AttuneDatabase(world.target('attune').databaseUrl));
}

async function storeEncrypted(world: AcceptanceWorld, name: string, value: string): Promise<string> {
  const pack = thePack(world).ref;
  const ref = `${pack}.${name}`;
  await world.attune.setKey({ ref, name, value, encrypted: true, owner: { pack } });
  trackUndo(world, `key ${ref}`, () => world.attune.deleteKey(ref));
  return ref;
}

async function storedRow(world: AcceptanceWorld, ref: string): Promise<{ value: unknown; encrypted: boolean }> {
  const [row] = await database(world).query<{ value: unknown; encrypted: boolean }>('SELECT value, encrypted FROM key WHERE ref = $1', [ref]);
  expect(row, `a row for key ${ref} in table key`).to.not.equal(undefined);
  return row;
}

Given('the pack stores a fresh secret under the encrypted key {string}', async function (this: AcceptanceWorld, name: string) {
  const value = `s3cr3t-${randomBytes(12).toString('hex')}`; // setKey registers it: reports never show it
  this.remember<Secret>('attune.secret', { name, ref: await storeEncrypted(this, name, value), value });
});

// ---- what the action saw (T3.20) -----------------------------------------------------------------

interface ProbeReport { pid: number; stdin_names: string[]; received_sha256: string | null; environ: string[]; argv: string[] }

When('the secret probe action runs, looking for the secret {string}', async function (this: AcceptanceWorld, name: string) {
  const reply = await this.attune.execute(actionRef(this, 'secret_probe'), { secret_name: name });
  expect(reply.status, `running the secret probe answered ${describe(reply.body)}`).to.equal(201);
  const done = await finished(this.attune, reply.body.data.id);
  expectEnded(done, 'completed');
  this.remember('attune.execution', done);
});

/**
 * Inline shell code (upstream's ad-hoc core.shell actions) that reports the bash process running it:
 * a Python child reads the parameter document from the stdin it shares with bash and bash's own
 * /proc/<pid>/environ and cmdline; only a digest of the secret is printed.
 */
const INLINE_PROBE = `python3 -c '
import hashlib, json, sys
pid = sys.argv[1]
doc = json.loads(sys.stdin.readline() or "{}")
secret = doc.get(doc.get("secret_name"))
proc = lambda name: [p.decode("utf-8", "replace") for p in open(f"/proc/{pid}/{name}", "rb").read().split(b"\\0") if p]
print(json.dumps({"output": {"pid": int(pid), "stdin_names": sorted(doc), "received_sha256": hashlib.sha256(secret.encode()).hexdigest() if isinstance(secret, str) else None, "environ": proc("environ"), "argv": proc("cmdline")}}))
' "$$"
exit $?`; // a command after python keeps bash from replacing itself with it (exec), so $$ stays the action

When(
  'an inline shell action of the pack reports its own process, looking for the secret {string}',
  async function (this: AcceptanceWorld, name: string) {
    const packRef = thePack(this).ref;
    const ref = `${packRef}.${refName(this, 'inline')}`;
    const created = await this.attune.call('post', '/api/v1/actions', {
      ref, pack_ref: packRef, label: ref, entrypoint: INLINE_PROBE, runtime_ref: 'core.shell', output_format: 'json',
      param_schema: { secret_name: { type: 'string', required: true } },
    });
    expect(created.status, `creating the inline action ${ref}: ${describe(created.body)}`).to.equal(201);
    trackUndo(this, `action ${ref}`, () => this.attune.call('delete', `/api/v1/actions/${ref}`));
    const reply = await this.attune.execute(ref, { secret_name: name });
    expect(reply.status, `running ${ref} answered ${describe(reply.body)}`).to.equal(201);
    const done = await finished(this.attune, reply.body.data.id);
    expectEnded(done, 'completed');
    this.remember('attune.execution', done);
  },
);

function report(world: AcceptanceWorld): ProbeReport {
  const done = world.recall<Execution>('attune.execution');
  const r = outputOf(done) as ProbeReport | undefined;
  expect(r && Array.isArray(r.environ) && Array.isArray(r.argv), `the probe's report of its own process (result ${describe(done.result)})`).to.equal(true);
  return r!;
}

Then('the action received the secret on its standard input', function (this: AcceptanceWorld) {
  const { name, value } = secret(this);
  const r = report(this);
  expect(r.stdin_names, 'names in the parameter document the action read from stdin').to.include(name);
  expect(r.received_sha256, `SHA-256 of what the action found under ${name} on stdin`).to.equal(createHash('sha256').update(value).digest('hex'));
});

Then("the secret is not in the action's environment", function (this: AcceptanceWorld) {
  const { value } = secret(this);
  const r = report(this);
  const { id } = this.recall<Execution>('attune.execution');
  // the report is the process's real environment: it carries the worker's variables for this execution
  expect(r.environ, `the action's /proc/self/environ (${r.environ.length} entries)`).to.include(`ATTUNE_EXEC_ID=${id}`);
  expect(r.environ.filter((e) => e.includes(value)).map((e) => e.split('=')[0]), 'environment variables holding the secret').to.deep.equal([]);
});

Then("the secret is not on the action's command line", function (this: AcceptanceWorld) {
  const { value } = secret(this);
  const r = report(this);
  expect(r.argv.length, "the action's /proc/self/cmdline").to.be.greaterThan(0);
  expect(r.argv.filter((a) => a.includes(value)).length, `arguments holding the secret, of ${r.argv.length}`).to.equal(0);
});

Then("the secret is not in the execution's output, logs or record", async function (this: AcceptanceWorld) {
  const { value } = secret(this);
  const { id } = this.recall<Execution>('attune.execution');
  const record = await this.attune.getExecution(id);
  const places: Record<string, string> = {
    'the execution record (API)': JSON.stringify(record.body),
    'stdout log': await this.attune.executionLog(id, 'stdout'),
    'stderr log': await this.attune.executionLog(id, 'stderr'),
  };
  const [row] = await database(this).query<Record<string, unknown>>('SELECT config, env_vars, result FROM execution WHERE id = $1', [id]);
  places['the execution row (database)'] = JSON.stringify(row);
  expect(places['stdout log'], 'stdout log of the probe').to.include('received_sha256');
  expect(Object.keys(places).filter((k) => places[k].includes(value)), `places of execution ${id} that hold the secret`).to.deep.equal([]);
});

Then('the database holds the secret only encrypted', async function (this: AcceptanceWorld) {
  const { ref, value } = secret(this);
  const row = await storedRow(this, ref);
  expect(row.encrypted, `key ${ref} marked encrypted`).to.equal(true);
  const plainForms = [value, Buffer.from(value).toString('base64'), Buffer.from(value).toString('hex')];
  const holders = (await database(this).textValues(plainForms)).map((t) => t.where);
  expect([...new Set(holders)], 'database columns holding the secret in plain text (or merely encoded)').to.deep.equal([]);
});

// ---- encryption at rest (T3.27) ------------------------------------------------------------------

/** base64(nonce(12) || ciphertext || tag(16)), as upstream's crypto.rs stores it. */
function sealed(stored: unknown): { nonce: Buffer; ciphertext: Buffer; tag: Buffer } {
  expect(stored, 'the stored value (a JSON string)').to.be.a('string');
  const raw = Buffer.from(stored as string, 'base64');
  expect(raw.toString('base64'), 'the stored value is base64').to.equal(stored);
  return { nonce: raw.subarray(0, 12), ciphertext: raw.subarray(12, raw.length - 16), tag: raw.subarray(raw.length - 16) };
}

Then(
  'the stored value has the shape of AES-256-GCM: a 12-byte nonce, ciphertext as long as the value, a 16-byte tag',
  async function (this: AcceptanceWorld) {
    const { ref, value } = secret(this);
    const { ciphertext } = sealed((await storedRow(this, ref)).value);
    // GCM is a stream mode: the ciphertext is exactly as long as the plaintext (the value, or its JSON text)
    expect(ciphertext.length, `ciphertext bytes of ${ref} (value ${value.length} bytes, as JSON ${JSON.stringify(value).length})`).to.be.oneOf([value.length, JSON.stringify(value).length]);
  },
);

Then('the same value stored again is a different ciphertext', async function (this: AcceptanceWorld) {
  const { ref, name, value } = secret(this);
  const again = await storeEncrypted(this, `${name}_again`, value);
  const [a, b] = [sealed((await storedRow(this, ref)).value), sealed((await storedRow(this, again)).value)];
  expect(a.nonce.equals(b.nonce), `nonces of ${ref} and ${again}`).to.equal(false);
  expect(a.ciphertext.equals(b.ciphertext), `ciphertexts of ${ref} and ${again} (same value)`).to.equal(false);
});

/** The ways a text value could be the key: raw 32 bytes (as text, hex or base64) or SHA-256 of it (upstream's derivation). */
function candidateKeys(text: string): Buffer[] {
  const keys = [createHash('sha256').update(text).digest()];
  if (Buffer.byteLength(text) === 32) keys.push(Buffer.from(text));
  if (/^[0-9a-f]{64}$/i.test(text)) keys.push(Buffer.from(text, 'hex'));
  const b64 = Buffer.from(text, 'base64');
  if (b64.length === 32) keys.push(b64);
  return keys;
}

function opens(key: Buffer, s: { nonce: Buffer; ciphertext: Buffer; tag: Buffer }): boolean {
  try {
    const d = createDecipheriv('aes-256-gcm', key, s.nonce);
    d.setAuthTag(s.tag);
    Buffer.concat([d.update(s.ciphertext), d.final()]);
    return true;
  } catch {
    return false;
  }
}

Then('no value stored in the database decrypts it', async function (this: AcceptanceWorld) {
  const { ref } = secret(this);
  const s = sealed((await storedRow(this, ref)).value);
  // a key is a short text: values over 64 KB (logs, large results) cannot be one
  const values = await database(this).textValues([], 65_536);
  const opening = values.filter((t) => candidateKeys(t.value).some((k) => opens(k, s))).map((t) => t.where);
  this.attach(`tried ${values.length} text values of the database as the encryption key`, 'text/plain');
  expect(values.length, 'text values read from the database').to.be.greaterThan(0);
  expect(opening, 'database columns holding a value that decrypts the key (the encryption key is in the database)').to.deep.equal([]);
});

Then('the API reads the key back as the plain secret', async function (this: AcceptanceWorld) {
  const { ref, value } = secret(this);
  const reply = await this.attune.getKey(ref);
  expect(reply.status, `reading key ${ref}: ${describe(reply.body)}`).to.equal(200);
  expect([reply.body.data.encrypted, reply.body.data.value === value], `key ${ref}: encrypted, and the value equal to the secret`).to.deep.equal([true, true]);
});

Then("the key reader action's execution has succeeded with the plain secret as its output", async function (this: AcceptanceWorld) {
  const done = await finished(this.attune, this.recall<Execution>('attune.execution').id);
  expectEnded(done, 'completed');
  expect(outputOf(done) === secret(this).value, `the key reader's output is the plain secret`).to.equal(true);
});
