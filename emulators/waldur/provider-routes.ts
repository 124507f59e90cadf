// 8.0.5 routes the current waldur-site-agent reads besides the order flow (REPORT §2, waldur/waldur-site-agent
// common/processors.py and backend clients): version, a service provider's keys, projects and service
// accounts, an offering's project service accounts, course accounts and user attribute config, and
// component usages. This emulator has no keys, service or course accounts and no usages, so those lists
// are empty, with the filters and pagination of the real lists.
import { Json, Router, notFound, paginate, toHex } from './http';
import type { Ctx } from './api';

const EXPOSED = ['username', 'full_name', 'email'];
const ATTRIBUTES = ['username', 'full_name', 'email', 'phone_number', 'organization', 'job_title', 'affiliations', 'gender', 'personal_title', 'place_of_birth', 'country_of_residence', 'nationality', 'nationalities', 'organization_country', 'organization_type', 'organization_registry_code', 'eduperson_assurance', 'civil_number', 'birth_date', 'identity_source', 'active_isds'];

function entity<T extends { uuid: string }>(map: Map<string, T>, raw: string): T {
  const hex = toHex(raw);
  const found = hex ? map.get(hex) : undefined;
  if (!found) throw notFound();
  return found;
}

export function addProviderRoutes(r: Router<Ctx>): void {
  r.add('GET', '/api/version/', () => ({ body: { version: '8.0.5' } }));

  const emptyList = (lookup: (c: Ctx, uuid: string) => unknown) => (q: Parameters<Parameters<Router<Ctx>['add']>[2]>[0], c: Ctx) => {
    lookup(c, q.params[0]);
    return paginate(q, c.store.base, []);
  };
  const provider = (c: Ctx, uuid: string) => entity(c.store.providers, uuid);
  const offering = (c: Ctx, uuid: string) => entity(c.store.offerings, uuid);
  r.add('GET', '/api/marketplace-service-providers/:uuid/keys/', emptyList(provider));
  r.add('GET', '/api/marketplace-service-providers/:uuid/project_service_accounts/', emptyList(provider));
  // Projects with a resource of one of the provider's offerings.
  r.add('GET', '/api/marketplace-service-providers/:uuid/projects/', (q, c) => {
    const sp = provider(c, q.params[0]);
    const offerings = new Set([...c.store.offerings.values()].filter((o) => o.customer === sp.customer).map((o) => o.uuid));
    const projects = new Set([...c.store.resources.values()].filter((x) => offerings.has(x.offering) && x.state !== 'Terminated').map((x) => x.project));
    return paginate(q, c.store.base, [...projects].map((p) => c.store.projects.get(p)).filter((p) => p !== undefined).map((p) => c.store.project(p!)));
  });
  r.add('GET', '/api/marketplace-provider-offerings/:uuid/list_project_service_accounts/', emptyList(offering));
  r.add('GET', '/api/marketplace-provider-offerings/:uuid/list_course_accounts/', emptyList(offering));
  // The default configuration (no OfferingUserAttributeConfig row): username, full name and email exposed.
  r.add('GET', '/api/marketplace-provider-offerings/:uuid/user-attribute-config/', (q, c) => {
    const o = offering(c, q.params[0]);
    const body: Json = { uuid: o.uuid, created: o.created, modified: o.created, offering_uuid: o.uuid, offering_name: o.name, exposed_fields: EXPOSED, is_default: true };
    for (const a of ATTRIBUTES) body[`expose_${a}`] = EXPOSED.includes(a);
    return { body };
  });
  r.add('GET', '/api/marketplace-component-usages/', (q, c) => {
    for (const f of ['resource_uuid', 'offering_uuid', 'customer_uuid', 'project_uuid']) {
      const v = q.query.get(f);
      if (v && !toHex(v)) return { status: 400, body: { [f]: [`“${v}” is not a valid UUID.`] } };
    }
    return paginate(q, c.store.base, []);
  });
}
