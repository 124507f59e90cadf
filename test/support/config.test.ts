import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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
