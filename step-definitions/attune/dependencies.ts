/**
 * Per-pack dependencies (T2.12, T2.13, T3.19, README scenario 8): packs that pin a version of the
 * local test package e2e-greeting, whose actions report which version they imported and from
 * which environment. The wheels and npm tarballs are built by the suite (world/fixtures), so no
 * package index or registry is ever needed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Execution } from '../../world/clients/attune';
import { GREETING, expectedGreeting, greetingTarball, greetingWheel } from '../../world/fixtures/local-packages';
import { describe } from '../../world/wait';
import { finished, ms, refName, trackUndo } from './context';

const DEPS_PACK_DIR = path.join(__dirname, '..', '..', 'features', 'attune', 'fixtures', 'e2e_deps');
/** Versions of e2e-greeting the local package folders offer (the pin chooses among them). */
const OFFERED = ['1.0.0', '2.0.0'];
/** First use builds the environment (venv + pip, or npm install) before the action runs. */
const FIRST_RUN_MS = 120_000;

type Language = 'Python' | 'Node.js';
const ACTION: Record<Language, string> = { Python: 'greet_python', 'Node.js': 'greet_node' };

interface DepsPack {
  ref: string;
  version: string;
  runs: Execution[];
}

interface Greeting {
  version?: string;
  greeting?: string;
  module_file?: string;
  prefix?: string;
  base_prefix?: string;
  runtime_envs_dir?: string;
  venv_identity?: string;
  resolved?: string;
  pack_dir?: string;
}

function packs(world: AcceptanceWorld): Map<string, DepsPack> {
  return world.lazy('attune.deps-packs', () => new Map<string, DepsPack>());
}

function packNamed(world: AcceptanceWorld, name: string): DepsPack {
  const pack = packs(world).get(name);
  if (!pack) throw new Error(`no pack "${name}" in this scenario (known: ${[...packs(world).keys()].join(', ') || 'none'})`);
  return pack;
}

const outputOf = (e: Execution) => (e.result?.data ?? {}) as Greeting;

/**
 * The fixture pack plus what the scenario pins: requirements.txt naming its local wheel folder,
 * package.json naming a local tarball, and both versions of each package next to them.
 */
function writePackSource(world: AcceptanceWorld, version: string, requirement: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-deps-pack-'));
  world.registry.track(`temporary pack folder ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
  fs.cpSync(DEPS_PACK_DIR, dir, { recursive: true });
  fs.mkdirSync(path.join(dir, 'wheels'));
  fs.mkdirSync(path.join(dir, 'npm'));
  for (const v of OFFERED) {
    const wheel = greetingWheel(v);
    fs.writeFileSync(path.join(dir, 'wheels', wheel.fileName), wheel.data);
    const tarball = greetingTarball(v);
    fs.writeFileSync(path.join(dir, 'npm', tarball.fileName), tarball.data);
  }
  // pip resolves a relative --find-links in a requirements file against the file's own folder.
  fs.writeFileSync(path.join(dir, 'requirements.txt'), `# local wheels only, built by the suite\n--find-links wheels\n${requirement}\n`);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'e2e-deps-pack', version: '1.0.0', private: true,
    dependencies: { [GREETING]: `file:npm/${greetingTarball(version).fileName}` },
  }, null, 2));
  return dir;
}

async function uploadDepsPack(world: AcceptanceWorld, name: string, version: string, requirement: string): Promise<void> {
  const ref = refName(world, 'deps');
  await world.attune.uploadPack(writePackSource(world, version, requirement), ref);
  trackUndo(world, `pack ${ref}`, () => world.attune.deletePack(ref));
  packs(world).set(name, { ref, version, runs: [] });
}

Given('a pack {string} that depends on e2e-greeting {string}', async function (this: AcceptanceWorld, name: string, version: string) {
  await uploadDepsPack(this, name, version, `${GREETING}==${version}`);
});

Given('a pack {string} that declares no dependencies', async function (this: AcceptanceWorld, name: string) {
  const ref = refName(this, 'nodeps');
  await this.attune.uploadPack(DEPS_PACK_DIR, ref);
  trackUndo(this, `pack ${ref}`, () => this.attune.deletePack(ref));
  packs(this).set(name, { ref, version: 'none', runs: [] });
});

async function start(world: AcceptanceWorld, pack: DepsPack, language: Language, params: Record<string, unknown> = {}): Promise<number> {
  const ref = `${pack.ref}.${ACTION[language]}`;
  const reply = await world.attune.execute(ref, params);
  expect(reply.status, `running ${ref} answered ${describe(reply.body)}`).to.equal(201);
  return reply.body.data.id;
}

When('the {language} action of pack {string} runs', async function (this: AcceptanceWorld, language: Language, name: string) {
  const pack = packNamed(this, name);
  const execution = await finished(this.attune, await start(this, pack, language), FIRST_RUN_MS);
  pack.runs.push(execution);
  this.remember('attune.execution', execution);
});

When(
  'the Python actions of packs {string} and {string} run {int} times each, all at once',
  async function (this: AcceptanceWorld, first: string, second: string, times: number) {
    const both = [packNamed(this, first), packNamed(this, second)];
    // Interleaved submissions; each run holds for a second after its import so the runs overlap.
    const started = await Promise.all(
      Array.from({ length: times }, () => both).flat().map(async (pack) => ({ pack, id: await start(this, pack, 'Python', { hold_seconds: 1 }) })),
    );
    for (const { pack, id } of started) pack.runs.push(await finished(this.attune, id, FIRST_RUN_MS));
  },
);

function expectImported(execution: Execution, version: string): Greeting {
  expect(execution.status, `execution ${execution.id} of ${execution.action_ref} ended with ${JSON.stringify(execution.result)}`).to.equal('completed');
  const out = outputOf(execution);
  expect(out.version, `${GREETING} version imported by execution ${execution.id} (output ${JSON.stringify(out)})`).to.equal(version);
  expect(out.greeting, `what e2e-greeting said in execution ${execution.id}`).to.equal(expectedGreeting(version));
  return out;
}

Then('every run of pack {string} completed having imported e2e-greeting {string}', function (this: AcceptanceWorld, name: string, version: string) {
  const pack = packNamed(this, name);
  expect(pack.runs, `runs of pack ${name}`).to.not.be.empty;
  for (const run of pack.runs) expectImported(run, version);
});

/** The venv a run's interpreter lived in: `<ATTUNE_RUNTIME_ENVS_DIR>/venvs/<pack>` (upstream sanitises '.' to '_'). */
function expectOwnVenv(pack: DepsPack, run: Execution): string {
  const out = outputOf(run);
  expect(out.runtime_envs_dir, `ATTUNE_RUNTIME_ENVS_DIR seen by execution ${run.id}`).to.be.a('string').and.not.equal('');
  const venv = path.join(out.runtime_envs_dir!, 'venvs', pack.ref.replace(/[/\\.]/g, '_'));
  expect(out.prefix, `sys.prefix of execution ${run.id}: the pack's own virtualenv`).to.equal(venv);
  expect(out.base_prefix, `the base interpreter of execution ${run.id} (a venv's base differs from the venv)`).to.not.equal(out.prefix);
  expect(out.module_file, `where execution ${run.id} imported e2e_greeting from`).to.match(new RegExp(`^${escape(venv)}/lib/python[0-9.]+/site-packages/e2e_greeting/__init__\\.py$`));
  return venv;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

Then("pack {string}'s Python action ran in the pack's own virtualenv under venvs\\/", function (this: AcceptanceWorld, name: string) {
  const pack = packNamed(this, name);
  for (const run of pack.runs) expectOwnVenv(pack, run);
});

Then('the packs {string} and {string} ran in different virtualenvs', function (this: AcceptanceWorld, first: string, second: string) {
  const [a, b] = [packNamed(this, first), packNamed(this, second)];
  const venvs = (pack: DepsPack) => new Set(pack.runs.map((r) => expectOwnVenv(pack, r)));
  const [va, vb] = [venvs(a), venvs(b)];
  expect([...va], `virtualenvs of pack ${first}`).to.have.length(1);
  expect([...vb], `virtualenvs of pack ${second}`).to.have.length(1);
  expect([...va][0], `pack ${first}'s virtualenv against pack ${second}'s`).to.not.equal([...vb][0]);
});

Then("the second run of pack {string} reused the virtualenv the first one built", function (this: AcceptanceWorld, name: string) {
  const [first, second] = packNamed(this, name).runs;
  expect(second, `a second run of pack ${name}`).to.not.equal(undefined);
  const [a, b] = [outputOf(first), outputOf(second)];
  expect(a.venv_identity, `pyvenv.cfg (inode:mtime) seen by execution ${first.id}`).to.be.a('string');
  // The same pyvenv.cfg file, never rewritten: the environment was not rebuilt.
  expect(b.venv_identity, `pyvenv.cfg (inode:mtime) seen by execution ${second.id} against execution ${first.id}`).to.equal(a.venv_identity);
  expect(b.prefix, `venv of execution ${second.id}`).to.equal(a.prefix);
});

Then('the runs of packs {string} and {string} overlapped in time', function (this: AcceptanceWorld, first: string, second: string) {
  const span = (e: Execution) => [ms(e.started_at ?? e.created), ms(e.updated)] as const;
  const overlaps = packNamed(this, first).runs.some((a) => packNamed(this, second).runs.some((b) => {
    const [[a0, a1], [b0, b1]] = [span(a), span(b)];
    return a0 < b1 && b0 < a1;
  }));
  const spans = [first, second].map((n) => `${n}: ${packNamed(this, n).runs.map((e) => `${e.id} ${e.started_at}..${e.updated}`).join(', ')}`);
  expect(overlaps, `a run of ${first} running while one of ${second} ran (target timestamps; ${spans.join('; ')})`).to.equal(true);
});

Then(
  "the {language} action of pack {string} failed because {string} is not installed",
  function (this: AcceptanceWorld, language: Language, name: string, module: string) {
    const run = packNamed(this, name).runs.at(-1)!;
    expect(run.status, `execution ${run.id} of ${run.action_ref} ended with ${JSON.stringify(run.result)}`).to.equal('failed');
    const pattern = language === 'Python' ? `No module named '${module}'` : `Cannot find module '${module}'`;
    expect(String(run.result?.error ?? ''), `error of execution ${run.id}`).to.include(pattern);
  },
);

Then('its run failed with pip saying no local distribution matches {string}', function (this: AcceptanceWorld, requirement: string) {
  const run = this.recall<Execution>('attune.execution');
  expect(run.status, `execution ${run.id} of ${run.action_ref} ended with ${JSON.stringify(run.result)}`).to.equal('failed');
  const error = String(run.result?.error ?? '');
  expect(error, `error of execution ${run.id}`).to.include(`No matching distribution found for ${requirement}`);
  // The versions pip saw are exactly the local folder's: it looked nowhere else.
  expect(error, `versions pip found, in the error of execution ${run.id}`).to.include(`(from versions: ${OFFERED.join(', ')})`);
});

Then("pack {string}'s Node.js action resolved e2e-greeting from the pack's own node_modules", function (this: AcceptanceWorld, name: string) {
  for (const run of packNamed(this, name).runs) {
    const out = outputOf(run);
    expect(out.pack_dir, `pack directory reported by execution ${run.id}`).to.be.a('string');
    expect(out.resolved, `where execution ${run.id} resolved e2e-greeting from`).to.equal(path.join(out.pack_dir!, 'node_modules', GREETING, 'index.js'));
  }
});
