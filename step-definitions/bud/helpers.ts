/**
 * What the bud steps share: the scenario's bud user and admin, registration/login with cleanup,
 * the created-entity undo for models and workflows, remembered answers, and the outcome check.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Body, BudResponse, BudTokens, tokensOf } from '../../world/clients/bud';
import { describe } from '../../world/wait';
import { redact } from '../../world/redact';
import { BudCall, BudOutcome } from '../../support/params-bud';

export interface BudUser {
  name: string;
  email: string;
  password: string;
  role: string;
  id?: string;
  /** The live session's tokens; `earlier` are the ones a refresh or re-login replaced. */
  tokens?: BudTokens;
  earlier?: BudTokens;
  loggedOut?: BudTokens;
}

const USER = 'bud:user';

/** A value for an assertion message, with tokens and passwords redacted. */
export const show = (value: unknown): string => describe(redact(value));

/** A strong password: upper, lower, digit, punctuation, no whitespace. */
export const strongPassword = (): string => `E2e-Pw-${randomBytes(6).toString('hex')}-Xy9!`;

/** A unique email for this run, worker and scenario. */
export const uniqueEmail = (w: AcceptanceWorld): string => `${w.uniqueName('bud')}@example.com`;

/** Registration data for a visitor nobody has registered yet (names allow letters only). */
export function freshUser(w: AcceptanceWorld, role = 'developer', name = 'Acceptance Tester'): BudUser {
  return { name, email: uniqueEmail(w), password: strongPassword(), role };
}

export const budUser = (w: AcceptanceWorld): BudUser => w.recall<BudUser>(USER);
export const setBudUser = (w: AcceptanceWorld, u: BudUser): BudUser => w.remember(USER, u);

export const registrationBody = (u: BudUser): Body => ({ name: u.name, email: u.email, password: u.password, role: u.role });

/**
 * Every account a scenario registers is deleted by the admin afterwards (DELETE /users/{id}), and the
 * undo then proves it: logging in as the deleted account must no longer give a session.
 */
export function trackAccount(w: AcceptanceWorld, u: BudUser): void {
  w.registry.track(`bud user ${u.email}`, async () => {
    if (!u.id) {
      const login = await w.bud.login({ email: u.email, password: u.password });
      const tokens = tokensOf(login.body);
      if (!tokens) throw new Error(`cannot log in as ${u.email} to find its id: ${login.status} ${show(login.body)}`);
      const me = await w.bud.me(tokens.access_token);
      u.id = (me.body.user as Body | undefined)?.id as string | undefined;
      if (!u.id) throw new Error(`no id in the profile of ${u.email}: ${me.status} ${show(me.body)}`);
    }
    await undoing(`deleting bud user ${u.email}`, async () => w.bud.deleteUser(await w.bud.adminAccessToken(), u.id!));
    // Prove the deletion took: the deleted account's login is refused (400, no session).
    const after = await w.bud.login({ email: u.email, password: u.password });
    if (after.status !== 400 || tokensOf(after.body)) throw new Error(`bud user ${u.email} was deleted, yet its login answered ${after.status} ${show(after.body)} (expected 400)`);
  });
}

/** Register `u`; a created account is tracked for deletion at once. */
export async function register(w: AcceptanceWorld, u: BudUser, body: Body = registrationBody(u), clientAddress?: string): Promise<BudResponse> {
  const res = await w.bud.register(body, clientAddress);
  if (res.status === 200) {
    const same = body.email === u.email && body.password === u.password;
    trackAccount(w, same ? u : { ...u, email: String(body.email), password: String(body.password) });
  }
  return res;
}

/** Log `u` in; on success the new tokens become the live session and the old ones `earlier`. */
export async function logIn(w: AcceptanceWorld, u: BudUser, extra: Body = {}): Promise<BudResponse> {
  const res = await w.bud.login({ email: u.email, password: u.password, ...extra });
  const tokens = tokensOf(res.body);
  if (res.status === 200 && tokens) {
    u.earlier = u.tokens ?? u.loggedOut;
    u.tokens = tokens;
  }
  return res;
}

/** The user's live access token (fails the step clearly when there is no session). */
export function accessToken(u: BudUser): string {
  if (!u.tokens) throw new Error(`bud user ${u.email} has no session; log in first`);
  return u.tokens.access_token;
}

export async function givenRegisteredUser(w: AcceptanceWorld, u: BudUser = freshUser(w)): Promise<BudUser> {
  const res = await register(w, u);
  expect(res.status, `registering ${u.email}: expected 200, got ${res.status} ${show(res.body)}`).to.equal(200);
  return setBudUser(w, u);
}

export async function givenLoggedIn(w: AcceptanceWorld, u: BudUser): Promise<BudUser> {
  const res = await logIn(w, u);
  expect(res.status, `logging in ${u.email}: expected 200 with tokens under "token", got ${res.status} ${show(res.body)}`).to.equal(200);
  expect(tokensOf(res.body), `login answer of ${u.email} has no access/refresh token under "token": ${show(res.body)}`).to.not.equal(undefined);
  return u;
}

// --- remembered answers ----------------------------------------------------------------------

export function rememberAnswer(w: AcceptanceWorld, call: BudCall, res: BudResponse): BudResponse {
  w.remember(`bud:answer:${call}`, res);
  return res;
}

export const answer = (w: AcceptanceWorld, call: BudCall): BudResponse => w.recall<BudResponse>(`bud:answer:${call}`);

/**
 * The contract's one answer: 200 with a `{object, ...}` body, or the refusal status with either
 * budapp's ErrorResponse (`object:"error"`, same `code`) or FastAPI's `{detail}` (a list for 422).
 * `saying` is the exact message or detail.
 */
export function expectOutcome(call: BudCall, res: BudResponse, outcome: BudOutcome, saying?: string): void {
  const got = `${res.status} ${show(res.body)}`;
  expect(res.status, `${call}: expected ${outcome.text}, got ${got}`).to.equal(outcome.status);
  const body = (res.body ?? {}) as Body;
  if (outcome.status === 200) {
    expect(body.object, `${call}: expected a budapp answer with "object", got ${got}`).to.be.a('string');
  } else if (outcome.status === 422) {
    expect(body.detail, `${call}: expected FastAPI's validation detail list, got ${got}`).to.be.an('array').that.is.not.empty;
  } else if (body.object === 'error') {
    expect(body.code, `${call}: expected ErrorResponse code ${outcome.status}, got ${got}`).to.equal(outcome.status);
  } else {
    expect(said(body), `${call}: expected ErrorResponse {object:"error"}, {detail} or the gateway's {error}, got ${got}`).to.be.a('string');
    if (outcome.status === 401 && typeof body.detail === 'string') {
      expect(res.headers['www-authenticate'], `${call}: a 401 {detail} must carry WWW-Authenticate: Bearer, got ${show(res.headers)}`).to.equal('Bearer');
    }
  }
  if (saying !== undefined) expect(said(body), `${call}: expected it to say "${saying}", got ${got}`).to.equal(saying);
}

/** What an answer says: budapp's `message`, FastAPI's `detail`, or the gateway's `error`. */
function said(body: Body): unknown {
  if (typeof body.message === 'string') return body.message;
  if (typeof body.detail === 'string') return body.detail;
  const error = body.error as Body | string | undefined;
  return typeof error === 'string' ? error : error?.message;
}

/** A UUID nothing in budapp has. */
export const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/**
 * Run an undo call: 200 is done, budapp's own 404 (ErrorResponse) means already gone; anything else,
 * including a framework 404 for a route that does not exist, is a cleanup failure.
 */
export async function undoing(what: string, call: () => Promise<BudResponse>): Promise<void> {
  const res = await call();
  const gone = res.status === 404 && (res.body as Body | undefined)?.object === 'error';
  if (res.status !== 200 && !gone) throw new Error(`${what} answered ${res.status} ${show(res.body)}`);
}

