/**
 * HTTP calls from Attune (T3.18): upstream's `core.http_request` action, aimed at a local HTTP
 * receiver the scenario starts itself. What was sent is read from the receiver; what Attune made
 * of the answer is read from the execution's JSON output.
 */
import * as net from 'node:net';
import { DataTable, Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Execution, Rule, Trigger } from '../../world/clients/attune';
import { HttpReceiver, ReceivedRequest } from '../../world/capture/http-receiver';
import { describe } from '../../world/wait';
import { createRule, executionsOf, finished, thePack } from './context';

const HTTP_ACTION = 'core.http_request';

/** core.http_request's output (upstream packs/core/actions/http_request.yaml output_schema). */
interface HttpOutput {
  status_code?: number;
  headers?: Record<string, string>;
  body?: string;
  json?: unknown;
  elapsed_ms?: number;
  url?: string;
  success?: boolean;
  error?: string;
}

function receiver(world: AcceptanceWorld): HttpReceiver {
  return world.recall<HttpReceiver>('attune.receiver');
}

Given('a local HTTP receiver that answers {int} with {string}', async function (this: AcceptanceWorld, status: number, body: string) {
  // Built through the World, so it is closed and its traffic attached to a failure report.
  const built = this.lazy('http receiver', () => new HttpReceiver());
  await built.listen({ status, body, headers: { 'x-receiver': 'e2e' } });
  this.remember('attune.receiver', built);
});

/** The action's parameters from a table: method, path (on the receiver), `header <Name>` rows, body. */
function requestParams(world: AcceptanceWorld, rows: Record<string, string>): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const params: Record<string, unknown> = { url: `${receiver(world).url}${rows.path ?? '/'}`, headers };
  for (const [name, value] of Object.entries(rows)) {
    if (name.startsWith('header ')) headers[name.slice('header '.length)] = value;
    else if (name !== 'path') params[name] = value;
  }
  return params;
}

Given('a rule that calls the receiver with core.http_request on that trigger:', async function (this: AcceptanceWorld, table: DataTable) {
  await createRule(this, this.attune, {
    packRef: thePack(this).ref,
    actionRef: HTTP_ACTION,
    triggerRef: this.recall<Trigger>('attune.trigger').ref,
    actionParams: requestParams(this, table.rowsHash()),
  });
});

async function runHttpAction(world: AcceptanceWorld, params: Record<string, unknown>): Promise<void> {
  const reply = await world.attune.execute(HTTP_ACTION, params);
  expect(reply.status, `running ${HTTP_ACTION} answered ${describe(reply.body)}`).to.equal(201);
  world.remember('attune.execution', await finished(world.attune, reply.body.data.id));
}

When('core.http_request is run against the receiver:', async function (this: AcceptanceWorld, table: DataTable) {
  await runHttpAction(this, requestParams(this, table.rowsHash()));
});

When('core.http_request is run against a port where nothing listens', async function (this: AcceptanceWorld) {
  // A port that was free a moment ago: bound, then released, so nothing answers on it.
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = s.address() as net.AddressInfo;
      s.close(() => resolve(p));
    });
  });
  await runHttpAction(this, { url: `http://127.0.0.1:${port}/nobody`, method: 'GET', timeout: 10 });
});

Then("the rule's HTTP request has run", async function (this: AcceptanceWorld) {
  const [execution] = await executionsOf(this.attune, { rule_ref: this.recall<Rule>('attune.rule').ref }, 1, 20_000);
  this.remember('attune.execution', await finished(this.attune, execution.id));
});

function onlyRequest(world: AcceptanceWorld): ReceivedRequest {
  const got = receiver(world).requests.all();
  expect(got.map((r) => `${r.method} ${r.path}`), 'requests the receiver got').to.have.length(1);
  return got[0];
}

Then('the receiver got exactly one {word} request to {string}', function (this: AcceptanceWorld, method: string, path: string) {
  const request = onlyRequest(this);
  expect(`${request.method} ${request.path}`, 'the request the receiver got').to.equal(`${method} ${path}`);
});

Then('it carried the headers:', function (this: AcceptanceWorld, table: DataTable) {
  const request = onlyRequest(this);
  for (const [name, value] of Object.entries(table.rowsHash())) {
    expect(request.headers[name.toLowerCase()], `header ${name} of the request (all: ${JSON.stringify(request.headers)})`).to.equal(value);
  }
});

Then('its body was the JSON:', function (this: AcceptanceWorld, doc: string) {
  const { body } = onlyRequest(this);
  let parsed: unknown;
  expect(() => (parsed = JSON.parse(body)), `the request body is JSON: ${body}`).to.not.throw();
  expect(parsed, 'the request body').to.deep.equal(JSON.parse(doc));
});

function httpOutput(execution: Execution): HttpOutput {
  if (execution.result?.data) return execution.result.data as HttpOutput;
  // A failed run keeps its (JSON) stdout unparsed in the result.
  try {
    return JSON.parse(String(execution.result?.stdout ?? '').trim().split('\n').pop() ?? '');
  } catch {
    return {};
  }
}

Then(
  'the HTTP request execution {execution-status} with status code {int}, success {word} and the receiver\'s answer',
  function (this: AcceptanceWorld, status: string, code: number, success: string) {
    const execution = this.recall<Execution>('attune.execution');
    expect(execution.status, `execution ${execution.id} ended with ${JSON.stringify(execution.result)}`).to.equal(status);
    const out = httpOutput(execution);
    const request = onlyRequest(this);
    expect(out.status_code, `status_code in the output of execution ${execution.id}: ${JSON.stringify(out)}`).to.equal(code);
    expect(out.success, 'success (2xx) in the output').to.equal(success === 'true');
    const answer = receiver(this).answering.body;
    expect(out.body, "the response body, as the receiver's answer").to.equal(answer);
    expect(out.headers?.['x-receiver'], `response headers captured: ${JSON.stringify(out.headers)}`).to.equal('e2e');
    expect(out.url, 'the URL called').to.equal(`${receiver(this).url}${request.path}`);
    expect(out.json, 'the parsed JSON response (null when the body is not JSON)').to.deep.equal(/^\s*[[{]/.test(answer) ? JSON.parse(answer) : null);
    expect(out.elapsed_ms, 'elapsed_ms in the output').to.be.a('number').and.be.at.least(0);
  },
);

Then('the HTTP request execution failed saying {string}', function (this: AcceptanceWorld, message: string) {
  const execution = this.recall<Execution>('attune.execution');
  expect(execution.status, `execution ${execution.id} ended with ${JSON.stringify(execution.result)}`).to.equal('failed');
  const out = httpOutput(execution);
  expect(out, `output of execution ${execution.id}`).to.include({ status_code: 0, success: false, error: message });
});
