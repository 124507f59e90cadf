import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseConfig, skipReason } from '../../support/config';
import { parseDuration } from '../../world/duration';

const root = join(__dirname, '..', '..');

test('the embedded default parses and configures every system', () => {
  const cfg = parseConfig(readFileSync(join(root, 'config/embedded.yaml'), 'utf8'), 'config/embedded.yaml', {});
  assert.equal(cfg.attune?.target, 'embedded');
  assert.equal(cfg.waldur?.stomp.source_connections, 5);
  assert.equal(cfg.waldur?.stomp.target_connections, 1);
  assert.equal(cfg.bud?.target, 'embedded');
  assert.equal(skipReason(cfg, 'attune'), undefined);
});

test('the staging example asks for its variables one at a time, by name', () => {
  const text = readFileSync(join(root, 'config/staging.example.yaml'), 'utf8');
  assert.throws(() => parseConfig(text, 'staging.yaml', {}), (e: Error) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /^staging\.yaml: attune\.api_url needs the environment variable ATTUNE_API_URL; export ATTUNE_API_URL=/);
    assert.ok(!e.message.includes('\n'));
    return true;
  });
  const env = {
    ATTUNE_API_URL: 'https://attune.example.com',
    ATTUNE_WS_URL: 'wss://attune.example.com/ws',
    ATTUNE_DATABASE_URL: 'postgres://u:p@db:5432/attune',
    ATTUNE_LOGIN: 'qa',
    ATTUNE_PASSWORD: 'secret',
  };
  const cfg = parseConfig(text, 'staging.yaml', env);
  assert.equal(cfg.attune?.api_url, 'https://attune.example.com');
  assert.equal(cfg.strict, true);
  assert.match(skipReason(cfg, 'bud') ?? '', /bud is not configured in staging\.yaml/);
});

test('bad YAML, bad URLs, unknown sections and bad values each give one line', () => {
  const cases: [string, RegExp][] = [
    ['attune: [unclosed', /x\.yaml: is not valid YAML/],
    ['attune: {target: remote, api_url: "not a url", notifier_url: "ws://h/ws", login: a, password: b}', /attune\.api_url is not a URL/],
    ['attune: {target: remote, api_url: "ftp://h", notifier_url: "ws://h/ws", login: a, password: b}', /attune\.api_url must start with http: or https:/],
    ['atune: {}', /atune is not a known key; did you mean attune\?/],
    ['waldur: {broker: {kind: kafka}}', /waldur\.broker\.kind must be one of embedded, rabbitmq, none/],
    ['attune: {target: embedded}', /attune\.login is missing/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parseConfig(text, 'x.yaml', {}), (e: Error) => e instanceof ConfigError && re.test(e.message) && !e.message.includes('\n'));
  }
});

test('durations read as people write them', () => {
  assert.equal(parseDuration('5 seconds'), 5000);
  assert.equal(parseDuration('500 ms'), 500);
  assert.equal(parseDuration('1.5 seconds'), 1500);
  assert.equal(parseDuration('2 minutes'), 120000);
  assert.throws(() => parseDuration('soon'), /not a duration/);
});

// Issue 7's bad-config cases, each through the real command line: one line on stderr, exit 2,
// no credential echoed, no stack trace, and no scenario run.
describe('a bad config stops cucumber-js with one line and exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-config-'));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const remoteAttune = (apiUrl: string, databaseUrl = 'postgres://qa:db@db:5432/attune') =>
    `attune: {target: remote, api_url: "${apiUrl}", notifier_url: "ws://h/ws", database_url: "${databaseUrl}", login: qa, password: pw}\n`;
  const unreadable = file('unreadable.yaml', 'attune: {}');
  chmodSync(unreadable, 0o000);
  const cases: [string, string, RegExp, string[]][] = [
    ['an empty file', file('empty.yaml', ''), /configures no system; add an attune:, waldur: or bud: section/, []],
    ['a file with no system', file('none.yaml', 'strict: true\n'), /configures no system/, []],
    ['a mistyped nested key', file('typo.yaml', 'waldur: {target: embedded, stomp: {target_stmop: 1}}\n'), /waldur\.stomp\.target_stmop is not a known key; did you mean target_connections\?/, []],
    ['a mistyped broker key', file('brokr.yaml', 'waldur: {target: embedded, brokr: {kind: embedded}}\n'), /waldur\.brokr is not a known key; did you mean broker\?/, []],
    ['a database URL with a password and a bad scheme', file('db.yaml', remoteAttune('https://a.example.com', 'mysql://qa:S3cret@db:5432/attune')), /attune\.database_url must start with postgres/, ['S3cret']],
    ['an API URL with user:pass@', file('api.yaml', remoteAttune('ftp://admin:Hunter2pw@a.example.com')), /attune\.api_url must start with http: or https:/, ['Hunter2pw']],
    ['a folder', dir, /is a folder, not a file/, []],
    ['a missing file', join(dir, 'nope.yaml'), /no such file/, []],
    ['a missing variable', file('var.yaml', 'attune: {target: remote, api_url: "${E2E_TEST_UNSET_URL}", notifier_url: "ws://h/ws", login: qa, password: pw}\n'), /needs the environment variable E2E_TEST_UNSET_URL/, []],
  ];
  if (process.getuid?.() !== 0) cases.push(['an unreadable file', unreadable, /cannot be read \(permission denied\)/, []]);
  for (const [what, config, expected, secrets] of cases) {
    it(what, () => {
      const r = spawnSync(process.execPath, [join(root, 'node_modules/@cucumber/cucumber/bin/cucumber.js'), '-p', 'ci'], {
        cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, E2E_CONFIG: config, E2E_STRICT: '', CUCUMBER_WORKER_ID: '' },
      });
      assert.equal(r.status, 2, `exit ${r.status}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], /^e2e config error: /);
      assert.match(lines[0], expected);
      for (const s of secrets) assert.ok(!r.stderr.includes(s) && !r.stdout.includes(s), `${s} is shown`);
      assert.ok(!/passed|failed/.test(r.stdout), 'no scenario ran');
    });
  }
});
