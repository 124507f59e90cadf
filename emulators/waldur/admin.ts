// Operator endpoint (<instance>/__admin/): what an operator does on a real Waldur through the Django
// shell or the server's configuration, plus switches that reproduce the plan's known issues.
import { ApiError, Json, Reply, Req, Router, invalid, notFound, toHex } from './http';
import type { Events } from './events';
import { createOrRestoreOfferingUsers } from './accounts';
import { FAULTS, FAULT_SCOPES, Fault, FaultName, FaultScope, Marketplace } from './marketplace';
import type { Store } from './store';
import type { LoggedRequest } from './instance';
import { RESOURCE_STATES, newUuid } from './store';

export interface Listeners { add(stomp: boolean, port?: number): Promise<{ uuid: string; url: string }>; remove(uuid: string): Promise<void>; list(): { uuid: string; url: string }[] }
export interface AdminCtx { store: Store; market: Marketplace; events: Events; stomp: boolean; requests: LoggedRequest[]; listeners: Listeners }

function obj(req: Req): Record<string, Json> {
  if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw new ApiError(400, { non_field_errors: ['Expected a JSON object.'] });
  return req.body;
}

function entity<T>(map: Map<string, T>, raw: unknown, field: string): T {
  const hex = toHex(raw);
  const found = hex ? map.get(hex) : undefined;
  if (!found) throw invalid(field, 'Object does not exist.');
  return found;
}

const faultView = (f: Fault): Json => ({ uuid: f.uuid, name: f.name, [f.scope]: f.target, remaining: f.remaining, commit: f.commit });

export function buildAdmin(): Router<AdminCtx> {
  const r = new Router<AdminCtx>();
  r.add('GET', '/__admin/', (_q, c) => ({ body: { stomp: c.stomp, faults: FAULTS, fault_scopes: FAULT_SCOPES } }));

  // Known-issue switches, each scoped to exactly one offering, resource or order the caller names:
  // {"name": "set_state_done_500" | "shadow_resource", "offering_uuid" | "resource_uuid" | "order_uuid": uuid, "times"?: n, "commit"?: bool}
  r.add('GET', '/__admin/faults', (_q, c) => ({ body: [...c.market.faults.values()].map(faultView) }));
  r.add('POST', '/__admin/faults', (q, c) => {
    const b = obj(q);
    if (!FAULTS.includes(b.name)) throw invalid('name', `Unknown fault; one of: ${FAULTS.join(', ')}.`);
    const scopes = FAULT_SCOPES.filter((k) => b[k] !== undefined);
    if (scopes.length !== 1) throw invalid('non_field_errors', `Exactly one of ${FAULT_SCOPES.join(', ')} is required: a switch applies to what its caller owns, never to the whole instance.`);
    const scope: FaultScope = scopes[0];
    const target = toHex(b[scope]);
    if (!target) throw invalid(scope, 'Must be a valid UUID.');
    const known = { offering_uuid: c.store.offerings, resource_uuid: c.store.resources, order_uuid: c.store.orders }[scope] as Map<string, unknown>;
    if (!known.has(target)) throw invalid(scope, 'Object does not exist.');
    if (b.times !== undefined && (!Number.isInteger(b.times) || b.times < 1)) throw invalid('times', 'A positive integer is required.');
    const f: Fault = { uuid: newUuid(), name: b.name as FaultName, scope, target, remaining: b.times ?? null, commit: b.commit === true };
    c.market.faults.set(f.uuid, f);
    return { status: 201, body: faultView(f) };
  });
  // Removes one switch (its own); idempotent so a cleanup after a used-up switch succeeds.
  r.add('DELETE', '/__admin/faults/:uuid', (q, c) => {
    const hex = toHex(q.params[0]);
    if (!hex) throw notFound();
    c.market.faults.delete(hex);
    return { status: 204 };
  });

  // Users and their API tokens (Django shell: User.objects.create / Token.objects.get(user=u).key).
  r.add('POST', '/__admin/users', (q, c) => {
    const b = obj(q);
    if (typeof b.username !== 'string' || !b.username) throw invalid('username', 'This field is required.');
    if ([...c.store.users.values()].some((u) => u.username === b.username)) throw invalid('username', 'A user with that username already exists.');
    const u = c.store.addUser({ username: b.username, ...(typeof b.email === 'string' ? { email: b.email } : {}), first_name: String(b.first_name ?? ''), last_name: String(b.last_name ?? ''), is_staff: b.is_staff === true });
    return { status: 201, body: { ...c.store.user(u), token: u.token } };
  });
  r.add('GET', '/__admin/users/:uuid/token', (q, c) => {
    const u = entity(c.store.users, q.params[0], 'uuid');
    return { body: { token: u.token } };
  });

  // Resource.objects.create(offering=…, project=…, state=…) — a resource without an order.
  r.add('POST', '/__admin/resources', (q, c) => {
    const b = obj(q);
    const offering = entity(c.store.offerings, b.offering_uuid, 'offering_uuid');
    const project = entity(c.store.projects, b.project_uuid, 'project_uuid');
    const state = b.state ?? 'OK';
    if (!RESOURCE_STATES.includes(state)) throw invalid('state', `"${state}" is not a valid choice.`);
    const res = c.store.addResource({ offering: offering.uuid, project: project.uuid, name: String(b.name ?? ''), state, backend_id: String(b.backend_id ?? ''), limits: b.limits && typeof b.limits === 'object' ? b.limits : {} });
    return { status: 201, body: c.store.resource(res) };
  });

  // A second server block (nginx) for the same Waldur: {"stomp": false} serves the API but answers a plain
  // GET on /rmqws-stomp with the SPA page (200), as a Waldur without the STOMP location does (known issue 3).
  r.add('GET', '/__admin/listeners', (_q, c) => ({ body: c.listeners.list() }));
  r.add('POST', '/__admin/listeners', async (q, c) => {
    const b = obj(q);
    if (typeof b.stomp !== 'boolean') throw invalid('stomp', 'Must be a valid boolean.');
    if (b.port !== undefined && (!Number.isInteger(b.port) || b.port < 1 || b.port > 65535)) throw invalid('port', 'A valid port number is required.');
    return { status: 201, body: await c.listeners.add(b.stomp, b.port) };
  });
  r.add('DELETE', '/__admin/listeners/:uuid', async (q, c) => {
    const hex = toHex(q.params[0]);
    if (hex) await c.listeners.remove(hex);
    return { status: 204 };
  });

  // Resource.objects.get(uuid=…).delete(): removes a resource made above (no order, no events).
  r.add('DELETE', '/__admin/resources/:uuid', (q, c) => {
    const hex = toHex(q.params[0]);
    if (hex) c.store.resources.delete(hex);
    return { status: 204 };
  });

  // marketplace.tasks.create_or_restore_offering_users_for_user(user_uuid, project_uuid), as `waldur shell -c` runs it.
  r.add('POST', '/__admin/tasks/create_or_restore_offering_users_for_user', (q, c) => {
    const b = obj(q);
    const user = entity(c.store.users, b.user_uuid, 'user_uuid');
    const project = entity(c.store.projects, b.project_uuid, 'project_uuid');
    return { body: { created: createOrRestoreOfferingUsers(c.store, c.events, user.uuid, project.uuid).map((ou) => ou.uuid) } };
  });

  // offering.plugin_options / offering.state = … ; offering.save()
  r.add('PATCH', '/__admin/offerings/:uuid', (q, c) => {
    const hex = toHex(q.params[0]);
    const o = hex ? c.store.offerings.get(hex) : undefined;
    if (!o) throw notFound();
    const b = obj(q);
    if (b.plugin_options !== undefined) {
      if (typeof b.plugin_options !== 'object' || b.plugin_options === null || Array.isArray(b.plugin_options)) throw invalid('plugin_options', 'Expected a dictionary of items.');
      o.plugin_options = { ...o.plugin_options, ...b.plugin_options };
    }
    if (b.state !== undefined) {
      if (!['Draft', 'Active', 'Paused', 'Archived', 'Unavailable'].includes(b.state)) throw invalid('state', `"${b.state}" is not a valid choice.`);
      o.state = b.state;
    }
    return { body: c.store.offering(o, false) };
  });

  // The server's access log of API calls (nginx/gunicorn log on a real Waldur): ?contains= matches the
  // path or query (a UUID hex or dashed), ?user= the caller's username, ?since= an ISO time; oldest first.
  r.add('GET', '/__admin/requests', (q, c) => {
    const needles = q.query.getAll('contains').map((n) => n.toLowerCase().replace(/-/g, ''));
    const user = q.query.get('user');
    const since = q.query.get('since');
    if (since !== null && Number.isNaN(Date.parse(since))) throw invalid('since', 'Enter a valid date/time.');
    const hit = (e: LoggedRequest) => (since === null || e.at >= new Date(since).toISOString()) && needles.every((n) => (e.path + '?' + e.query).toLowerCase().replace(/-/g, '').includes(n)) && (!user || e.user === user);
    return { body: c.requests.filter(hit) };
  });

  // What was published to the broker (the RabbitMQ management UI's view of it).
  r.add('GET', '/__admin/events', async (_q, c) => {
    await c.events.idle();
    return { body: c.events.log };
  });
  return r;
}
