// Permission sets and their enforcement (upstream: packs/core/permission_sets/*.yaml, routes/
// permissions.rs, the `RequirePermission` checks of each route). Every /api/v1 request is checked
// here, after authentication and BEFORE its route runs, so a refused request is never processed
// (its body is not validated, nothing is written).
//
// Choices where the reference is silent (README): admins (is_admin) hold core.admin; an identity
// with no permission set at all keeps the emulator's Tier 1 behaviour (full rights over what it
// owns, as self-registered users in T1.7); once it holds a set, only that set's grants apply.
import type { NextFunction, Request, Response, Router } from 'express';
import { Router as router } from 'express';
import { callerOf } from './auth';
import type { Database } from './db';
import { Body, forbidden, idParam, invalid, notFound } from './http';

type Grants = Record<string, string[]>;

const ALL = ['read', 'create', 'update', 'delete', 'execute', 'cancel', 'install', 'configure', 'respond', 'decrypt', 'manage'];
const RESOURCES = ['packs', 'actions', 'queues', 'rules', 'triggers', 'executions', 'events', 'enforcements', 'inquiries', 'keys', 'artifacts', 'runtimes', 'workers', 'retention', 'identities', 'permissions', 'audit_log'];

/** The core permission sets, grant for grant as upstream's packs/core/permission_sets. */
export const PERMISSION_SETS: { id: number; ref: string; label: string; grants: Grants }[] = [
  { id: 1, ref: 'core.admin', label: 'Admin', grants: Object.fromEntries(RESOURCES.map((r) => [r, ALL])) },
  {
    id: 2, ref: 'core.editor', label: 'Editor',
    grants: { packs: ['read', 'create', 'update'], actions: ['read', 'create', 'update', 'execute'], rules: ['read', 'create', 'update'], triggers: ['read'], executions: ['read', 'cancel'], keys: ['read', 'update', 'decrypt'], artifacts: ['read'] },
  },
  {
    id: 3, ref: 'core.executor', label: 'Executor',
    grants: { packs: ['read'], actions: ['read', 'execute'], rules: ['read'], triggers: ['read'], executions: ['read', 'create'], artifacts: ['read'] },
  },
  {
    id: 4, ref: 'core.viewer', label: 'Viewer',
    grants: Object.fromEntries(['packs', 'actions', 'rules', 'triggers', 'executions', 'events', 'enforcements', 'inquiries', 'keys', 'artifacts'].map((r) => [r, ['read']])),
  },
];

export const RBAC_DDL = `
CREATE TABLE IF NOT EXISTS attune.permission_assignment (
  id BIGSERIAL PRIMARY KEY,
  identity BIGINT NOT NULL REFERENCES attune.identity(id) ON DELETE CASCADE,
  permission_set_ref TEXT NOT NULL,
  created TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (identity, permission_set_ref)
);
CREATE TABLE IF NOT EXISTS attune.identity_role (
  id BIGSERIAL PRIMARY KEY, identity BIGINT NOT NULL REFERENCES attune.identity(id) ON DELETE CASCADE, role TEXT NOT NULL, UNIQUE (identity, role));
CREATE TABLE IF NOT EXISTS attune.permission_set_role (
  id BIGSERIAL PRIMARY KEY, permission_set_ref TEXT NOT NULL, role TEXT NOT NULL, UNIQUE (permission_set_ref, role));`;

/** (resource, action) a request needs: the route family is the resource, the verb the action. */
export function required(method: string, path: string): [string, string] | null {
  const [first, , third] = path.replace(/^\/+/, '').split('/');
  const resource = first === 'workflows' ? 'actions' : first === 'audit-events' ? 'audit_log' : first;
  if (!resource || resource === 'webhooks') return null;
  if (method === 'GET' || method === 'HEAD') return [resource, 'read'];
  if (first === 'executions' && third === undefined && path.includes('/execute')) return ['actions', 'execute'];
  if (first === 'executions' && third === 'cancel') return ['executions', 'cancel'];
  if (first === 'inquiries' && third === 'respond') return ['inquiries', 'respond'];
  if (method === 'POST') return [resource, 'create'];
  if (method === 'PUT' || method === 'PATCH') return [resource, 'update'];
  if (method === 'DELETE') return [resource, 'delete'];
  return null;
}

export class Rbac {
  constructor(private readonly db: Database) {}

  async init(): Promise<void> {
    await this.db.exec(RBAC_DDL);
  }

  /** Refs of the permission sets an identity holds, directly or through its roles. */
  async setsOf(identity: number): Promise<string[]> {
    const rows = await this.db.query(
      `SELECT permission_set_ref AS ref FROM permission_assignment WHERE identity = $1
       UNION SELECT psr.permission_set_ref FROM permission_set_role psr JOIN identity_role ir ON ir.role = psr.role WHERE ir.identity = $1`,
      [identity],
    );
    return rows.map((r) => r.ref);
  }

  /** Express middleware: 403 unless the caller's permission sets grant what the route needs. */
  middleware() {
    return (req: Request, _res: Response, next: NextFunction) => {
      const caller = callerOf(req);
      const need = required(req.method, req.path);
      if (caller.isAdmin || !need) return next();
      this.setsOf(caller.id).then((refs) => {
        if (!refs.length) return next(); // no permission set: Tier 1 behaviour (see header)
        const [resource, action] = need;
        const ok = refs.some((ref) => PERMISSION_SETS.find((s) => s.ref === ref)?.grants[resource]?.includes(action));
        if (ok) return next();
        next(forbidden(`Permission denied: ${resource}:${action} is not granted by ${refs.join(', ')}`));
      }, next);
    };
  }

  /** The permission routes (admins only: permissions:manage). */
  routes(): Router {
    const r = router();
    r.use(['/permissions', '/identities/:id/roles', '/identities/roles'], (req, _res, next) =>
      next(callerOf(req).isAdmin ? undefined : forbidden('Permission denied: permissions:manage is required')));
    const dto = (s: (typeof PERMISSION_SETS)[number]) => ({ id: s.id, ref: s.ref, pack_ref: 'core', label: s.label, grants: Object.entries(s.grants).map(([resource, actions]) => ({ resource, actions })) });
    const set = (id: string) => PERMISSION_SETS.find((s) => s.id === idParam(id, 'Permission set')) ?? (() => { throw notFound(`Permission set '${id}'`); })();
    const identity = async (id: number) => (await this.db.one('SELECT id FROM identity WHERE id = $1', [id])) ?? (() => { throw notFound(`Identity '${id}'`); })();
    r.get('/permissions/sets', (_req, res) => void res.json({ items: PERMISSION_SETS.map(dto), pagination: { page: 1, page_size: PERMISSION_SETS.length, total_items: PERMISSION_SETS.length, total_pages: 1, has_previous: false, has_next: false } }));
    r.post('/permissions/sets/:id/roles', async (req, res) => {
      const s = set(req.params.id);
      const role = new Body(req.body).reqStr('role');
      const row = await this.db.one('INSERT INTO permission_set_role (permission_set_ref, role) VALUES ($1,$2) ON CONFLICT (permission_set_ref, role) DO UPDATE SET role = EXCLUDED.role RETURNING *', [s.ref, role]);
      res.status(201).json({ data: row });
    });
    r.delete('/permissions/sets/roles/:id', async (req, res) => {
      await this.db.query('DELETE FROM permission_set_role WHERE id = $1', [idParam(req.params.id, 'Role assignment')]);
      res.json({ success: true, message: 'Role assignment deleted successfully' });
    });
    r.post('/identities/:id/roles', async (req, res) => {
      const who = await identity(idParam(req.params.id, 'Identity'));
      const role = new Body(req.body).reqStr('role');
      const row = await this.db.one('INSERT INTO identity_role (identity, role) VALUES ($1,$2) ON CONFLICT (identity, role) DO UPDATE SET role = EXCLUDED.role RETURNING *', [who.id, role]);
      res.status(201).json({ data: row });
    });
    r.delete('/identities/roles/:id', async (req, res) => {
      await this.db.query('DELETE FROM identity_role WHERE id = $1', [idParam(req.params.id, 'Role assignment')]);
      res.json({ success: true, message: 'Role assignment deleted successfully' });
    });
    r.post('/permissions/assignments', async (req, res) => {
      const b = new Body(req.body);
      const ref = b.reqStr('permission_set_ref');
      if (!PERMISSION_SETS.some((s) => s.ref === ref)) throw notFound(`Permission set '${ref}'`);
      const id = b.int('identity_id') ?? (await this.db.one('SELECT id FROM identity WHERE login = $1', [b.str('identity_login') ?? '']))?.id;
      if (id === undefined) throw invalid('identity_id or identity_login is required');
      const who = await identity(Number(id));
      const row = await this.db.one('INSERT INTO permission_assignment (identity, permission_set_ref) VALUES ($1,$2) RETURNING *', [who.id, ref]);
      res.status(201).json({ data: { id: Number(row!.id), identity_id: Number(who.id), permission_set_ref: ref, created: row!.created } });
    });
    r.delete('/permissions/assignments/:id', async (req, res) => {
      const row = await this.db.one('DELETE FROM permission_assignment WHERE id = $1 RETURNING id', [idParam(req.params.id, 'Assignment')]);
      if (!row) throw notFound(`Assignment '${req.params.id}'`);
      res.json({ success: true, message: 'Permission assignment deleted successfully' });
    });
    return r;
  }
}
