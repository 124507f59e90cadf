/** Bud password reset: the request, the mailed token (read through the operator), and the reset. */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { BudResponse } from '../../world/clients/bud';
import { eventually, holdsFor } from '../../world/wait';
import { BudOutcome } from '../../support/params-bud';
import { answer, budUser, expectOutcome, freshUser, logIn, rememberAnswer, show, strongPassword } from './helpers';

const TOKENS = 'bud:mailed-tokens';
const MADE_UP = 'made-up-reset-token-8c2d';

/** The mailed reset token (`latest` by default); a made-up one when nothing was mailed. */
export function mailedToken(w: AcceptanceWorld, which: 'first' | 'latest' = 'latest'): string {
  const tokens = w.recalled(TOKENS) ? w.recall<string[]>(TOKENS) : [];
  return (which === 'first' ? tokens[0] : tokens[tokens.length - 1]) ?? MADE_UP;
}

/** Ask for a reset of the user's password and wait for the mail, keeping every token mailed so far. */
async function requestReset(w: AcceptanceWorld): Promise<BudResponse> {
  const u = budUser(w);
  const before = w.recalled(TOKENS) ? w.recall<string[]>(TOKENS).length : 0;
  const res = rememberAnswer(w, 'reset request', await w.bud.requestPasswordReset({ email: u.email }));
  if (res.status !== 200) return res;
  const mails = await eventually(() => w.bud.operator.resetMails(u.email), (m) => m.length > before, {
    within: 10_000,
    what: `password-reset mail number ${before + 1} to ${u.email}`,
  });
  w.remember(TOKENS, mails.map((m) => m.token));
  return res;
}

When('the bud user requests a password reset', async function (this: AcceptanceWorld) {
  await requestReset(this);
});

Given('the bud user has requested a password reset( again)', async function (this: AcceptanceWorld) {
  expectOutcome('reset request', await requestReset(this), { status: 200, text: 'accepted' });
});

When('a password reset is requested for an email without an account', async function (this: AcceptanceWorld) {
  const email = this.remember('bud:unknown-email', freshUser(this).email);
  rememberAnswer(this, 'reset request', await this.bud.requestPasswordReset({ email }));
});

Then('the reset request answer acknowledges with status {string} and a transaction id', function (this: AcceptanceWorld, status: string) {
  const { body } = answer(this, 'reset request');
  const got = { acknowledged: body.acknowledged, status: body.status, transaction: typeof body.transaction_id };
  expect(got, `reset request answer: expected acknowledged, status "${status}" and a transaction id, got ${show(body)}`)
    .to.deep.equal({ acknowledged: true, status, transaction: 'string' });
});

Then('a password-reset mail reaches the bud user', function (this: AcceptanceWorld) {
  expect(mailedToken(this), `no reset mail reached ${budUser(this).email}`).to.not.equal(MADE_UP);
});

Then('no password-reset mail is sent to that email', async function (this: AcceptanceWorld) {
  const email = this.recall<string>('bud:unknown-email');
  await holdsFor(() => this.bud.operator.resetMails(email), (m) => m.length === 0, 1000, { what: `no reset mail to ${email}` });
});

// --- checking and using the token ------------------------------------------------------------

async function checkToken(w: AcceptanceWorld, which: 'first' | 'latest'): Promise<BudResponse> {
  return rememberAnswer(w, 'reset token check', await w.bud.validateResetToken({ token: mailedToken(w, which) }));
}

function expectValidity(res: BudResponse, valid: boolean, email?: string): void {
  const got = `${res.status} ${show(res.body)}`;
  expect(res.status, `reset token check: expected 200, got ${got}`).to.equal(200);
  expect(res.body.is_valid, `reset token check: expected is_valid ${valid}, got ${got}`).to.equal(valid);
  if (valid) expect(res.body.email, `reset token check: expected email ${email}, got ${got}`).to.equal(email);
  else expect(res.body.email, `reset token check: an invalid token must not reveal an email, got ${got}`).to.equal(null);
}

When("the bud user's mailed reset token is checked", async function (this: AcceptanceWorld) {
  await checkToken(this, 'latest');
});

Then("the reset token is reported valid for the bud user's email", function (this: AcceptanceWorld) {
  expectValidity(answer(this, 'reset token check'), true, budUser(this).email);
});

Then('the reset token is reported invalid', function (this: AcceptanceWorld) {
  expectValidity(answer(this, 'reset token check'), false);
});

Then("the bud user's {budMailedToken} reset token is reported {budValidity}", async function (this: AcceptanceWorld, which: 'first' | 'latest', valid: boolean) {
  expectValidity(await checkToken(this, which), valid, budUser(this).email);
});

Then("within {duration} the bud user's {budMailedToken} reset token is reported {budValidity}", async function (
  this: AcceptanceWorld, within: number, which: 'first' | 'latest', valid: boolean,
) {
  const res = await eventually(() => checkToken(this, which), (r) => r.status === 200 && r.body.is_valid === valid, {
    within, what: `the ${which} reset token to be reported ${valid ? 'valid' : 'invalid'}`,
  });
  expectValidity(res, valid, budUser(this).email);
});

/** Reset the password with the latest mailed token; on success the user's password changes. */
async function resetWith(w: AcceptanceWorld, password: string): Promise<BudResponse> {
  const u = budUser(w);
  const res = await w.bud.resetPasswordWithToken({ token: mailedToken(w), new_password: password, confirm_password: password });
  if (res.status === 200) {
    w.remember('bud:old-password', u.password);
    u.password = password;
  }
  return rememberAnswer(w, 'password reset', res);
}

When('the bud user resets the password with the mailed token', async function (this: AcceptanceWorld) {
  await resetWith(this, strongPassword());
});

When('the bud user resets the password with the mailed token to {string}', async function (this: AcceptanceWorld, password: string) {
  await resetWith(this, password);
});

Given('the bud user has reset the password with the mailed token', async function (this: AcceptanceWorld) {
  expectOutcome('password reset', await resetWith(this, strongPassword()), { status: 200, text: 'accepted' });
});

Then('resetting the password with it is {budOutcome} saying {string}', async function (this: AcceptanceWorld, outcome: BudOutcome, saying: string) {
  expectOutcome('password reset', await resetWith(this, strongPassword()), outcome, saying);
});

Then('the bud user can log in with the new password but not with the old one', async function (this: AcceptanceWorld) {
  const u = budUser(this);
  expectOutcome('login', await logIn(this, u), { status: 200, text: 'accepted' });
  const old = await this.bud.login({ email: u.email, password: this.recall<string>('bud:old-password') });
  expectOutcome('login', old, { status: 400, text: 'refused as a bad request (400)' }, 'Incorrect email or password');
});

Then('the bud user can still log in', async function (this: AcceptanceWorld) {
  expectOutcome('login', await logIn(this, budUser(this)), { status: 200, text: 'accepted' });
});
