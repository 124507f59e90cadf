// Users, roles, the identity bridge and offering users (seed 001, REPORT §5, schema 8.0.5): who may see
// and change an offering user, its states, and the OFFERING_USER events mastermind publishes for it.
import { ApiError, Json, Req, Router, invalid, notFound, paginate, toHex } from './http';
import type { Ctx } from './api';
import type { Events } from './events';
import type { Offering, OfferingUser, OfferingUserState, RoleGrant, Store, User } from './store';
import { OFFERING_USER_STATES, newUuid, now } from './store';

/** Role names per scope (waldur_core.permissions fixtures). */
const ROLES: Record<RoleGrant['scope'], string[]> = {
  customer: ['CUSTOMER.OWNER', 'CUSTOMER.MANAGER', 'CUSTOMER.SUPPORT'],
  project: ['PROJECT.ADMIN', 'PROJECT.MANAGER', 'PROJECT.MEMBER'],
  offering: ['OFFERING.MANAGER'],
};
/** States from which setting a username completes the account (marketplace OfferingUser.set_ok). */
const PENDING: OfferingUserState[] = ['Requested', 'Creating', 'Pending account linking', 'Pending additional validation', 'Error creating'];

const hasRole = (store: Store, user: User, scope: RoleGrant['scope'], target: string | null, roles?: string[]): boolean =>
  !!target && [...store.roles.values()].some((g) => g.user === user.uuid && g.scope === scope && g.target === target && (!roles || roles.includes(g.role)));

/** Staff, the offering's managers and the owners of its service provider's organisation. */
export function managesOffering(store: Store, user: User, offering: Offering | undefined): boolean {
  if (user.is_staff) return true;
  if (!offering) return false;
  return hasRole(store, user, 'offering', offering.uuid) || hasRole(store, user, 'customer', offering.customer, ['CUSTOMER.OWNER']);
}

/** An ISD identity manager sees the users whose active ISDs overlap the ISDs it manages. */
export function isdOverlap(viewer: User, subject: User | undefined): boolean {
  return !!subject && viewer.is_identity_manager && viewer.managed_isds.some((isd) => subject.active_isds.includes(isd));
}

export function seesOfferingUser(store: Store, viewer: User, ou: OfferingUser): boolean {
  return managesOffering(store, viewer, store.offerings.get(ou.offering)) || ou.user === viewer.uuid || isdOverlap(viewer, store.users.get(ou.user));
}

/** OFFERING_USER message (REPORT §4.4) to the offering's subscribers who may see this offering user. */
export function publishOfferingUser(store: Store, events: Events, ou: OfferingUser, action: 'create' | 'update' | 'delete' | 'username_set', extra: Record<string, Json> = {}): void {
  const body = { offering_user_uuid: ou.uuid, user_uuid: ou.user, username: ou.username ?? '', state: ou.state, action, ...extra };
  events.publish(ou.offering, 'offering_user', body, (owner) => {
    const viewer = store.users.get(owner);
    return !!viewer && seesOfferingUser(store, viewer, ou);
  });
}

function newOfferingUser(store: Store, events: Events, user: string, offering: string, username: string | null): OfferingUser {
  const t = now();
  const ou: OfferingUser = { uuid: newUuid(), user, offering, username, state: username ? 'OK' : 'Requested', is_restricted: false, created: t, modified: t };
  store.offeringUsers.set(ou.uuid, ou);
  publishOfferingUser(store, events, ou, 'create', { attributes: {} });
  return ou;
}

/**
 * marketplace.tasks.create_or_restore_offering_users_for_user: for every offering with a live resource in
 * the project whose plugin options let the provider create offering users, an offering user in
 * Requested with an empty username (username_generation_policy = service_provider). Returns the new ones.
 */
export function createOrRestoreOfferingUsers(store: Store, events: Events, userUuid: string, projectUuid: string): OfferingUser[] {
  const offerings = new Set([...store.resources.values()].filter((r) => r.project === projectUuid && r.state !== 'Terminated').map((r) => r.offering));
  const made: OfferingUser[] = [];
  for (const uuid of offerings) {
    const o = store.offerings.get(uuid);
    if (!o || o.plugin_options?.service_provider_can_create_offering_user !== true) continue;
    if ([...store.offeringUsers.values()].some((x) => x.user === userUuid && x.offering === uuid)) continue;
    made.push(newOfferingUser(store, events, userUuid, uuid, null));
  }
  return made;
}

function obj(req: Req): Record<string, Json> {
  if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw new ApiError(400, { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
  return req.body;
}

function lookup<T>(map: Map<string, T>, raw: string): T {
  const hex = toHex(raw);
  const found = hex ? map.get(hex) : undefined;
  if (!found) throw notFound();
  return found;
}

/** A user given as a UUID (role grants) or a hyperlink (offering users). */
function userRef(store: Store, v: Json, field = 'user'): User {
  if (v === undefined || v === null || v === '') throw invalid(field, 'This field is required.');
  if (typeof v !== 'string') throw invalid(field, 'Incorrect type.');
  const last = v.includes('/') ? v.split('/').filter(Boolean).pop() : v;
  const hex = toHex(last);
  const u = hex ? store.users.get(hex) : undefined;
  if (!u) throw invalid(field, v.includes('/') ? 'Invalid hyperlink - Object does not exist.' : `Object with uuid=${v} does not exist.`);
  return u;
}

const forbidden = (): ApiError => new ApiError(403, { detail: 'You do not have permission to perform this action.' });
const boolFilter = (raw: string | null, name: string): boolean | null => {
  if (raw === null || raw === '') return null;
  if (['true', 'True', '1'].includes(raw)) return true;
  if (['false', 'False', '0'].includes(raw)) return false;
  throw invalid(name, 'Select a valid choice.');
};

export function addAccountRoutes(r: Router<Ctx>): void {
  // role grants: POST <scope>/{uuid}/add_user/ {"role": name, "user": uuid, "expiration_time"?} -> 201 {"expiration_time"}
  const scopes: [string, RoleGrant['scope'], (c: Ctx) => Map<string, { uuid: string }>, (c: Ctx, uuid: string) => string | null][] = [
    ['customers', 'customer', (c) => c.store.customers, (_c, uuid) => uuid],
    ['projects', 'project', (c) => c.store.projects, (c, uuid) => c.store.projects.get(uuid)?.customer ?? null],
    ['marketplace-provider-offerings', 'offering', (c) => c.store.offerings, (c, uuid) => c.store.offerings.get(uuid)?.customer ?? null],
  ];
  for (const [collection, scope, map, customerOf] of scopes) {
    r.add('POST', `/api/${collection}/:uuid/add_user/`, (q, c) => {
      const target = lookup(map(c), q.params[0]);
      if (!c.user.is_staff && !hasRole(c.store, c.user, 'customer', customerOf(c, target.uuid), ['CUSTOMER.OWNER'])) throw forbidden();
      const b = obj(q);
      const user = userRef(c.store, b.user);
      if (typeof b.role !== 'string' || !ROLES[scope].includes(b.role)) throw invalid('role', `Role "${b.role}" is not valid for this scope; one of ${ROLES[scope].join(', ')}.`);
      if (hasRole(c.store, user, scope, target.uuid, [b.role])) throw invalid('non_field_errors', 'User already has role within this scope.');
      const grant: RoleGrant = { uuid: newUuid(), user: user.uuid, scope, target: target.uuid, role: b.role, created: now(), expiration_time: typeof b.expiration_time === 'string' ? b.expiration_time : null };
      c.store.roles.set(grant.uuid, grant);
      // role_granted -> create_or_restore_offering_users_for_user, run by the Celery worker after the request.
      if (scope === 'project') setImmediate(() => createOrRestoreOfferingUsers(c.store, c.events, user.uuid, target.uuid));
      return { status: 201, body: { expiration_time: grant.expiration_time } };
    });
    r.add('POST', `/api/${collection}/:uuid/delete_user/`, (q, c) => {
      const target = lookup(map(c), q.params[0]);
      if (!c.user.is_staff && !hasRole(c.store, c.user, 'customer', customerOf(c, target.uuid), ['CUSTOMER.OWNER'])) throw forbidden();
      const b = obj(q);
      const user = userRef(c.store, b.user);
      const grant = [...c.store.roles.values()].find((g) => g.user === user.uuid && g.scope === scope && g.target === target.uuid && g.role === b.role);
      if (!grant) throw invalid('non_field_errors', 'User does not have role within this scope.');
      c.store.roles.delete(grant.uuid);
      return { status: 200, body: {} };
    });
  }

  // users: delete (staff), password, token
  r.add('DELETE', '/api/users/:uuid/', (q, c) => {
    if (!c.user.is_staff) throw forbidden();
    const u = lookup(c.store.users, q.params[0]);
    if (u === c.user) throw invalid('non_field_errors', 'You cannot delete yourself.');
    c.store.users.delete(u.uuid);
    for (const g of [...c.store.roles.values()]) if (g.user === u.uuid) c.store.roles.delete(g.uuid);
    for (const ou of [...c.store.offeringUsers.values()]) if (ou.user === u.uuid) c.store.offeringUsers.delete(ou.uuid);
    return { status: 204 };
  });
  r.add('POST', '/api/users/:uuid/change_password/', (q, c) => {
    const u = lookup(c.store.users, q.params[0]);
    if (u !== c.user && !c.user.is_staff) throw forbidden();
    const b = obj(q);
    if (typeof b.new_password !== 'string' || !b.new_password) throw invalid('new_password', 'This field is required.');
    u.password = b.new_password;
    return { status: 200 };
  });
  r.add('GET', '/api/users/:uuid/token/', (q, c) => {
    const u = lookup(c.store.users, q.params[0]);
    if (u !== c.user && !c.user.is_staff) throw forbidden();
    return { body: { created: u.created, user_first_name: u.first_name, user_last_name: u.last_name, user_username: u.username, user_is_active: u.is_active, user_token_lifetime: null, token: u.token } };
  });

  // identity bridge: the calling ISD pushes a user (created or updated), who becomes active in that ISD.
  r.add('POST', '/api/identity-bridge/', (q, c) => {
    const b = obj(q);
    if (typeof b.username !== 'string' || !b.username) throw invalid('username', 'This field is required.');
    if (typeof b.source !== 'string' || !b.source) throw invalid('source', 'This field is required.');
    if (!c.user.is_staff && !(c.user.is_identity_manager && c.user.managed_isds.includes(b.source))) throw forbidden();
    let u = [...c.store.users.values()].find((x) => x.username === b.username);
    const created = !u;
    const updated: string[] = [];
    if (!u) u = c.store.addUser({ username: b.username, email: typeof b.email === 'string' ? b.email : '' });
    for (const f of ['first_name', 'last_name', 'email'] as const) {
      if (typeof b[f] === 'string' && b[f] !== u[f]) {
        u[f] = b[f];
        updated.push(f);
      }
    }
    if (!u.active_isds.includes(b.source)) {
      u.active_isds = [...u.active_isds, b.source];
      updated.push('active_isds');
    }
    return { status: 200, body: { uuid: u.uuid, created, updated_fields: created ? [] : updated } };
  });

  // offering users
  r.add('GET', '/api/marketplace-offering-users/', (q, c) => {
    const offerings = q.query.getAll('offering_uuid').filter(Boolean).map((v) => toHex(v) ?? (() => { throw invalid('offering_uuid', `“${v}” is not a valid UUID.`); })());
    const states = q.query.getAll('state').filter(Boolean);
    for (const s of states) if (!(OFFERING_USER_STATES as readonly string[]).includes(s)) throw invalid('state', `Select a valid choice. ${s} is not one of the available choices.`);
    const restricted = boolFilter(q.query.get('is_restricted'), 'is_restricted');
    const userUuid = q.query.get('user_uuid') ? toHex(q.query.get('user_uuid')) : null;
    const username = q.query.get('user_username');
    const items = [...c.store.offeringUsers.values()]
      .filter((ou) => seesOfferingUser(c.store, c.user, ou))
      .filter((ou) => (!offerings.length || offerings.includes(ou.offering)) && (!states.length || states.includes(ou.state)) && (restricted === null || ou.is_restricted === restricted)
        && (!q.query.get('user_uuid') || ou.user === userUuid) && (!username || c.store.users.get(ou.user)?.username === username))
      .sort((a, b) => (a.created < b.created ? 1 : -1));
    return paginate(q, c.store.base, items.map((ou) => c.store.offeringUser(ou)));
  });
  const visible = (c: Ctx, raw: string): OfferingUser => {
    const ou = lookup(c.store.offeringUsers, raw);
    if (!seesOfferingUser(c.store, c.user, ou)) throw notFound();
    return ou;
  };
  r.add('GET', '/api/marketplace-offering-users/:uuid/', (q, c) => ({ body: c.store.offeringUser(visible(c, q.params[0])) }));
  r.add('POST', '/api/marketplace-offering-users/', (q, c) => {
    const b = obj(q);
    const user = userRef(c.store, b.user ?? b.user_uuid);
    const raw = b.offering ?? b.offering_uuid;
    const hex = typeof raw === 'string' ? toHex(raw.includes('/') ? raw.split('/').filter(Boolean).pop() : raw) : null;
    const offering = hex ? c.store.offerings.get(hex) : undefined;
    if (!offering) throw invalid('offering', raw === undefined ? 'This field is required.' : 'Invalid hyperlink - Object does not exist.');
    if (!managesOffering(c.store, c.user, offering)) throw forbidden();
    if (offering.plugin_options?.service_provider_can_create_offering_user !== true) throw invalid('non_field_errors', 'It is not allowed to create users for current offering.');
    if ([...c.store.offeringUsers.values()].some((x) => x.user === user.uuid && x.offering === offering.uuid)) throw invalid('non_field_errors', 'The fields offering, user must make a unique set.');
    const username = typeof b.username === 'string' && b.username ? b.username.slice(0, 100) : null;
    return { status: 201, body: c.store.offeringUser(newOfferingUser(c.store, c.events, user.uuid, offering.uuid, username)) };
  });
  for (const method of ['PATCH', 'PUT']) {
    r.add(method, '/api/marketplace-offering-users/:uuid/', (q, c) => {
      const ou = visible(c, q.params[0]);
      if (!managesOffering(c.store, c.user, c.store.offerings.get(ou.offering))) throw forbidden();
      const b = obj(q);
      if (b.username === undefined) return { body: c.store.offeringUser(ou) };
      if (b.username !== null && typeof b.username !== 'string') throw invalid('username', 'Not a valid string.');
      if (typeof b.username === 'string' && b.username.length > 100) throw invalid('username', 'Ensure this field has no more than 100 characters.');
      const username = b.username || null;
      const changed: string[] = [];
      if (username !== ou.username) {
        ou.username = username;
        changed.push('username');
        if (username && PENDING.includes(ou.state)) {
          ou.state = 'OK';
          changed.push('state');
        }
      }
      if (changed.length) {
        ou.modified = now();
        publishOfferingUser(c.store, c.events, ou, 'update', { changed_fields: changed });
        if (username) publishOfferingUser(c.store, c.events, ou, 'username_set');
      }
      return { body: c.store.offeringUser(ou) };
    });
  }
  r.add('DELETE', '/api/marketplace-offering-users/:uuid/', (q, c) => {
    const ou = visible(c, q.params[0]);
    if (!managesOffering(c.store, c.user, c.store.offerings.get(ou.offering))) throw forbidden();
    c.store.offeringUsers.delete(ou.uuid);
    publishOfferingUser(c.store, c.events, ou, 'delete');
    return { status: 204 };
  });
}

/** POST /api-auth/password/ {"username", "password"} -> {"token"} (no authentication; 401 on bad credentials, as the schema). */
export function passwordLogin(store: Store, body: Json): { status: number; body: Json } {
  const b = body && typeof body === 'object' && !Array.isArray(body) ? body : {};
  for (const f of ['username', 'password']) if (typeof b[f] !== 'string' || !b[f]) return { status: 400, body: { [f]: ['This field is required.'] } };
  const u = [...store.users.values()].find((x) => x.username === b.username);
  if (!u || u.password === null || u.password !== b.password || !u.is_active) return { status: 401, body: { detail: 'Invalid username/password.' } };
  return { status: 200, body: { token: u.token } };
}
