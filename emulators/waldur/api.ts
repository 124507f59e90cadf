// The Waldur REST endpoints the federation flows use (paths, bodies and answers as schema 8.0.5).
import { ApiError, Json, Reply, Req, Router, invalid, notFound, paginate, toHex } from './http';
import type { Events } from './events';
import { addAccountRoutes } from './accounts';
import { addProviderRoutes } from './provider-routes';
import type { Marketplace } from './marketplace';
import type { Offering, Order, OrderType, Resource, Store, User } from './store';
import { AGENT_OFFERING_TYPES, OBJECT_TYPES, ORDER_STATES, ORDER_TYPES, RESOURCE_STATES, newUuid, now, slugify } from './store';

export interface Ctx { store: Store; market: Marketplace; events: Events; user: User }

// ---- request helpers -------------------------------------------------------------------------

function lookup<T>(map: Map<string, T>, raw: string): T {
  const hex = toHex(raw);
  const found = hex ? map.get(hex) : undefined;
  if (!found) throw notFound();
  return found;
}

function body(req: Req): Record<string, Json> {
  if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw new ApiError(400, { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
  return req.body;
}

function str(b: Record<string, Json>, field: string, opts: { required?: boolean; max?: number; fallback?: string } = {}): string {
  const v = b[field];
  if (v === undefined || v === null || v === '') {
    if (opts.required) throw invalid(field, v === undefined ? 'This field is required.' : 'This field may not be blank.');
    return opts.fallback ?? '';
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw invalid(field, 'Not a valid string.');
  const s = String(v);
  if (opts.max && s.length > opts.max) throw invalid(field, `Ensure this field has no more than ${opts.max} characters.`);
  return s;
}

function bool(b: Record<string, Json>, field: string, fallback: boolean): boolean {
  const v = b[field];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw invalid(field, 'Must be a valid boolean.');
  return v;
}

function date(b: Record<string, Json>, field: string): string | null {
  const v = b[field];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(Date.parse(v))) throw invalid(field, 'Date has wrong format. Use one of these formats instead: YYYY-MM-DD.');
  return v.slice(0, 10);
}

/** A hyperlinked relation: the object named by the URL's last path segment. */
function ref<T>(b: Record<string, Json>, field: string, map: Map<string, T>, required = true): T | null {
  const v = b[field];
  if (v === undefined || v === null || v === '') {
    if (required) throw invalid(field, 'This field is required.');
    return null;
  }
  if (typeof v !== 'string') throw invalid(field, 'Incorrect type. Expected URL string, received ' + typeof v + '.');
  let last: string | undefined;
  try {
    last = new URL(v).pathname.split('/').filter(Boolean).pop();
  } catch {
    throw invalid(field, 'Invalid hyperlink - No URL match.');
  }
  const hex = toHex(last);
  const found = hex ? map.get(hex) : undefined;
  if (!found) throw invalid(field, 'Invalid hyperlink - Object does not exist.');
  return found;
}

function uuidField<T>(b: Record<string, Json>, field: string, map: Map<string, T>): T {
  const v = b[field];
  if (v === undefined || v === null || v === '') throw invalid(field, 'This field is required.');
  const hex = toHex(v);
  if (!hex) throw invalid(field, 'Must be a valid UUID.');
  const found = map.get(hex);
  if (!found) throw invalid(field, `Object with uuid=${hex} does not exist.`);
  return found;
}

function limitsOf(v: Json, field = 'limits'): Record<string, number> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(field, 'Expected a dictionary of items.');
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(v)) {
    if (typeof n !== 'number' || !Number.isInteger(n)) throw invalid(field, `A valid integer is required for "${k}".`);
    if (n < 0) throw invalid(field, `Ensure "${k}" is greater than or equal to 0.`);
    out[k] = n;
  }
  return out;
}

function checkLimits(offering: Offering, limits: Record<string, number>): void {
  const known = new Set(offering.components.filter((c) => c.billing_type === 'limit').map((c) => c.type));
  for (const k of Object.keys(limits)) if (!known.has(k)) throw invalid('limits', `${k} is not a limit-based component of offering ${offering.name}.`);
}

function choice<T extends string>(v: Json, field: string, allowed: readonly T[], fallback?: T): T {
  if ((v === undefined || v === null) && fallback !== undefined) return fallback;
  if (!allowed.includes(v)) throw invalid(field, `"${v}" is not a valid choice.`);
  return v;
}

/** Query filters: repeated parameters combine with OR, UUID filters accept hex or dashed. */
function uuidFilter(req: Req, name: string): string[] {
  return req.query.getAll(name).filter((v) => v !== '').map((v) => {
    const hex = toHex(v);
    if (!hex) throw invalid(name, `“${v}” is not a valid UUID.`);
    return hex;
  });
}

function choiceFilter(req: Req, name: string, allowed: readonly string[]): string[] {
  const values = req.query.getAll(name).filter((v) => v !== '');
  for (const v of values) if (!allowed.includes(v)) throw invalid(name, `Select a valid choice. ${v} is not one of the available choices.`);
  return values;
}

const anyOf = (wanted: string[], value: string | null | undefined): boolean => !wanted.length || (value !== null && value !== undefined && wanted.includes(value));
const textFilter = (req: Req, name: string): string | null => req.query.get(name);

function requireStaff(user: User): void {
  if (!user.is_staff) throw new ApiError(403, { detail: 'You do not have permission to perform this action.' });
}

const created = (body: Json): Reply => ({ status: 201, body });

function orderByCreated<T extends { created: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
}

// ---- routes ----------------------------------------------------------------------------------

export function buildApi(): Router<Ctx> {
  const r = new Router<Ctx>();
  const list = <T>(items: T[], view: (x: T) => Json) => (req: Req, ctx: Ctx) => paginate(req, ctx.store.base, items.map(view));

  // users
  r.add('GET', '/api/users/me/', (_q, c) => ({ body: c.store.user(c.user) }));
  r.add('GET', '/api/users/', (q, c) => {
    const username = textFilter(q, 'username');
    const email = textFilter(q, 'email');
    const users = [...c.store.users.values()].filter((u) => (!username || u.username === username) && (!email || u.email === email));
    return list(users, (u) => c.store.user(u))(q, c);
  });
  r.add('GET', '/api/users/:uuid/', (q, c) => ({ body: c.store.user(lookup(c.store.users, q.params[0])) }));
  r.add('POST', '/api/users/', (q, c) => {
    requireStaff(c.user);
    const b = body(q);
    const username = str(b, 'username', { required: true, max: 128 });
    if ([...c.store.users.values()].some((u) => u.username === username)) throw invalid('username', 'A user with that username already exists.');
    const email = str(b, 'email', { required: true });
    return created(c.store.user(c.store.addUser({ username, email, first_name: str(b, 'first_name'), last_name: str(b, 'last_name'), is_staff: bool(b, 'is_staff', false) })));
  });
  r.add('PATCH', '/api/users/:uuid/', (q, c) => {
    const u = lookup(c.store.users, q.params[0]);
    if (u !== c.user) requireStaff(c.user);
    const b = body(q);
    for (const f of ['first_name', 'last_name', 'email'] as const) if (b[f] !== undefined) u[f] = str(b, f);
    u.is_identity_manager = bool(b, 'is_identity_manager', u.is_identity_manager);
    if (b.managed_isds !== undefined) {
      if (!Array.isArray(b.managed_isds) || b.managed_isds.some((x: Json) => typeof x !== 'string')) throw invalid('managed_isds', 'Expected a list of items.');
      u.managed_isds = b.managed_isds;
    }
    return { body: c.store.user(u) };
  });

  // customers and projects
  r.add('GET', '/api/customers/', (q, c) => list(orderByCreated([...c.store.customers.values()]), (x) => c.store.customer(x))(q, c));
  r.add('GET', '/api/customers/:uuid/', (q, c) => ({ body: c.store.customer(lookup(c.store.customers, q.params[0])) }));
  r.add('POST', '/api/customers/', (q, c) => {
    requireStaff(c.user);
    const b = body(q);
    return created(c.store.customer(c.store.addCustomer(str(b, 'name', { required: true, max: 150 }), { abbreviation: str(b, 'abbreviation'), backend_id: str(b, 'backend_id') })));
  });
  r.add('DELETE', '/api/customers/:uuid/', (q, c) => {
    requireStaff(c.user);
    const cust = lookup(c.store.customers, q.params[0]);
    if ([...c.store.projects.values()].some((p) => p.customer === cust.uuid)) throw new ApiError(409, { detail: 'Cannot delete organization with existing projects.' });
    c.store.customers.delete(cust.uuid);
    for (const sp of [...c.store.providers.values()]) if (sp.customer === cust.uuid) c.store.providers.delete(sp.uuid);
    return { status: 204 };
  });

  r.add('GET', '/api/projects/', (q, c) => {
    const backendId = textFilter(q, 'backend_id');
    const name = textFilter(q, 'name');
    const nameExact = textFilter(q, 'name_exact');
    const customers = uuidFilter(q, 'customer');
    const items = [...c.store.projects.values()].filter((p) => (backendId === null || p.backend_id === backendId) && (!name || p.name.toLowerCase().includes(name.toLowerCase())) && (nameExact === null || p.name === nameExact) && anyOf(customers, p.customer));
    return list(orderByCreated(items), (p) => c.store.project(p))(q, c);
  });
  r.add('GET', '/api/projects/:uuid/', (q, c) => ({ body: c.store.project(lookup(c.store.projects, q.params[0])) }));
  r.add('POST', '/api/projects/', (q, c) => {
    const b = body(q);
    const name = str(b, 'name', { required: true, max: 500 });
    const customer = ref(b, 'customer', c.store.customers) as { uuid: string };
    const project = c.store.addProject(name, customer.uuid, { backend_id: str(b, 'backend_id', { max: 255 }), description: str(b, 'description'), end_date: date(b, 'end_date'), start_date: date(b, 'start_date'), is_industry: bool(b, 'is_industry', false), oecd_fos_2007_code: str(b, 'oecd_fos_2007_code') || null });
    return created(c.store.project(project));
  });
  r.add('PATCH', '/api/projects/:uuid/', (q, c) => {
    const p = lookup(c.store.projects, q.params[0]);
    const b = body(q);
    if (b.name !== undefined) p.name = str(b, 'name', { required: true, max: 500 });
    if (b.description !== undefined) p.description = str(b, 'description');
    if (b.backend_id !== undefined) p.backend_id = str(b, 'backend_id', { max: 255 });
    if (b.end_date !== undefined) p.end_date = date(b, 'end_date');
    return { body: c.store.project(p) };
  });
  r.add('DELETE', '/api/projects/:uuid/', (q, c) => {
    const p = lookup(c.store.projects, q.params[0]);
    if ([...c.store.resources.values()].some((x) => x.project === p.uuid && x.state !== 'Terminated')) throw new ApiError(409, { detail: 'Cannot delete project with existing resources.' });
    c.store.projects.delete(p.uuid);
    return { status: 204 };
  });

  // categories, service providers
  r.add('GET', '/api/marketplace-categories/', (q, c) => list([...c.store.categories.values()], (x) => c.store.category(x))(q, c));
  r.add('GET', '/api/marketplace-categories/:uuid/', (q, c) => ({ body: c.store.category(lookup(c.store.categories, q.params[0])) }));
  r.add('POST', '/api/marketplace-categories/', (q, c) => {
    requireStaff(c.user);
    const b = body(q);
    return created(c.store.category(c.store.addCategory(str(b, 'title', { required: true, max: 255 }), str(b, 'description'))));
  });
  r.add('DELETE', '/api/marketplace-categories/:uuid/', (q, c) => {
    requireStaff(c.user);
    c.store.categories.delete(lookup(c.store.categories, q.params[0]).uuid);
    return { status: 204 };
  });
  r.add('GET', '/api/marketplace-service-providers/', (q, c) => {
    const customers = uuidFilter(q, 'customer_uuid');
    return list([...c.store.providers.values()].filter((s) => anyOf(customers, s.customer)), (s) => c.store.serviceProvider(s))(q, c);
  });
  r.add('GET', '/api/marketplace-service-providers/:uuid/', (q, c) => ({ body: c.store.serviceProvider(lookup(c.store.providers, q.params[0])) }));
  r.add('POST', '/api/marketplace-service-providers/', (q, c) => {
    const b = body(q);
    const customer = ref(b, 'customer', c.store.customers) as { uuid: string };
    if ([...c.store.providers.values()].some((s) => s.customer === customer.uuid)) throw invalid('customer', 'Service provider with this customer already exists.');
    const sp = { uuid: newUuid(), customer: customer.uuid, description: str(b, 'description'), created: now() };
    c.store.providers.set(sp.uuid, sp);
    return created(c.store.serviceProvider(sp));
  });
  // Schema 8.0.5: "Deletes a service provider profile. Only possible if there are no active offerings."
  r.add('DELETE', '/api/marketplace-service-providers/:uuid/', (q, c) => {
    requireStaff(c.user);
    const sp = lookup(c.store.providers, q.params[0]);
    if ([...c.store.offerings.values()].some((o) => o.customer === sp.customer && o.state === 'Active')) throw new ApiError(409, { detail: 'Service provider has active offerings.' });
    c.store.providers.delete(sp.uuid);
    return { status: 204 };
  });

  // offerings and plans
  const offeringFilter = (q: Req, c: Ctx): Offering[] => {
    const customers = uuidFilter(q, 'customer_uuid');
    const states = choiceFilter(q, 'state', ['Draft', 'Active', 'Paused', 'Archived', 'Unavailable']);
    const types = q.query.getAll('type');
    const name = textFilter(q, 'name');
    return [...c.store.offerings.values()].filter((o) => anyOf(customers, o.customer) && anyOf(states, o.state) && anyOf(types, o.type) && (!name || o.name.toLowerCase().includes(name.toLowerCase())));
  };
  for (const [collection, publicView] of [['marketplace-provider-offerings', false], ['marketplace-public-offerings', true]] as const) {
    r.add('GET', `/api/${collection}/`, (q, c) => list(offeringFilter(q, c), (o) => c.store.offering(o, publicView))(q, c));
    r.add('GET', `/api/${collection}/:uuid/`, (q, c) => ({ body: c.store.offering(lookup(c.store.offerings, q.params[0]), publicView) }));
  }
  r.add('GET', '/api/marketplace-public-offerings/:uuid/plans/', (q, c) => {
    const o = lookup(c.store.offerings, q.params[0]);
    return list([...c.store.plans.values()].filter((p) => p.offering === o.uuid && !p.archived), (p) => c.store.plan(p, true))(q, c);
  });
  r.add('GET', '/api/marketplace-public-offerings/:uuid/plans/:plan/', (q, c) => {
    const o = lookup(c.store.offerings, q.params[0]);
    const p = lookup(c.store.plans, q.params[1]);
    if (p.offering !== o.uuid) throw notFound();
    return { body: c.store.plan(p, true) };
  });
  r.add('POST', '/api/marketplace-provider-offerings/', (q, c) => {
    const b = body(q);
    const name = str(b, 'name', { required: true, max: 150 });
    const category = ref(b, 'category', c.store.categories) as { uuid: string };
    const type = str(b, 'type', { required: true, max: 100 });
    const customer = ref(b, 'customer', c.store.customers, false) as { uuid: string } | null;
    if (b.plugin_options !== undefined && (typeof b.plugin_options !== 'object' || b.plugin_options === null || Array.isArray(b.plugin_options))) throw invalid('plugin_options', 'Expected a dictionary of items.');
    const offering: Offering = { uuid: newUuid(), name, slug: slugify(name), description: str(b, 'description'), type, state: 'Draft', customer: customer?.uuid ?? null, category: category.uuid, components: [], plugin_options: b.plugin_options ?? {}, attributes: {}, shared: bool(b, 'shared', true), billable: bool(b, 'billable', true), backend_id: str(b, 'backend_id'), created: now() };
    const components = b.components ?? [];
    if (!Array.isArray(components)) throw invalid('components', 'Expected a list of items.');
    offering.components = components.map((x: Json) => parseComponent(x, offering));
    const plans = b.plans ?? [];
    if (!Array.isArray(plans)) throw invalid('plans', 'Expected a list of items.');
    const parsedPlans = plans.map((p: Json) => parsePlan(p, offering.uuid));
    c.store.offerings.set(offering.uuid, offering);
    for (const p of parsedPlans) c.store.plans.set(p.uuid, p);
    return created(c.store.offering(offering, false));
  });
  r.add('POST', '/api/marketplace-provider-offerings/:uuid/create_offering_component/', (q, c) => {
    const o = lookup(c.store.offerings, q.params[0]);
    const comp = parseComponent(body(q), o);
    o.components.push(comp);
    return created(c.store.component(comp));
  });
  for (const [action, from, to, detail] of [['activate', ['Draft', 'Paused', 'Unavailable'], 'Active', 'Offering has been activated.'], ['pause', ['Active'], 'Paused', 'Offering has been paused.'], ['unpause', ['Paused'], 'Active', 'Offering has been unpaused.'], ['archive', ['Draft', 'Active', 'Paused', 'Unavailable'], 'Archived', 'Offering has been archived.'], ['draft', ['Active', 'Paused', 'Archived', 'Unavailable'], 'Draft', 'Offering has been moved to draft state.']] as const) {
    r.add('POST', `/api/marketplace-provider-offerings/:uuid/${action}/`, (q, c) => {
      const o = lookup(c.store.offerings, q.params[0]);
      if (!(from as readonly string[]).includes(o.state)) throw new ApiError(409, { detail: `Valid states for operation: ${from.join(', ')}.` });
      o.state = to;
      return { body: { detail, state: o.state } };
    });
  }
  r.add('DELETE', '/api/marketplace-provider-offerings/:uuid/', (q, c) => {
    const o = lookup(c.store.offerings, q.params[0]);
    if ([...c.store.resources.values()].some((x) => x.offering === o.uuid && x.state !== 'Terminated')) throw new ApiError(409, { detail: 'Offering has resources.' });
    c.store.offerings.delete(o.uuid);
    for (const p of [...c.store.plans.values()]) if (p.offering === o.uuid) c.store.plans.delete(p.uuid);
    return { status: 204 };
  });
  r.add('GET', '/api/marketplace-plans/', (q, c) => {
    const offerings = uuidFilter(q, 'offering_uuid');
    return list([...c.store.plans.values()].filter((p) => anyOf(offerings, p.offering)), (p) => c.store.plan(p, false))(q, c);
  });
  r.add('GET', '/api/marketplace-plans/:uuid/', (q, c) => ({ body: c.store.plan(lookup(c.store.plans, q.params[0]), false) }));
  r.add('POST', '/api/marketplace-plans/', (q, c) => {
    const b = body(q);
    const offering = ref(b, 'offering', c.store.offerings) as Offering;
    const plan = parsePlan(b, offering.uuid);
    c.store.plans.set(plan.uuid, plan);
    return created(c.store.plan(plan, false));
  });

  // orders
  r.add('GET', '/api/marketplace-orders/', (q, c) => {
    const offerings = uuidFilter(q, 'offering_uuid');
    const projects = uuidFilter(q, 'project_uuid');
    const customers = uuidFilter(q, 'customer_uuid');
    const resources = uuidFilter(q, 'resource_uuid');
    const states = choiceFilter(q, 'state', ORDER_STATES);
    const types = choiceFilter(q, 'type', ORDER_TYPES);
    const items = [...c.store.orders.values()].filter((o) => anyOf(offerings, o.offering) && anyOf(projects, o.project) && anyOf(customers, c.store.projects.get(o.project)?.customer) && (!resources.length || resources.includes(o.resource) || resources.includes(o.reported_resource)) && anyOf(states, o.state) && anyOf(types, o.type));
    return list(orderByCreated(items), (o) => c.store.order(o))(q, c);
  });
  r.add('GET', '/api/marketplace-orders/:uuid/', (q, c) => ({ body: c.store.order(lookup(c.store.orders, q.params[0])) }));
  r.add('POST', '/api/marketplace-orders/', (q, c) => {
    const b = body(q);
    const offering = ref(b, 'offering', c.store.offerings) as Offering;
    const project = ref(b, 'project', c.store.projects) as { uuid: string };
    const type = choice(b.type, 'type', ['Create'] as const, 'Create');
    if (offering.state !== 'Active') throw invalid('offering', `Offering "${offering.name}" is not available.`);
    const plan = ref(b, 'plan', c.store.plans, false) as { uuid: string; offering: string; archived: boolean } | null;
    if (plan && (plan.offering !== offering.uuid || plan.archived)) throw invalid('plan', 'This plan is not available for selected offering.');
    if (!plan && [...c.store.plans.values()].some((p) => p.offering === offering.uuid && !p.archived)) throw invalid('plan', 'This field is required.');
    const limits = limitsOf(b.limits);
    checkLimits(offering, limits);
    const attributes = b.attributes ?? {};
    if (typeof attributes !== 'object' || Array.isArray(attributes) || attributes === null) throw invalid('attributes', 'Expected a dictionary of items.');
    const order = c.market.createOrder({ type, offering: offering.uuid, plan: plan?.uuid ?? null, project: project.uuid, limits, attributes, user: c.user.uuid, request_comment: b.request_comment ?? null, callback_url: b.callback_url ?? null, start_date: date(b, 'start_date') });
    return created(c.store.order(order));
  });
  const orderAction = (action: string, run: (o: Order, b: Record<string, Json>, c: Ctx) => Reply) =>
    r.add('POST', `/api/marketplace-orders/:uuid/${action}/`, (q, c) => run(lookup(c.store.orders, q.params[0]), body(q), c));
  orderAction('approve_by_consumer', (o, _b, c) => (c.market.approveByConsumer(o, c.user.uuid), { body: { detail: 'Order has been approved.' } }));
  orderAction('approve_by_provider', (o, _b, c) => (c.market.approveByProvider(o, c.user.uuid), { body: { detail: 'Order has been approved.' } }));
  orderAction('reject_by_provider', (o, b, c) => (c.market.rejectByProvider(o, c.user.uuid, str(b, 'provider_rejection_comment')), { body: { detail: 'Order has been rejected.' } }));
  orderAction('set_state_executing', (o, _b, c) => (c.market.setExecuting(o), { body: { detail: 'Order state has been changed to executing.' } }));
  orderAction('set_state_done', (o, _b, c) => (c.market.setDone(o), { body: { detail: 'Order state has been changed to done.' } }));
  orderAction('set_state_erred', (o, b, c) => (c.market.setErred(o, str(b, 'error_message'), str(b, 'error_traceback')), { body: { detail: 'Order state has been changed to erred.' } }));
  orderAction('cancel', (o, _b, c) => (c.market.cancel(o), { status: 202 }));
  orderAction('set_backend_id', (o, b) => {
    o.backend_id = str(b, 'backend_id', { required: true, max: 255 });
    o.modified = now();
    return { body: { status: 'Order backend_id has been changed.' } };
  });

  // resources (consumer and provider views share one serializer)
  for (const collection of ['marketplace-resources', 'marketplace-provider-resources']) {
    r.add('GET', `/api/${collection}/`, (q, c) => {
      const offerings = uuidFilter(q, 'offering_uuid');
      const projects = uuidFilter(q, 'project_uuid');
      const customers = uuidFilter(q, 'customer_uuid');
      const states = choiceFilter(q, 'state', RESOURCE_STATES);
      const backendId = textFilter(q, 'backend_id');
      const name = textFilter(q, 'name');
      const items = [...c.store.resources.values()].filter((x) => anyOf(offerings, x.offering) && anyOf(projects, x.project) && anyOf(customers, c.store.projects.get(x.project)?.customer) && anyOf(states, x.state) && (backendId === null || x.backend_id === backendId) && (!name || x.name.toLowerCase().includes(name.toLowerCase())));
      return list(orderByCreated(items), (x) => c.store.resource(x))(q, c);
    });
    r.add('GET', `/api/${collection}/:uuid/`, (q, c) => ({ body: c.store.resource(lookup(c.store.resources, q.params[0])) }));
    r.add('GET', `/api/${collection}/:uuid/team/`, (q, c) => (lookup(c.store.resources, q.params[0]), { body: [] }));
    r.add('POST', `/api/${collection}/:uuid/terminate/`, (q, c) => {
      const res = lookup(c.store.resources, q.params[0]);
      const b = body(q);
      return { body: { order_uuid: resourceOrder(c, res, 'Terminate', ['OK', 'Erred'], {}, b.attributes ?? {}).uuid } };
    });
  }
  r.add('POST', '/api/marketplace-resources/:uuid/update_limits/', (q, c) => {
    const res = lookup(c.store.resources, q.params[0]);
    const b = body(q);
    if (b.limits === undefined) throw invalid('limits', 'This field is required.');
    const limits = limitsOf(b.limits);
    const offering = c.store.offerings.get(res.offering);
    if (offering) checkLimits(offering, limits);
    return { body: { order_uuid: resourceOrder(c, res, 'Update', ['OK'], limits, {}, b.request_comment ?? null).uuid } };
  });
  const providerAction = (action: string, run: (x: Resource, b: Record<string, Json>, c: Ctx) => string) =>
    r.add('POST', `/api/marketplace-provider-resources/:uuid/${action}/`, (q, c) => {
      const res = lookup(c.store.resources, q.params[0]);
      const status = run(res, body(q), c);
      res.modified = now();
      return { body: { status } };
    });
  providerAction('set_backend_id', (x, b) => ((x.backend_id = str(b, 'backend_id', { max: 255 })), 'Resource backend_id has been changed.'));
  providerAction('set_effective_id', (x, b) => ((x.effective_id = str(b, 'effective_id', { max: 255 })), 'Resource effective_id has been changed.'));
  providerAction('set_limits', (x, b, c) => {
    if (b.limits === undefined) throw invalid('limits', 'This field is required.');
    c.market.setLimits(x, limitsOf(b.limits));
    return 'Resource limits have been changed.';
  });
  providerAction('set_as_ok', (x) => ((x.state = 'OK'), 'Resource has been marked as OK.'));
  providerAction('set_as_erred', (x, b) => ((x.state = 'Erred'), (x.error_message = str(b, 'error_message')), 'Resource has been marked as erred.'));
  providerAction('set_backend_metadata', (x, b) => {
    if (b.backend_metadata === undefined) throw invalid('backend_metadata', 'This field is required.');
    if (typeof b.backend_metadata !== 'object' || b.backend_metadata === null || Array.isArray(b.backend_metadata)) throw invalid('backend_metadata', 'Value must be valid JSON.');
    x.backend_metadata = b.backend_metadata;
    return 'Resource backend_metadata has been changed.';
  });
  providerAction('refresh_last_sync', (x) => ((x.last_sync = now()), 'Last sync time has been refreshed.'));

  // site agent identities, services, event subscriptions
  r.add('GET', '/api/marketplace-site-agent-identities/', (q, c) => {
    const name = textFilter(q, 'name');
    const offerings = uuidFilter(q, 'offering_uuid');
    return list([...c.store.identities.values()].filter((i) => (name === null || i.name === name) && anyOf(offerings, i.offering)), (i) => c.store.identity(i))(q, c);
  });
  r.add('GET', '/api/marketplace-site-agent-identities/:uuid/', (q, c) => ({ body: c.store.identity(lookup(c.store.identities, q.params[0])) }));
  const identityFields = (b: Record<string, Json>, c: Ctx) => {
    const offering = uuidField(b, 'offering', c.store.offerings);
    if (!AGENT_OFFERING_TYPES.includes(offering.type)) throw invalid('offering', `Object with uuid=${offering.uuid} does not exist.`);
    if (b.last_restarted !== undefined && (typeof b.last_restarted !== 'string' || Number.isNaN(Date.parse(b.last_restarted)))) throw invalid('last_restarted', 'Datetime has wrong format.');
    return { offering: offering.uuid, name: str(b, 'name', { required: true, max: 255 }), version: b.version === undefined ? null : str(b, 'version'), dependencies: b.dependencies ?? [], config_file_path: b.config_file_path ?? null, config_file_content: b.config_file_content ?? null, last_restarted: b.last_restarted ?? now() };
  };
  r.add('POST', '/api/marketplace-site-agent-identities/', (q, c) => {
    const fields = identityFields(body(q), c);
    if ([...c.store.identities.values()].some((i) => i.name === fields.name)) throw invalid('name', 'Agent identity with this name already exists.');
    const identity = { uuid: newUuid(), ...fields, created_by: c.user.uuid, created: now(), modified: now() };
    c.store.identities.set(identity.uuid, identity);
    return created(c.store.identity(identity));
  });
  r.add('PUT', '/api/marketplace-site-agent-identities/:uuid/', (q, c) => {
    const identity = lookup(c.store.identities, q.params[0]);
    Object.assign(identity, identityFields(body(q), c), { modified: now() });
    return { body: c.store.identity(identity) };
  });
  r.add('DELETE', '/api/marketplace-site-agent-identities/:uuid/', (q, c) => {
    const identity = lookup(c.store.identities, q.params[0]);
    c.store.identities.delete(identity.uuid);
    for (const s of [...c.store.services.values()]) if (s.identity === identity.uuid) c.store.services.delete(s.uuid);
    return { status: 204 };
  });
  r.add('POST', '/api/marketplace-site-agent-identities/:uuid/register_event_subscription/', async (q, c) => {
    const identity = lookup(c.store.identities, q.params[0]);
    const b = body(q);
    const objectType = choice(b.observable_object_type, 'observable_object_type', OBJECT_TYPES);
    const existing = [...c.store.subscriptions.values()].find((s) => s.user === c.user.uuid && s.observable_objects.some((o) => o.object_type === objectType && o.identity_uuid === identity.uuid));
    if (existing) return { status: 200, body: c.store.subscription(existing) };
    const sub = { uuid: newUuid(), user: c.user.uuid, description: str(b, 'description'), observable_objects: [{ object_type: objectType, identity_uuid: identity.uuid, offering_uuid: identity.offering }], created: now(), modified: now(), source_ip: null };
    await c.events.subscribe(sub);
    c.store.subscriptions.set(sub.uuid, sub);
    return created(c.store.subscription(sub));
  });
  r.add('POST', '/api/marketplace-site-agent-identities/:uuid/register_service/', (q, c) => {
    const identity = lookup(c.store.identities, q.params[0]);
    const b = body(q);
    const name = str(b, 'name', { required: true, max: 255 });
    const existing = [...c.store.services.values()].find((s) => s.identity === identity.uuid && s.name === name);
    if (existing) {
      existing.mode = b.mode ?? existing.mode;
      existing.modified = now();
      return { body: c.store.service(existing) };
    }
    const service = { uuid: newUuid(), identity: identity.uuid, name, mode: b.mode ?? null, state: 'Active', statistics: {}, processors: [], created: now(), modified: now() };
    c.store.services.set(service.uuid, service);
    return created(c.store.service(service));
  });
  r.add('GET', '/api/marketplace-site-agent-services/', (q, c) => list([...c.store.services.values()], (s) => c.store.service(s))(q, c));
  r.add('GET', '/api/marketplace-site-agent-services/:uuid/', (q, c) => ({ body: c.store.service(lookup(c.store.services, q.params[0])) }));
  r.add('POST', '/api/marketplace-site-agent-services/:uuid/register_processor/', (q, c) => {
    const service = lookup(c.store.services, q.params[0]);
    const b = body(q);
    const name = str(b, 'name', { required: true });
    const t = now();
    let p = service.processors.find((x) => x.name === name);
    if (!p) service.processors.push((p = { uuid: newUuid(), name, backend_type: str(b, 'backend_type', { required: true }), backend_version: b.backend_version ?? null, created: t, modified: t }));
    else Object.assign(p, { backend_type: str(b, 'backend_type', { required: true }), backend_version: b.backend_version ?? null, modified: t });
    return { status: 201, body: c.store.processor(p, service) };
  });
  r.add('GET', '/api/event-subscriptions/', (q, c) => list([...c.store.subscriptions.values()].filter((s) => c.user.is_staff || s.user === c.user.uuid), (s) => c.store.subscription(s))(q, c));
  r.add('GET', '/api/event-subscriptions/:uuid/', (q, c) => ({ body: c.store.subscription(lookup(c.store.subscriptions, q.params[0])) }));
  r.add('DELETE', '/api/event-subscriptions/:uuid/', async (q, c) => {
    const sub = lookup(c.store.subscriptions, q.params[0]);
    await c.events.unsubscribe(sub);
    c.store.subscriptions.delete(sub.uuid);
    return { status: 204 };
  });
  // 8.0.5 event_subscription_queues_list: the queues of the caller's subscriptions (staff: all).
  r.add('GET', '/api/event-subscription-queues/', (q, c) => {
    const filters = { event_subscription_uuid: toHex(q.query.get('event_subscription_uuid')), offering_uuid: toHex(q.query.get('offering_uuid')), object_type: q.query.get('object_type') };
    const mine = (sq: { subscription: string }) => c.user.is_staff || c.store.subscriptions.get(sq.subscription)?.user === c.user.uuid;
    const items = [...c.store.queues.values()].filter((sq) => mine(sq)
      && (!q.query.has('event_subscription_uuid') || sq.subscription === filters.event_subscription_uuid)
      && (!q.query.has('offering_uuid') || sq.offering_uuid === filters.offering_uuid)
      && (!filters.object_type || sq.object_type === filters.object_type));
    return list(items, (sq) => c.store.queue(sq))(q, c);
  });
  r.add('POST', '/api/event-subscriptions/:uuid/create_queue/', async (q, c) => {
    const sub = lookup(c.store.subscriptions, q.params[0]);
    const b = body(q);
    const offering = uuidField(b, 'offering_uuid', c.store.offerings);
    const objectType = choice(b.object_type, 'object_type', OBJECT_TYPES);
    const { created: isNew, queue } = await c.events.createQueue(sub, offering.uuid, objectType);
    return { status: isNew ? 201 : 200, body: queue };
  });

  addAccountRoutes(r);
  addProviderRoutes(r);
  return r;
}

function resourceOrder(c: Ctx, res: Resource, type: OrderType, validStates: Resource['state'][], limits: Record<string, number>, attributes: Json, comment: string | null = null): Order {
  if (!validStates.includes(res.state)) throw new ApiError(409, { detail: `Valid states for operation: ${validStates.join(', ')}.` });
  if (c.market.openOrderOf(res)) throw new ApiError(409, { detail: 'Resource has pending order.' });
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) throw invalid('attributes', 'Expected a dictionary of items.');
  return c.market.createOrder({ type, offering: res.offering, plan: res.plan, project: res.project, limits, attributes, resource: res, user: c.user.uuid, request_comment: comment });
}

function parseComponent(b: Json, offering: Offering) {
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw invalid('components', 'Expected a dictionary of items.');
  const type = str(b, 'type', { required: true, max: 50 });
  if (!/^[a-zA-Z0-9_\-/:]+$/.test(type)) throw invalid('type', 'Enter a valid value.');
  if (offering.components.some((x) => x.type === type)) throw invalid('type', `Component with type ${type} already exists.`);
  const int = (f: string) => (b[f] === undefined || b[f] === null ? null : Number.isInteger(b[f]) ? (b[f] as number) : (() => { throw invalid(f, 'A valid integer is required.'); })());
  return {
    uuid: newUuid(), type, name: str(b, 'name', { required: true, max: 150 }), description: str(b, 'description'),
    billing_type: choice(b.billing_type, 'billing_type', ['fixed', 'usage', 'limit', 'one', 'few'] as const), measured_unit: str(b, 'measured_unit'),
    unit_factor: int('unit_factor') ?? 1, limit_period: b.limit_period ?? null, limit_amount: int('limit_amount'), article_code: str(b, 'article_code'),
    max_value: int('max_value'), min_value: int('min_value'), max_available_limit: int('max_available_limit'), is_boolean: bool(b, 'is_boolean', false), default_limit: int('default_limit'), is_prepaid: bool(b, 'is_prepaid', false),
  };
}

function parsePlan(b: Json, offering: string) {
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw invalid('plans', 'Expected a dictionary of items.');
  const price = b.unit_price ?? '0';
  if (Number.isNaN(Number(price))) throw invalid('unit_price', 'A valid number is required.');
  const prices: Record<string, string> = {};
  if (b.prices !== undefined) {
    if (typeof b.prices !== 'object' || b.prices === null || Array.isArray(b.prices)) throw invalid('prices', 'Expected a dictionary of items.');
    for (const [k, v] of Object.entries(b.prices)) if (Number.isNaN(Number(v))) throw invalid('prices', `A valid number is required for "${k}".`); else prices[k] = String(v);
  }
  return { uuid: newUuid(), name: str(b, 'name', { required: true, max: 150 }), offering, description: str(b, 'description'), article_code: str(b, 'article_code'), unit_price: String(price), unit: choice(b.unit, 'unit', ['month', 'quarter', 'half_month', 'day', 'hour', 'quantity'] as const, 'month'), archived: false, max_amount: b.max_amount ?? null, backend_id: str(b, 'backend_id'), prices, created: now() };
}
