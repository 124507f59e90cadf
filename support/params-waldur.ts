/** Parameter types of the Waldur federation steps. */
import { defineParameterType } from '@cucumber/cucumber';
import { COMPONENT_MAPPINGS, ComponentMapping } from '../world/clients/waldur-agent';
import type { Side } from '../world/clients/waldur';

/** "passthrough" or "conversion": how A's components map onto B's (the plan's Step 3). */
defineParameterType({
  name: 'mapping',
  regexp: /passthrough|conversion/,
  transformer: (name: string): ComponentMapping => COMPONENT_MAPPINGS[name as keyof typeof COMPONENT_MAPPINGS],
});

/** "Waldur A" (the source) or "Waldur B" (the target). */
defineParameterType({
  name: 'waldur',
  regexp: /Waldur [AB]/,
  transformer: (text: string): Side => (text.endsWith('A') ? 'a' : 'b'),
});

/** An order state as the API spells it. */
defineParameterType({
  name: 'orderState',
  regexp: /pending-consumer|pending-provider|executing|done|erred|canceled|rejected/,
  transformer: (s: string) => s,
});

/** Which side of the agent's STOMP connections: source (Waldur A) or target (Waldur B). */
defineParameterType({
  name: 'stompRole',
  regexp: /source|target/,
  transformer: (s: string) => s as 'source' | 'target',
});

const OBJECT_TYPES: Record<string, string> = {
  orders: 'order',
  'user roles': 'user_role',
  resources: 'resource',
  'service accounts': 'service_account',
  'course accounts': 'course_account',
  'offering users': 'offering_user',
};

/** A list of observable object types in words: "orders, user roles and resources". */
defineParameterType({
  name: 'objectTypes',
  regexp: new RegExp(`(?:${Object.keys(OBJECT_TYPES).join('|')})(?:(?:, | and )(?:${Object.keys(OBJECT_TYPES).join('|')}))*`),
  transformer: (text: string): string[] => text.split(/, | and /).map((w) => OBJECT_TYPES[w]),
});
