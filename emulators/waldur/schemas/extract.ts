// One-off extraction of the OpenAPI 8.0.5 component schemas the emulator's responses are checked against.
// Usage: node -r ts-node/register/transpile-only emulators/waldur/schemas/extract.ts <waldur-openapi-schema-8.0.5.yaml>
// Writes emulators/waldur/schemas/<Root>.json: a JSON Schema (draft-07) with every transitively
// referenced component under `definitions`; OpenAPI `nullable` is rewritten into JSON Schema null types.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const ROOTS = ['OrderDetails', 'Resource', 'ProviderOfferingDetails', 'PublicOfferingDetails', 'EventSubscription', 'EventSubscriptionQueue', 'AgentIdentity', 'Project',
  'User', 'OfferingUser', 'AgentService', 'AgentProcessor', 'Version', 'SshKey', 'ProjectServiceAccount', 'CourseAccount', 'OfferingUserAttributeConfig', 'ComponentUsage',
  'ResourceResponseStatus', 'IdentityBridgeResult', 'Customer', 'ServiceProvider', 'PlanDetails', 'UserRoleExpirationTime'];

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function convert(node: Json, refs: Set<string>): Json {
  if (Array.isArray(node)) return node.map((n) => convert(n, refs));
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') {
      const name = v.replace('#/components/schemas/', '');
      refs.add(name);
      out.$ref = `#/definitions/${name}`;
    } else if (k !== 'nullable' && k !== 'discriminator' && k !== 'example') {
      out[k] = convert(v, refs);
    }
  }
  if (node.nullable !== true) return out;
  if (typeof out.type === 'string' && !out.enum) return { ...out, type: [out.type, 'null'] };
  return { anyOf: [out, { type: 'null' }] };
}

function main(file: string): void {
  const components = parse(readFileSync(file, 'utf8')).components.schemas as Record<string, Json>;
  for (const root of ROOTS) {
    const definitions: Record<string, Json> = {};
    const todo = [root];
    while (todo.length) {
      const name = todo.pop() as string;
      if (definitions[name]) continue;
      const refs = new Set<string>();
      definitions[name] = convert(components[name], refs);
      todo.push(...[...refs].filter((r) => !definitions[r]));
    }
    const doc = { $schema: 'http://json-schema.org/draft-07/schema#', $id: `waldur-8.0.5/${root}.json`, $ref: `#/definitions/${root}`, definitions };
    writeFileSync(join(__dirname, `${root}.json`), JSON.stringify(doc, null, 1) + '\n');
  }
}

if (require.main === module) main(process.argv[2] ?? join(__dirname, '..', '..', '..', '..', 'shared', 'reference', 'waldur', 'waldur-openapi-schema-8.0.5.yaml'));
