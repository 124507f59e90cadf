/** Parameter types of the bud-stack steps. */
import { defineParameterType } from '@cucumber/cucumber';

/** The budapp calls a scenario can make and then judge ("the login is refused as ..."). */
export const BUD_CALLS = [
  'registration',
  'login',
  'token refresh',
  'logout',
  'profile request',
  'reset request',
  'reset token check',
  'password reset',
  'password change',
  'cloud onboarding step',
  'local onboarding step',
  'workflow lookup',
  'provider listing',
  'model listing',
  'model lookup',
  'model update',
  'model deletion',
  'metadata listing',
  'cluster onboarding step',
  'deployment step',
  'chat completion',
  'cluster deletion',
] as const;
export type BudCall = (typeof BUD_CALLS)[number];

defineParameterType({
  name: 'budCall',
  regexp: new RegExp([...BUD_CALLS].sort((a, b) => b.length - a.length).join('|')),
  transformer: (s: string) => s as BudCall,
});

/** "accepted" or "refused as <reason> (<status>)": the one answer the contract gives. */
export interface BudOutcome {
  status: number;
  text: string;
}

const REFUSALS: Record<string, number> = {
  'a bad request': 400,
  unauthorized: 401,
  forbidden: 403,
  'not found': 404,
  invalid: 422,
  'too many requests': 429,
};

defineParameterType({
  name: 'budOutcome',
  regexp: /accepted|refused as (?:a bad request|unauthorized|forbidden|not found|invalid|too many requests) \(\d{3}\)/,
  transformer: (text: string): BudOutcome => {
    if (text === 'accepted') return { status: 200, text };
    const m = /^refused as (.+) \((\d{3})\)$/.exec(text)!;
    const status = Number(m[2]);
    if (REFUSALS[m[1]] !== status) throw new Error(`"${text}": ${m[1]} is ${REFUSALS[m[1]]}, not ${status}`);
    return { status, text };
  },
});

/** Request fields in business words, mapped to the wire names. */
export const BUD_FIELDS: Record<string, string> = {
  email: 'email',
  password: 'password',
  name: 'name',
  role: 'role',
  'refresh token': 'refresh_token',
  'reset token': 'token',
  'new password': 'new_password',
  'password confirmation': 'confirm_password',
  'provider type': 'provider_type',
  tags: 'tags',
  description: 'description',
  'github url': 'github_url',
  'website url': 'website_url',
};

defineParameterType({
  name: 'budField',
  regexp: new RegExp(Object.keys(BUD_FIELDS).sort((a, b) => b.length - a.length).join('|')),
  transformer: (s: string) => BUD_FIELDS[s],
});

/** How a caller presents (or fails to present) its access token. `token` is a valid access token. */
export type BudCredential = (token: string) => string | null | { header: string };

const MALFORMED_JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.bm90LWpzb24.c2lnbmF0dXJl';
const CREDENTIALS: Record<string, BudCredential> = {
  'no token': () => null,
  'a malformed token': () => MALFORMED_JWT,
  'a random token': () => 'invalid_token_12345',
  'an empty bearer': () => ({ header: 'Bearer ' }),
  'the token under the Basic scheme': (t) => ({ header: `Basic ${t}` }),
  'the token under a lower-case bearer scheme': (t) => ({ header: `bearer ${t}` }),
  'the token after two spaces': (t) => ({ header: `Bearer  ${t}` }),
};

defineParameterType({
  name: 'budCredential',
  regexp: new RegExp(Object.keys(CREDENTIALS).sort((a, b) => b.length - a.length).join('|')),
  transformer: (s: string) => CREDENTIALS[s],
});

defineParameterType({
  name: 'budRole',
  regexp: /developer|devops|tester|admin/,
  transformer: (s: string) => s,
});

/** Model metadata lists. */
defineParameterType({
  name: 'budMetadata',
  regexp: /tags|tasks|authors|catalog/,
  transformer: (s: string) => s as 'tags' | 'tasks' | 'authors' | 'catalog',
});

/** Profile fields a scenario reads back. */
defineParameterType({
  name: 'budProfileField',
  regexp: /status|user type|role/,
  transformer: (s: string) => s.replace(' ', '_'),
});

/** Which of the user's access tokens: the live one, the one a refresh replaced, the logged-out one. */
defineParameterType({
  name: 'budTokenAge',
  regexp: /refreshed|current|previous|logged-out/,
  transformer: (s: string) => s as 'refreshed' | 'current' | 'previous' | 'logged-out',
});

/** Rate-limited operations, in the plural the scenarios use. */
defineParameterType({
  name: 'budRule',
  regexp: /registrations|logins|token refreshes|reset requests/,
  transformer: (s: string) =>
    (({ registrations: 'register', logins: 'login', 'token refreshes': 'refresh', 'reset requests': 'reset_password' }) as const)[
      s as 'registrations' | 'logins' | 'token refreshes' | 'reset requests'
    ],
});

/** A rate-limit window: "minute", "10 minutes", "30 seconds" -> seconds. */
defineParameterType({
  name: 'budWindow',
  regexp: /(?:\d+ )?(?:seconds?|minutes?)/,
  transformer: (s: string) => {
    const [, n, unit] = /^(?:(\d+) )?(second|minute)s?$/.exec(s)!;
    return Number(n ?? 1) * (unit === 'minute' ? 60 : 1);
  },
});

/** "4th", "11th", "21st" -> 4, 11, 21. */
defineParameterType({
  name: 'budOrdinal',
  regexp: /\d+(?:st|nd|rd|th)/,
  transformer: (s: string) => parseInt(s, 10),
});

/** Who acts: the configured admin or the scenario's self-registered user. */
defineParameterType({
  name: 'budActor',
  regexp: /admin|user/,
  transformer: (s: string) => s as 'admin' | 'user',
});

defineParameterType({
  name: 'budIs',
  regexp: /is not|is/,
  transformer: (s: string) => s === 'is',
});

/** Which mailed reset token: the latest (default) or the first. */
defineParameterType({
  name: 'budMailedToken',
  regexp: /first mailed|latest mailed|mailed/,
  transformer: (s: string) => (s.startsWith('first') ? 'first' : 'latest'),
});

defineParameterType({
  name: 'budValidity',
  regexp: /invalid|valid/,
  transformer: (s: string) => s === 'valid',
});

/** Progress events a workflow records from the service doing the work (contract key names). */
defineParameterType({
  name: 'budEvents',
  regexp: /extraction|cluster creation|simulation|deployment/,
  transformer: (s: string) =>
    (({ extraction: 'model_extraction_events', 'cluster creation': 'create_cluster_events', simulation: 'bud_simulator_events', deployment: 'budserve_cluster_events' }) as const)[
      s as 'extraction' | 'cluster creation' | 'simulation' | 'deployment'
    ],
});
