/** Bud accounts: registration, login and the user's own profile (/users/me). */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Body, BudResponse, tokensOf } from '../../world/clients/bud';
import {
  accessToken, answer, budUser, expectOutcome, freshUser, givenLoggedIn, givenRegisteredUser, logIn, register,
  registrationBody, rememberAnswer, setBudUser, show, strongPassword, trackAccount,
} from './helpers';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The profile in the last profile answer. */
function profileOf(w: AcceptanceWorld): Body {
  const res = answer(w, 'profile request');
  expect(res.status, `reading the profile: expected 200, got ${res.status} ${show(res.body)}`).to.equal(200);
  const user = res.body.user as Body | undefined;
  expect(user, `expected the profile under "user", got ${show(res.body)}`).to.be.an('object');
  return user!;
}

async function readProfile(w: AcceptanceWorld, token = accessToken(budUser(w))): Promise<Body | undefined> {
  const res = rememberAnswer(w, 'profile request', await w.bud.me(token));
  const user = res.body?.user as Body | undefined;
  if (res.status === 200 && typeof user?.id === 'string') budUser(w).id = user.id;
  return user;
}

// --- registration ----------------------------------------------------------------------------

async function visitorRegisters(w: AcceptanceWorld, role: string, name?: string): Promise<void> {
  const u = setBudUser(w, freshUser(w, role, name));
  rememberAnswer(w, 'registration', await register(w, u));
}

When('a visitor registers a bud account as a(n) {budRole}', async function (this: AcceptanceWorld, role: string) {
  await visitorRegisters(this, role);
});

When('a visitor registers a bud account as a(n) {budRole} named {string}', async function (this: AcceptanceWorld, role: string, name: string) {
  await visitorRegisters(this, role, name);
});

When("a visitor registers a bud account with that user's email", async function (this: AcceptanceWorld) {
  const visitor = { ...freshUser(this), email: budUser(this).email };
  rememberAnswer(this, 'registration', await register(this, visitor, registrationBody(visitor)));
});

Then('the registration answer is an {string} acknowledgement carrying no account data', function (this: AcceptanceWorld, object: string) {
  const { body } = answer(this, 'registration');
  expect(body.object, `registration answer: expected object "${object}", got ${show(body)}`).to.equal(object);
  expect(Object.keys(body).sort(), `registration answer: expected only object and message, got ${show(body)}`).to.deep.equal(['message', 'object']);
});

Given('a registered bud user', async function (this: AcceptanceWorld) {
  await givenRegisteredUser(this);
});

Given('a logged-in bud user', async function (this: AcceptanceWorld) {
  await givenLoggedIn(this, await givenRegisteredUser(this));
});

Given('a logged-in bud {budRole} named {string}', async function (this: AcceptanceWorld, role: string, name: string) {
  await givenLoggedIn(this, await givenRegisteredUser(this, freshUser(this, role, name)));
});

// budapp creates admin-made users INVITED: they may log in, but every protected route answers 400
// "Inactive user" until they replace the password the admin gave them.
Given('a bud model manager created by the admin has logged in', async function (this: AcceptanceWorld) {
  const u = setBudUser(this, freshUser(this, 'developer', 'Model Manager'));
  const permissions = ['model:view', 'model:manage'].map((name) => ({ name, has_permission: true }));
  const res = await this.bud.createUser(await this.bud.adminAccessToken(), { ...registrationBody(u), permissions });
  expect(res.status, `creating model manager ${u.email}: expected 200, got ${res.status} ${show(res.body)}`).to.equal(200);
  u.id = (res.body.user as Body | undefined)?.id as string | undefined;
  trackAccount(this, u);
  await givenLoggedIn(this, u);
});

async function replaceGivenPassword(w: AcceptanceWorld): Promise<BudResponse> {
  const u = budUser(w);
  const password = strongPassword();
  const res = rememberAnswer(w, 'password change', await w.bud.updateUser(accessToken(u), String(u.id), { password }));
  if (res.status === 200) u.password = password;
  return res;
}

When('the bud user replaces the password the admin gave them', async function (this: AcceptanceWorld) {
  await replaceGivenPassword(this);
});

Given('the bud user has replaced the password the admin gave them', async function (this: AcceptanceWorld) {
  const res = await replaceGivenPassword(this);
  expect(res.status, `changing the given password: expected 200, got ${res.status} ${show(res.body)}`).to.equal(200);
  const status = (res.body.user as Body | undefined)?.status;
  expect(status, `after changing the given password the account should be active, got ${show(res.body)}`).to.equal('active');
});

// --- login -----------------------------------------------------------------------------------

When('the (new )bud user logs in', async function (this: AcceptanceWorld) {
  rememberAnswer(this, 'login', await logIn(this, budUser(this)));
});

When('the bud user logs in asking to be remembered', async function (this: AcceptanceWorld) {
  rememberAnswer(this, 'login', await logIn(this, budUser(this), { remember_me: true }));
});

Then('the new bud user can log in', async function (this: AcceptanceWorld) {
  await givenLoggedIn(this, budUser(this));
});

Then('the login answer carries a bearer access token and a refresh token under "token"', function (this: AcceptanceWorld) {
  const { body } = answer(this, 'login');
  const tokens = tokensOf(body);
  expect(tokens, `login answer: expected access_token and refresh_token strings under "token", got ${show(body)}`).to.not.equal(undefined);
  expect(tokens!.access_token, 'login answer: access_token is empty').to.not.equal('');
  expect(tokens!.refresh_token, 'login answer: refresh_token is empty').to.not.equal('');
  expect(tokens!.token_type, `login answer: expected token_type "Bearer", got ${show(tokens!.token_type)}`).to.equal('Bearer');
});

Then('the granted scope includes {string}', function (this: AcceptanceWorld, scope: string) {
  const granted = String(tokensOf(answer(this, 'login').body)?.scope ?? '').split(' ');
  expect(granted, `expected scope "${scope}" among ${show(granted)}`).to.include(scope);
});

Then('the login answer flags a first login', function (this: AcceptanceWorld) {
  const { body } = answer(this, 'login');
  expect(body.first_login, `login answer: expected first_login true, got ${show(body)}`).to.equal(true);
});

// --- profile ---------------------------------------------------------------------------------

When('the bud user reads the profile', async function (this: AcceptanceWorld) {
  await readProfile(this);
});

When('the bud user reads the profile {int} times', async function (this: AcceptanceWorld, times: number) {
  const token = accessToken(budUser(this));
  const answers: BudResponse[] = [];
  for (let i = 0; i < times; i += 1) answers.push(await this.bud.me(token));
  this.remember('bud:profile-reads', answers);
});

Then('every profile read is accepted and shows the registered email', function (this: AcceptanceWorld) {
  const { email } = budUser(this);
  this.recall<BudResponse[]>('bud:profile-reads').forEach((res, i) => {
    expectOutcome('profile request', res, { status: 200, text: 'accepted' });
    expect((res.body.user as Body)?.email, `profile read ${i + 1}: expected email ${email}, got ${show(res.body)}`).to.equal(email);
  });
});

When("the bud user's profile request with the {budTokenAge} access token is sent", async function (this: AcceptanceWorld, age: string) {
  await readProfile(this, tokenOfAge(this, age));
});

Then("the bud user's profile can be read with the {budTokenAge} access token", async function (this: AcceptanceWorld, age: string) {
  const user = await readProfile(this, tokenOfAge(this, age));
  expectOutcome('profile request', answer(this, 'profile request'), { status: 200, text: 'accepted' });
  expect(user?.email, `profile read with the ${age} token: expected ${budUser(this).email}, got ${show(user)}`).to.equal(budUser(this).email);
});

function tokenOfAge(w: AcceptanceWorld, age: string): string {
  const u = budUser(w);
  const tokens = age === 'previous' ? u.earlier : age === 'logged-out' ? u.loggedOut : u.tokens;
  if (!tokens) throw new Error(`bud user ${u.email} has no ${age} access token`);
  return tokens.access_token;
}

Then("the bud user's profile shows the registered email", function (this: AcceptanceWorld) {
  const user = profileOf(this);
  expect(user.email, `profile: expected email ${budUser(this).email}, got ${show(user)}`).to.equal(budUser(this).email);
});

Then("the bud user's profile shows the registered name, email and role", async function (this: AcceptanceWorld) {
  if (!this.recalled('bud:answer:profile request')) await readProfile(this);
  const u = budUser(this);
  const user = profileOf(this);
  const got = { name: user.name, email: user.email, role: user.role };
  expect(got, `profile: expected what was registered, got ${show(user)}`).to.deep.equal({ name: u.name, email: u.email, role: u.role });
});

Then("the bud user's profile has {budProfileField} {string}", async function (this: AcceptanceWorld, field: string, value: string) {
  if (!this.recalled('bud:answer:profile request')) await readProfile(this);
  const user = profileOf(this);
  expect(user[field], `profile: expected ${field} "${value}", got ${show(user)}`).to.equal(value);
});

Then("the bud user's profile has every one of id, name, email, role, status filled in", function (this: AcceptanceWorld) {
  const user = profileOf(this);
  const empty = ['id', 'name', 'email', 'role', 'status'].filter((k) => user[k] === undefined || user[k] === null || user[k] === '');
  expect(empty, `profile: expected id, name, email, role and status, missing ${empty.join(', ')} in ${show(user)}`).to.deep.equal([]);
});

Then("the bud user's profile id is a UUID", function (this: AcceptanceWorld) {
  const { id } = profileOf(this);
  expect(String(id), `profile: expected a UUID id, got ${show(id)}`).to.match(UUID);
});

Then("the bud user's profile email is a well-formed address", function (this: AcceptanceWorld) {
  const { email } = profileOf(this);
  expect(String(email), `profile: expected a well-formed email, got ${show(email)}`).to.match(EMAIL);
});

Then("the profile request answer does not contain the bud user's password", function (this: AcceptanceWorld) {
  const text = JSON.stringify(answer(this, 'profile request').body);
  expect(text.includes(budUser(this).password), 'profile answer contains the password').to.equal(false);
  expect(profileOf(this), 'profile answer has a password field').to.not.have.property('password');
});
