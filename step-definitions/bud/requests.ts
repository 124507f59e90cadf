/**
 * Any budapp call, sent as the scenario's actor would send it with one thing changed (a field's
 * value, a missing field, nothing at all, a bad credential), and the contract's one answer.
 */
import { Then, When } from '@cucumber/cucumber';
import { AcceptanceWorld } from '../../world/world';
import { Body, BudAuth, BudResponse } from '../../world/clients/bud';
import { BudCall, BudCredential, BudOutcome } from '../../support/params-bud';
import { accessToken, answer, budUser, expectOutcome, freshUser, register, registrationBody, rememberAnswer, strongPassword, UNKNOWN_ID } from './helpers';
import { admin, cloudStep, localStep, modelName, onboardedModel, onboarding, sendStep } from './model-support';
import { mailedToken } from './password-reset';
import { KUBECONFIG } from './deployments';

interface CallSpec {
  /** The body a well-behaved caller sends. */
  body?: (w: AcceptanceWorld) => Body | Promise<Body>;
  /** The access token a well-behaved caller presents. */
  token: (w: AcceptanceWorld) => Promise<string>;
  send: (w: AcceptanceWorld, body: Body, auth: BudAuth) => Promise<BudResponse>;
}

const asUser = async (w: AcceptanceWorld) => accessToken(budUser(w));
/** Calls made without an access token (the credential steps then start from an empty one). */
const anonymous = async () => '';
const modelId = (w: AcceptanceWorld) => (w.recalled('bud:model') ? onboardedModel(w).id : UNKNOWN_ID);

export const CALLS: Record<BudCall, CallSpec> = {
  registration: {
    body: (w) => registrationBody(w.remember('bud:visitor', freshUser(w))),
    token: anonymous,
    send: (w, body) => register(w, w.recall('bud:visitor'), body),
  },
  login: {
    body: (w) => ({ email: budUser(w).email, password: budUser(w).password }),
    token: anonymous,
    send: (w, body) => w.bud.login(body),
  },
  'token refresh': {
    body: (w) => ({ refresh_token: budUser(w).tokens?.refresh_token }),
    token: anonymous,
    send: (w, body) => w.bud.refresh(body),
  },
  logout: {
    body: (w) => ({ refresh_token: budUser(w).tokens?.refresh_token }),
    token: asUser,
    send: (w, body, auth) => w.bud.logout(body, auth),
  },
  'profile request': { token: asUser, send: (w, _b, auth) => w.bud.me(auth) },
  'reset request': {
    body: (w) => ({ email: budUser(w).email }),
    token: anonymous,
    send: (w, body) => w.bud.requestPasswordReset(body),
  },
  'reset token check': {
    body: (w) => ({ token: mailedToken(w) }),
    token: anonymous,
    send: (w, body) => w.bud.validateResetToken(body),
  },
  'password reset': {
    body: (w) => {
      const password = strongPassword();
      return { token: mailedToken(w), new_password: password, confirm_password: password };
    },
    token: anonymous,
    send: (w, body) => w.bud.resetPasswordWithToken(body),
  },
  'password change': {
    body: () => ({ password: strongPassword() }),
    token: asUser,
    send: (w, body, auth) => w.bud.updateUser(auth, String(budUser(w).id), body),
  },
  'cloud onboarding step': {
    body: (w) => cloudStep(w, modelName(w)),
    token: admin,
    send: (w, body, auth) => sendStep(w, 'cloud', body, auth),
  },
  'local onboarding step': {
    body: (w) => localStep(modelName(w), 'prajjwal1/bert-tiny'),
    token: admin,
    send: (w, body, auth) => sendStep(w, 'local', body, auth),
  },
  'workflow lookup': { token: admin, send: (w, _b, auth) => w.bud.getWorkflow(auth, onboarding(w).workflowId ?? UNKNOWN_ID) },
  'provider listing': { token: admin, send: (w, _b, auth) => w.bud.providers(auth) },
  'model listing': { token: admin, send: (w, _b, auth) => w.bud.listModels(auth) },
  'model lookup': { token: admin, send: (w, _b, auth) => w.bud.getModel(auth, modelId(w)) },
  'model update': {
    body: () => ({ description: 'Edited by the acceptance suite' }),
    token: admin,
    send: (w, body, auth) => w.bud.editModel(auth, modelId(w), body as Record<string, string>),
  },
  'model deletion': { token: admin, send: (w, _b, auth) => w.bud.deleteModel(auth, modelId(w)) },
  'metadata listing': { token: admin, send: (w, _b, auth) => w.bud.modelMetadata(auth, 'tags') },
  'cluster onboarding step': {
    body: (w) => ({ workflow_total_steps: 1, step_number: 1, trigger_workflow: true, name: w.uniqueName('e2e-cluster'), ingress_url: 'https://e2e-cluster.example.com' }),
    token: admin,
    send: (w, body, auth) => sendStep(w, 'cluster', body, auth, KUBECONFIG),
  },
  'deployment step': {
    body: (w) => ({ workflow_total_steps: 3, step_number: 1, project_id: w.recall<{ id: string }>('bud:project').id, model_id: modelId(w) }),
    token: admin,
    send: (w, body, auth) => sendStep(w, 'deployment', body, auth),
  },
  'chat completion': {
    body: () => ({ model: 'e2e-no-such-endpoint', messages: [{ role: 'user', content: 'Hello' }] }),
    token: async (w) => w.recall<string>('bud:api-key'),
    send: (w, body, auth) => w.bud.chatCompletion(auth, body),
  },
  'cluster deletion': { token: admin, send: (w, _b, auth) => w.bud.deleteCluster(auth, w.recalled('bud:cluster') ? w.recall<{ id: string }>('bud:cluster').id : UNKNOWN_ID) },
};

/** Send `call` with its usual body changed by `change` and, if given, a different credential. */
export async function sendCall(
  w: AcceptanceWorld,
  call: BudCall,
  change: (body: Body) => Body = (b) => b,
  credential?: BudCredential,
): Promise<BudResponse> {
  const spec = CALLS[call];
  const body = change({ ...((await spec.body?.(w)) ?? {}) });
  const auth = credential ? credential(await spec.token(w)) : await spec.token(w);
  return rememberAnswer(w, call, await spec.send(w, body, auth === '' ? null : auth));
}

When('a bud {budCall} is sent with {budField} {string}', async function (this: AcceptanceWorld, call: BudCall, field: string, value: string) {
  await sendCall(this, call, (b) => ({ ...b, [field]: value }));
});

When('a bud {budCall} is sent with a null {budField}', async function (this: AcceptanceWorld, call: BudCall, field: string) {
  await sendCall(this, call, (b) => ({ ...b, [field]: null }));
});

When('a bud {budCall} is sent with a {int}-character {budField}', async function (this: AcceptanceWorld, call: BudCall, n: number, field: string) {
  const value = field === 'email' ? `${'a'.repeat(n - '@example.com'.length)}@example.com` : 'a'.repeat(n);
  await sendCall(this, call, (b) => ({ ...b, [field]: value }));
});

When('a bud {budCall} is sent with no {budField}', async function (this: AcceptanceWorld, call: BudCall, field: string) {
  await sendCall(this, call, ({ [field]: _dropped, ...rest }) => rest);
});

When('an empty bud {budCall} is sent', async function (this: AcceptanceWorld, call: BudCall) {
  await sendCall(this, call, () => ({}));
});

When('a bud {budCall} is sent with {budCredential}', async function (this: AcceptanceWorld, call: BudCall, credential: BudCredential) {
  await sendCall(this, call, undefined, credential);
});

When('a bud login is sent with an unregistered email', async function (this: AcceptanceWorld) {
  await sendCall(this, 'login', (b) => ({ ...b, email: freshUser(this).email }));
});

Then('the {budCall} is {budOutcome}', function (this: AcceptanceWorld, call: BudCall, outcome: BudOutcome) {
  expectOutcome(call, answer(this, call), outcome);
});

Then('the {budCall} is {budOutcome} saying {string}', function (this: AcceptanceWorld, call: BudCall, outcome: BudOutcome, saying: string) {
  expectOutcome(call, answer(this, call), outcome, saying);
});
