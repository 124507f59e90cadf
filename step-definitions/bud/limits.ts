/**
 * Bud limits set through the operator: rate limits and reset-token lifetime. budapp keys register,
 * login and refresh limits by client address (commons/rate_limiter.py: first X-Forwarded-For hop), so
 * each scenario limits an address of its own and sends from it: parallel workers sharing one target,
 * all from 127.0.0.1, never meet each other's windows. Each setting is undone after the scenario.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { BudResponse, RateRule, tokensOf } from '../../world/clients/bud';
import { BudCall, BudOutcome } from '../../support/params-bud';
import { budUser, expectOutcome, freshUser, register, registrationBody } from './helpers';

const ADDRESS = 'bud:client-address';
let addresses = 0;

/**
 * A client address of the benchmarking range (198.18.0.0/15), unique to this worker and scenario:
 * each worker owns a block of 4096 addresses (up to 32 workers share the range without overlap).
 */
function clientAddress(w: AcceptanceWorld): string {
  const index = (Number(process.env.CUCUMBER_WORKER_ID ?? 0) % 32) * 4096 + (addresses++ % 4095) + 1;
  return w.remember(ADDRESS, `198.${18 + (index >> 16)}.${(index >> 8) & 255}.${index & 255}`);
}

async function limit(w: AcceptanceWorld, rule: RateRule, attempts: number, windowSeconds: number, key: string): Promise<void> {
  await w.bud.operator.limitRate(rule, attempts, windowSeconds, key);
  w.registry.track(`bud rate limit ${rule} for ${key}`, () => w.bud.operator.clearRateLimit(rule, key));
}

Given('{budRule} are limited to {int} per {budWindow} for one client address', async function (
  this: AcceptanceWorld, rule: RateRule, attempts: number, windowSeconds: number,
) {
  await limit(this, rule, attempts, windowSeconds, clientAddress(this));
});

When('that client address registers {int} bud accounts in a row', async function (this: AcceptanceWorld, times: number) {
  const address = this.recall<string>(ADDRESS);
  const answers: BudResponse[] = [];
  for (let i = 0; i < times; i += 1) {
    const visitor = freshUser(this);
    answers.push(await register(this, visitor, registrationBody(visitor), address));
  }
  this.remember('bud:answers:registration', answers);
});

When('that client address makes {int} failed bud login attempts in a row', async function (this: AcceptanceWorld, times: number) {
  const address = this.recall<string>(ADDRESS);
  const u = budUser(this);
  const answers: BudResponse[] = [];
  for (let i = 0; i < times; i += 1) answers.push(await this.bud.login({ email: u.email, password: 'Wr0ng-Password!' }, address));
  expect(answers.some((a) => tokensOf(a.body)), 'a login with a wrong password returned tokens').to.equal(false);
  this.remember('bud:answers:login', answers);
});

/** The client address the scenario limited (a refresh or login sent "from that client address"). */
export const limitedAddress = (w: AcceptanceWorld): string => w.recall<string>(ADDRESS);

Then('the first {int} {budCall}(e)s are {budOutcome} and the {budOrdinal} is {budOutcome}', function (
  this: AcceptanceWorld, first: number, call: BudCall, before: BudOutcome, nth: number, after: BudOutcome,
) {
  const answers = this.recall<BudResponse[]>(`bud:answers:${call}`);
  expect(answers.length, `expected ${nth} ${call} answers, got ${answers.length}`).to.equal(nth);
  answers.slice(0, first).forEach((res, i) => expectOutcome(call, res, { ...before, text: `${before.text} (attempt ${i + 1})` }));
  expectOutcome(call, answers[nth - 1], { ...after, text: `${after.text} (attempt ${nth})` });
});

Given('reset tokens live for {int} second(s)', async function (this: AcceptanceWorld, seconds: number) {
  const before = (await this.bud.operator.timings()).reset_token_ttl_seconds;
  await this.bud.operator.setTimings({ reset_token_ttl_seconds: seconds });
  this.registry.track('bud reset-token lifetime', () => this.bud.operator.setTimings({ reset_token_ttl_seconds: before }));
});
