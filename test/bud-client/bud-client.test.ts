/** BudClient on the wire (against a tiny recording server) and the bud priority counter. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { BudClient, tokensOf } from '../../world/clients/bud';
import { HttpLog } from '../../world/clients/http';
import { compare, countFeature } from '../../scripts/bud-priority-count';

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  forwardedFor?: string;
  contentType?: string;
  body: string;
}

async function recordingServer(reply: (seen: Seen) => unknown): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const s: Seen = {
      method: req.method!, url: req.url!, authorization: req.headers.authorization,
      forwardedFor: req.headers['x-forwarded-for'] as string | undefined,
      contentType: req.headers['content-type'], body: Buffer.concat(chunks).toString('utf8'),
    };
    seen.push(s);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(reply(s)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

const LOGIN = { object: 'auth_token', message: 'ok', token: { access_token: 'acc-1', refresh_token: 'ref-1', token_type: 'Bearer' } };

test('tokensOf reads the tokens nested under "token" and never the top level', () => {
  assert.deepEqual(tokensOf(LOGIN), LOGIN.token);
  assert.equal(tokensOf({ object: 'auth_token', access_token: 'a', refresh_token: 'r' }), undefined);
  assert.equal(tokensOf({ token: { access_token: 'a' } }), undefined);
  assert.equal(tokensOf(null), undefined);
});

test('calls use the contract routes, bearer headers, multipart edits and the operator with the admin token', async () => {
  const { url, seen, server } = await recordingServer((s) => (s.url === '/auth/login' ? LOGIN : { object: 'x', messages: [{ token: 't' }] }));
  try {
    const bud = new BudClient({ embedded: true, url, gatewayUrl: url, admin: { email: 'admin@bud.example', password: 'Secret-Passw0rd!' } }, new HttpLog());
    await bud.register({ email: 'a@example.com' }, '198.18.0.1');
    await bud.me('tok');
    await bud.me(null);
    await bud.me({ header: 'Basic tok' });
    await bud.listModels('tok', { page: 2, limit: 1, name: 'm', search: true });
    await bud.editModel('tok', '11111111-1111-4111-8111-111111111111', { name: 'n', tags: [{ name: 't', color: '#FFFFFF' }] });
    const mails = await bud.operator.resetMails('a@example.com');

    assert.deepEqual(seen[0], { ...seen[0], method: 'POST', url: '/auth/register', forwardedFor: '198.18.0.1' });
    assert.equal(seen[1].authorization, 'Bearer tok');
    assert.equal(seen[2].authorization, undefined);
    assert.equal(seen[3].authorization, 'Basic tok');
    assert.equal(seen[4].url, '/models/?page=2&limit=1&name=m&search=true');
    assert.equal(seen[5].method, 'PATCH');
    assert.match(seen[5].contentType ?? '', /^multipart\/form-data/);
    assert.match(seen[5].body, /name="tags"\r\n\r\n\[\{"name":"t","color":"#FFFFFF"\}\]/);
    assert.deepEqual([seen[6].url, seen[7].url], ['/auth/login', '/__operator__/mailbox?email=a%40example.com']);
    assert.equal(seen[7].authorization, 'Bearer acc-1');
    assert.deepEqual(mails, [{ token: 't' }]);
  } finally {
    server.close();
  }
});

test('the priority counter counts Examples rows, flags missing priorities and short features', () => {
  const text = [
    '@bud @bud-x',
    'Feature: x',
    '  @p0',
    '  Scenario: one',
    '    Given a step',
    '  @p1',
    '  Scenario Outline: many <n>',
    '    Given a step',
    '    Examples:',
    '      | n |',
    '      | 1 |',
    '      | 2 |',
    '  Scenario: untagged',
    '    Given a step',
  ].join('\n');
  const counted = countFeature(text, 'x.feature');
  assert.deepEqual(counted.counts, { p0: 1, p1: 2, p2: 0 });
  assert.equal(counted.problems.length, 1);
  const { rows, problems } = compare([{ tag: '@bud-x', title: 'x', p0: 1, p1: 3, p2: 0 }], [counted]);
  assert.deepEqual(rows[0].short, ['p1']);
  assert.equal(problems.length, 1);
});
