/** Bud sessions: refreshing the access token and logging out. */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { BudResponse, tokensOf } from '../../world/clients/bud';
import { accessToken, answer, budUser, BudUser, expectOutcome, rememberAnswer, show } from './helpers';
import { limitedAddress } from './limits';

function refreshToken(u: BudUser): string {
  const tokens = u.tokens ?? u.loggedOut;
  if (!tokens) throw new Error(`bud user ${u.email} has no refresh token; log in first`);
  return tokens.refresh_token;
}

/** Refresh the user's session; a new token pair becomes the live one. */
async function refresh(w: AcceptanceWorld, clientAddress?: string): Promise<BudResponse> {
  const u = budUser(w);
  const res = await w.bud.refresh({ refresh_token: refreshToken(u) }, clientAddress);
  const tokens = tokensOf(res.body);
  if (res.status === 200 && tokens) {
    u.earlier = u.tokens;
    u.tokens = tokens;
  }
  return rememberAnswer(w, 'token refresh', res);
}

When('the bud user refreshes the session', async function (this: AcceptanceWorld) {
  await refresh(this);
});

When('the bud user refreshes the session {int} times in a row from that client address', async function (this: AcceptanceWorld, times: number) {
  const address = limitedAddress(this);
  const answers: BudResponse[] = [];
  for (let i = 0; i < times; i += 1) answers.push(await refresh(this, address));
  this.remember('bud:answers:token refresh', answers);
});

Then('the token refresh answer carries a new access token under "token"', function (this: AcceptanceWorld) {
  const { body } = answer(this, 'token refresh');
  const tokens = tokensOf(body);
  expect(tokens, `token refresh answer: expected access_token and refresh_token under "token", got ${show(body)}`).to.not.equal(undefined);
  expect(tokens!.access_token, 'token refresh answer: the access token did not change').to.not.equal(budUser(this).earlier?.access_token);
});

/** Log the user out with the live refresh token, presenting the access token unless `bearer` is false. */
async function logOut(w: AcceptanceWorld, bearer: boolean): Promise<BudResponse> {
  const u = budUser(w);
  const res = await w.bud.logout({ refresh_token: refreshToken(u) }, bearer ? accessToken(u) : null);
  if (res.status === 200) u.loggedOut = u.tokens;
  return rememberAnswer(w, 'logout', res);
}

When('the bud user logs out', async function (this: AcceptanceWorld) {
  await logOut(this, true);
});

When('the bud user logs out presenting only the refresh token', async function (this: AcceptanceWorld) {
  await logOut(this, false);
});

Given('the bud user has logged out', async function (this: AcceptanceWorld) {
  expectOutcome('logout', await logOut(this, true), { status: 200, text: 'accepted' });
});

Then("the new session's tokens differ from the logged-out ones", function (this: AcceptanceWorld) {
  const u = budUser(this);
  const now = tokensOf(answer(this, 'login').body);
  expect(now, `login answer: expected tokens under "token", got ${show(answer(this, 'login').body)}`).to.not.equal(undefined);
  expect(now!.access_token, 'the new access token equals the logged-out one').to.not.equal(u.loggedOut?.access_token);
  expect(now!.refresh_token, 'the new refresh token equals the logged-out one').to.not.equal(u.loggedOut?.refresh_token);
});
