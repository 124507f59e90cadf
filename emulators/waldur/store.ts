// In-memory state of one Waldur instance and its serializers (field names and types of schema 8.0.5).
import { randomBytes, randomUUID } from 'node:crypto';
import type { Json } from './http';

export const ORDER_STATES = ['pending-consumer', 'pending-provider', 'pending-project', 'pending-start-date', 'executing', 'done', 'erred', 'canceled', 'rejected'] as const;
export type OrderState = (typeof ORDER_STATES)[number];
export const RESOURCE_STATES = ['Creating', 'OK', 'Erred', 'Updating', 'Terminating', 'Terminated'] as const;
export type ResourceState = (typeof RESOURCE_STATES)[number];
export const ORDER_TYPES = ['Create', 'Update', 'Terminate', 'Restore'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];
/** 8.0.5's eight observable object types plus the six the current client sends (waldur/py-client observable_object_type_enum.py). */
export const OBJECT_TYPES = ['order', 'user_role', 'resource', 'offering_user', 'importable_resources', 'service_account', 'course_account', 'resource_periodic_limits',
  'offering_resources_sync', 'resource_api_key_rotation', 'resource_end_date_change_request', 'user_lifecycle', 'user_profile', 'user_ssh_key'] as const;
/** Offering types an agent identity may be registered for (mastermind marketplace_site_agent/serializers.py: SITE_AGENT, SCRIPT, OPENSTACK_TENANT, BASIC). */
export const AGENT_OFFERING_TYPES = ['Marketplace.Slurm', 'Marketplace.Script', 'OpenStack.Tenant', 'Marketplace.Basic'];
export const TERMINAL_ORDER_STATES: readonly OrderState[] = ['done', 'erred', 'canceled', 'rejected'];

export const newUuid = (): string => randomUUID().replace(/-/g, '');
export const now = (): string => new Date().toISOString();
export const slugify = (s: string): string => (s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'x') + '-' + randomBytes(2).toString('hex');

export interface User { uuid: string; username: string; email: string; first_name: string; last_name: string; is_staff: boolean; is_active: boolean; token: string; is_identity_manager: boolean; managed_isds: string[]; active_isds: string[]; password: string | null; created: string }
export interface Customer { uuid: string; name: string; slug: string; abbreviation: string; backend_id: string; created: string }
export interface Project { uuid: string; name: string; slug: string; customer: string; backend_id: string; description: string; end_date: string | null; start_date: string | null; oecd_fos_2007_code: string | null; is_industry: boolean; created: string }
export interface Category { uuid: string; title: string; description: string; created: string }
export interface ServiceProvider { uuid: string; customer: string; description: string; created: string }
export interface Component { uuid: string; type: string; name: string; description: string; billing_type: string; measured_unit: string; unit_factor: number; limit_period: string | null; limit_amount: number | null; article_code: string; max_value: number | null; min_value: number | null; max_available_limit: number | null; is_boolean: boolean; default_limit: number | null; is_prepaid: boolean }
export interface Plan { uuid: string; name: string; offering: string; description: string; article_code: string; unit_price: string; unit: string; archived: boolean; max_amount: number | null; backend_id: string; prices: Record<string, string>; created: string }
export interface Offering { uuid: string; name: string; slug: string; description: string; type: string; state: string; customer: string | null; category: string; components: Component[]; plugin_options: Json; attributes: Json; shared: boolean; billable: boolean; backend_id: string; created: string }
export interface Resource { uuid: string; name: string; slug: string; description: string; offering: string; plan: string | null; project: string; state: ResourceState; backend_id: string; effective_id: string; limits: Record<string, number>; attributes: Json; end_date: string | null; downscaled: boolean; paused: boolean; restrict_member_access: boolean; error_message: string; error_traceback: string; creation_order: string | null; created: string; modified: string; last_sync: string; backend_metadata?: Json }
export interface Order {
  uuid: string; type: OrderType; state: OrderState; offering: string; plan: string | null; project: string;
  /** the resource the order acts on; `reported_resource` is what `marketplace_resource_uuid` shows (a shadow under the fault) */
  resource: string; reported_resource: string;
  limits: Record<string, number>; attributes: Json; backend_id: string; error_message: string; error_traceback: string;
  request_comment: string | null; callback_url: string | null; start_date: string | null; slug: string;
  created_by: string; consumer_reviewed_by: string | null; consumer_reviewed_at: string | null;
  provider_reviewed_by: string | null; provider_reviewed_at: string | null;
  consumer_rejection_comment: string; provider_rejection_comment: string;
  created: string; modified: string; completed_at: string | null;
}
export interface Identity { uuid: string; offering: string; created_by: string | null; name: string; version: string | null; dependencies: Json; config_file_path: string | null; config_file_content: string | null; last_restarted: string; created: string; modified: string }
export interface AgentService { uuid: string; identity: string; name: string; mode: string | null; state: string; statistics: Json; processors: { uuid: string; name: string; backend_type: string; backend_version: string | null; created: string; modified: string }[]; created: string; modified: string }
export interface Subscription { uuid: string; user: string; description: string; observable_objects: Json[]; created: string; modified: string; source_ip: string | null }
/** A role grant (Waldur's UserRole): a role name on one customer, project or offering. */
export interface RoleGrant { uuid: string; user: string; scope: 'customer' | 'project' | 'offering'; target: string; role: string; created: string; expiration_time: string | null }
export const OFFERING_USER_STATES = ['Requested', 'Creating', 'Pending account linking', 'Pending additional validation', 'OK', 'Requested deletion', 'Deleting', 'Deleted', 'Error creating', 'Error deleting'] as const;
export type OfferingUserState = (typeof OFFERING_USER_STATES)[number];
export interface OfferingUser { uuid: string; user: string; offering: string; username: string | null; state: OfferingUserState; is_restricted: boolean; created: string; modified: string }
export interface SubscriptionQueue { uuid: string; subscription: string; offering_uuid: string; object_type: string; queue_name: string; vhost: string; created: string }

export class Store {
  users = new Map<string, User>();
  customers = new Map<string, Customer>();
  projects = new Map<string, Project>();
  categories = new Map<string, Category>();
  providers = new Map<string, ServiceProvider>();
  offerings = new Map<string, Offering>();
  plans = new Map<string, Plan>();
  resources = new Map<string, Resource>();
  orders = new Map<string, Order>();
  identities = new Map<string, Identity>();
  services = new Map<string, AgentService>();
  subscriptions = new Map<string, Subscription>();
  queues = new Map<string, SubscriptionQueue>();
  roles = new Map<string, RoleGrant>();
  offeringUsers = new Map<string, OfferingUser>();

  constructor(readonly base: string) {}

  url(collection: string, uuid: string): string {
    return `${this.base}api/${collection}/${uuid}/`;
  }

  addUser(fields: Partial<User> & { username: string }): User {
    const user: User = { uuid: newUuid(), email: `${fields.username}@example.org`, first_name: '', last_name: '', is_staff: false, is_active: true, token: randomBytes(20).toString('hex'), is_identity_manager: false, managed_isds: [], active_isds: [], password: null, created: now(), ...fields };
    this.users.set(user.uuid, user);
    return user;
  }

  addCustomer(name: string, extra: Partial<Customer> = {}): Customer {
    const c: Customer = { uuid: newUuid(), name, slug: slugify(name), abbreviation: '', backend_id: '', created: now(), ...extra };
    this.customers.set(c.uuid, c);
    return c;
  }

  addProject(name: string, customer: string, extra: Partial<Project> = {}): Project {
    const p: Project = { uuid: newUuid(), name, slug: slugify(name), customer, backend_id: '', description: '', end_date: null, start_date: null, oecd_fos_2007_code: null, is_industry: false, created: now(), ...extra };
    this.projects.set(p.uuid, p);
    return p;
  }

  addCategory(title: string, description = ''): Category {
    const c: Category = { uuid: newUuid(), title, description, created: now() };
    this.categories.set(c.uuid, c);
    return c;
  }

  addResource(fields: Pick<Resource, 'offering' | 'project' | 'name'> & Partial<Resource>): Resource {
    const t = now();
    const r: Resource = { uuid: newUuid(), slug: slugify(fields.name || 'resource'), description: '', plan: null, state: 'Creating', backend_id: '', effective_id: '', limits: {}, attributes: {}, end_date: null, downscaled: false, paused: false, restrict_member_access: false, error_message: '', error_traceback: '', creation_order: null, created: t, modified: t, last_sync: t, ...fields };
    this.resources.set(r.uuid, r);
    return r;
  }

  // ---- serializers -------------------------------------------------------------------------

  user(u: User): Json {
    return { url: this.url('users', u.uuid), uuid: u.uuid, username: u.username, full_name: `${u.first_name} ${u.last_name}`.trim(), first_name: u.first_name, last_name: u.last_name, email: u.email, is_staff: u.is_staff, is_active: u.is_active, is_support: false, is_identity_manager: u.is_identity_manager, managed_isds: u.managed_isds, date_joined: u.created, civil_number: null, native_name: '', organization: '', job_title: '', phone_number: '', registration_method: 'default', identity_source: '', active_isds: u.active_isds, permissions: [] };
  }

  customer(c: Customer): Json {
    return { url: this.url('customers', c.uuid), uuid: c.uuid, name: c.name, slug: c.slug, abbreviation: c.abbreviation, native_name: '', backend_id: c.backend_id, created: c.created, email: '', blocked: false, archived: false, projects_count: [...this.projects.values()].filter((p) => p.customer === c.uuid).length };
  }

  project(p: Project): Json {
    const c = this.customers.get(p.customer);
    return { url: this.url('projects', p.uuid), uuid: p.uuid, name: p.name, slug: p.slug, customer: this.url('customers', p.customer), customer_uuid: p.customer, customer_name: c?.name ?? '', customer_slug: c?.slug ?? '', customer_native_name: '', customer_abbreviation: c?.abbreviation ?? '', description: p.description, created: p.created, type: null, type_name: null, type_uuid: null, backend_id: p.backend_id, start_date: p.start_date, end_date: p.end_date, end_date_requested_by: null, oecd_fos_2007_code: p.oecd_fos_2007_code, oecd_fos_2007_label: '', is_industry: p.is_industry, image: null, resources_count: [...this.resources.values()].filter((r) => r.project === p.uuid && r.state !== 'Terminated').length, kind: 'default', is_removed: false, marketplace_resource_count: {} };
  }

  category(c: Category): Json {
    return { url: this.url('marketplace-categories', c.uuid), uuid: c.uuid, title: c.title, description: c.description, icon: null, offering_count: [...this.offerings.values()].filter((o) => o.category === c.uuid).length, available_offerings_count: 0, sections: [], columns: [], components: [], group: null, default_vm_category: false, default_volume_category: false, default_tenant_category: false };
  }

  serviceProvider(s: ServiceProvider): Json {
    const c = this.customers.get(s.customer);
    return { url: this.url('marketplace-service-providers', s.uuid), uuid: s.uuid, created: s.created, description: s.description, enable_notifications: true, customer: this.url('customers', s.customer), customer_uuid: s.customer, customer_name: c?.name ?? '', customer_abbreviation: c?.abbreviation ?? '', customer_slug: c?.slug ?? '', customer_native_name: '', customer_country: '', image: null, organization_groups: [], offering_count: [...this.offerings.values()].filter((o) => o.customer === s.customer).length };
  }

  component(c: Component): Json {
    return { uuid: c.uuid, billing_type: c.billing_type, type: c.type, name: c.name, description: c.description, measured_unit: c.measured_unit, unit_factor: c.unit_factor, limit_period: c.limit_period, limit_amount: c.limit_amount, article_code: c.article_code, max_value: c.max_value, min_value: c.min_value, max_available_limit: c.max_available_limit, is_boolean: c.is_boolean, default_limit: c.default_limit, factor: null, is_builtin: false, is_prepaid: c.is_prepaid, overage_component: null, min_prepaid_duration: null, max_prepaid_duration: null };
  }

  plan(p: Plan, publicView: boolean): Json {
    const o = this.offerings.get(p.offering);
    const url = publicView ? `${this.base}api/marketplace-public-offerings/${p.offering}/plans/${p.uuid}/` : this.url('marketplace-plans', p.uuid);
    return { url, uuid: p.uuid, name: p.name, description: p.description, article_code: p.article_code, max_amount: p.max_amount, archived: p.archived, is_active: !p.archived, unit_price: p.unit_price, unit: p.unit, init_price: 0, switch_price: 0, backend_id: p.backend_id, organization_groups: [], components: (o?.components ?? []).map((c) => ({ measured_unit: c.measured_unit, type: c.type, name: c.name, amount: 0, price: p.prices[c.type] ?? '0', future_price: null, discount_threshold: null, discount_rate: null })), prices: Object.fromEntries((o?.components ?? []).map((c) => [c.type, Number(p.prices[c.type] ?? 0)])), future_prices: {}, quotas: {}, resources_count: [...this.resources.values()].filter((r) => r.plan === p.uuid).length, plan_type: 'limit', minimal_price: 0, offering: this.url('marketplace-provider-offerings', p.offering), offering_uuid: p.offering, offering_name: o?.name ?? '' };
  }

  offering(o: Offering, publicView: boolean): Json {
    const customer = o.customer ? this.customers.get(o.customer) : undefined;
    const category = this.categories.get(o.category);
    const collection = publicView ? 'marketplace-public-offerings' : 'marketplace-provider-offerings';
    return {
      url: this.url(collection, o.uuid), uuid: o.uuid, created: o.created, name: o.name, slug: o.slug, description: o.description, full_description: '', privacy_policy_link: '', access_url: '',
      endpoints: [], software_catalogs: [], partitions: [], roles: [],
      customer: o.customer ? this.url('customers', o.customer) : null, customer_uuid: o.customer, customer_name: customer?.name ?? null,
      project: null, project_uuid: null, project_name: null,
      category: this.url('marketplace-categories', o.category), category_uuid: o.category, category_title: category?.title ?? '',
      attributes: o.attributes, options: { order: [], options: {} }, resource_options: { order: [], options: {} },
      components: o.components.map((c) => this.component(c)), plugin_options: o.plugin_options, state: o.state,
      vendor_details: '', getting_started: '', integration_guide: '', thumbnail: null, order_count: [...this.orders.values()].filter((x) => x.offering === o.uuid).length,
      plans: [...this.plans.values()].filter((p) => p.offering === o.uuid && !p.archived).map((p) => this.plan(p, publicView)),
      screenshots: [], type: o.type, shared: o.shared, billable: o.billable, scope: '', scope_uuid: null, scope_name: null, scope_state: null, scope_error_message: null,
      files: [], quotas: [], paused_reason: '', datacite_doi: '', citation_count: -1, latitude: null, longitude: null, country: '', backend_id: o.backend_id,
      organization_groups: [], tags: [], image: null, total_customers: null, total_cost: null, total_cost_estimated: null, parent_description: null, parent_uuid: null, parent_name: null,
    };
  }

  private offeringRefs(offeringUuid: string, planUuid: string | null): Json {
    const o = this.offerings.get(offeringUuid);
    const plan = planUuid ? this.plans.get(planUuid) : undefined;
    const provider = o?.customer ? this.customers.get(o.customer) : undefined;
    const sp = [...this.providers.values()].find((s) => s.customer === o?.customer);
    const category = o ? this.categories.get(o.category) : undefined;
    return {
      offering: this.url('marketplace-public-offerings', offeringUuid), offering_name: o?.name ?? '', offering_uuid: offeringUuid, offering_description: o?.description ?? '',
      offering_type: o?.type ?? '', offering_shared: o?.shared ?? true, offering_billable: o?.billable ?? true, offering_plugin_options: o?.plugin_options ?? {}, offering_slug: o?.slug ?? '', offering_state: o?.state ?? 'Active',
      provider_name: provider?.name ?? '', provider_uuid: sp?.uuid ?? o?.customer ?? '', provider_slug: provider?.slug ?? '',
      category_title: category?.title ?? '', category_uuid: o?.category ?? '',
      plan: plan ? `${this.base}api/marketplace-public-offerings/${offeringUuid}/plans/${plan.uuid}/` : null,
      plan_unit: plan?.unit ?? null, plan_name: plan?.name ?? null, plan_uuid: plan?.uuid ?? null, plan_description: plan?.description ?? null,
    };
  }

  private projectRefs(projectUuid: string): Json {
    const p = this.projects.get(projectUuid);
    const c = p ? this.customers.get(p.customer) : undefined;
    return { project_name: p?.name ?? '', project_uuid: projectUuid, project_description: p?.description ?? '', project_slug: p?.slug ?? '', customer_name: c?.name ?? '', customer_uuid: p?.customer ?? '', customer_slug: c?.slug ?? '' };
  }

  order(o: Order): Json {
    const r = this.resources.get(o.reported_resource);
    const creator = this.users.get(o.created_by);
    const reviewer = (u: string | null) => (u ? this.users.get(u) : undefined);
    const cr = reviewer(o.consumer_reviewed_by);
    const pr = reviewer(o.provider_reviewed_by);
    return {
      ...this.offeringRefs(o.offering, o.plan),
      attributes: o.attributes, limits: o.limits, uuid: o.uuid, created: o.created, modified: o.modified,
      resource_uuid: null, resource_type: null, resource_name: r?.name ?? '', cost: null, state: o.state, output: '',
      marketplace_resource_uuid: o.reported_resource, error_message: o.error_message, error_traceback: o.error_traceback,
      callback_url: o.callback_url, completed_at: o.completed_at, request_comment: o.request_comment, attachment: null,
      type: o.type, start_date: o.start_date, slug: o.slug, url: this.url('marketplace-orders', o.uuid),
      consumer_reviewed_by: cr ? this.url('users', cr.uuid) : null, consumer_reviewed_by_full_name: cr ? `${cr.first_name} ${cr.last_name}`.trim() : null, consumer_reviewed_by_username: cr?.username ?? null, consumer_reviewed_at: o.consumer_reviewed_at,
      provider_reviewed_by: pr ? this.url('users', pr.uuid) : null, provider_reviewed_by_full_name: pr ? `${pr.first_name} ${pr.last_name}`.trim() : null, provider_reviewed_by_username: pr?.username ?? null, provider_reviewed_at: o.provider_reviewed_at,
      created_by_username: creator?.username ?? '', created_by_full_name: creator ? `${creator.first_name} ${creator.last_name}`.trim() : '', created_by_civil_number: null, created_by_email: creator?.email ?? null, created_by_organization: null, created_by_organization_registry_code: null,
      ...this.projectRefs(o.project),
      old_plan_name: null, new_plan_name: null, old_plan_uuid: null, new_plan_uuid: null, old_cost_estimate: 0, new_cost_estimate: null,
      can_terminate: o.state === 'pending-consumer' || o.state === 'pending-provider', fixed_price: 0, activation_price: 0, termination_comment: null,
      backend_id: o.backend_id, order_subtype: null, provider_message: '', provider_message_url: '', provider_message_attachment: null, consumer_message: '', consumer_message_attachment: null,
      consumer_rejection_comment: o.consumer_rejection_comment, provider_rejection_comment: o.provider_rejection_comment, issue: null,
    };
  }

  resource(r: Resource): Json {
    const inProgress = [...this.orders.values()].find((o) => o.resource === r.uuid && !TERMINAL_ORDER_STATES.includes(o.state));
    const creation = r.creation_order ? this.orders.get(r.creation_order) : undefined;
    const o = this.offerings.get(r.offering);
    const p = this.projects.get(r.project);
    return {
      ...this.offeringRefs(r.offering, r.plan),
      attributes: r.attributes, limits: r.limits, uuid: r.uuid, created: r.created, modified: r.modified, url: this.url('marketplace-resources', r.uuid),
      scope: '', description: r.description, state: r.state, resource_uuid: null, backend_id: r.backend_id, effective_id: r.effective_id, resource_type: null,
      project: this.url('projects', r.project), ...this.projectRefs(r.project), project_end_date: p?.end_date ?? null,
      offering_backend_id: o?.backend_id ?? '',
      backend_metadata: r.backend_metadata ?? {}, is_usage_based: o?.components.some((c) => c.billing_type === 'usage') ?? false, is_limit_based: o?.components.some((c) => c.billing_type === 'limit') ?? false,
      name: r.name, slug: r.slug, current_usages: {}, can_terminate: r.state === 'OK' || r.state === 'Erred', report: [], end_date: r.end_date, end_date_requested_by: null, username: null,
      limit_usage: {}, downscaled: r.downscaled, restrict_member_access: r.restrict_member_access, paused: r.paused, endpoints: [], error_message: r.error_message, error_traceback: r.error_traceback,
      options: null, available_actions: [], last_sync: r.last_sync, order_in_progress: inProgress ? this.order(inProgress) : null, creation_order: creation ? this.order(creation) : null,
      user_requires_reconsent: false, renewal_date: null, offering_components: (o?.components ?? []).map((c) => this.component(c)),
    };
  }

  identity(i: Identity): Json {
    // created_by and compatibility: fields of the current client's AgentIdentity (waldur/py-client models/agent_identity.py), beyond 8.0.5.
    return { uuid: i.uuid, url: this.url('marketplace-site-agent-identities', i.uuid), offering: i.offering, created_by: i.created_by, name: i.name, version: i.version, dependencies: i.dependencies, config_file_path: i.config_file_path, config_file_content: i.config_file_content, last_restarted: i.last_restarted, created: i.created, modified: i.modified, compatibility: { status: 'unknown', message: 'Agent version compatibility is not checked.' }, services: [...this.services.values()].filter((s) => s.identity === i.uuid).map((s) => ({ uuid: s.uuid, url: this.url('marketplace-site-agent-services', s.uuid), name: s.name, mode: s.mode, state: s.state, statistics: s.statistics, created: s.created, modified: s.modified })) };
  }

  service(s: AgentService): Json {
    return { uuid: s.uuid, url: this.url('marketplace-site-agent-services', s.uuid), identity: s.identity, identity_name: this.identities.get(s.identity)?.name ?? '', name: s.name, mode: s.mode, state: s.state, statistics: s.statistics, created: s.created, modified: s.modified, processors: s.processors.map((p) => this.processor(p)) };
  }

  /** AgentProcessor (8.0.5: url and, outside a service, service and service_name are required). */
  processor(p: AgentService['processors'][number], service?: AgentService): Json {
    const nested = { uuid: p.uuid, url: this.url('marketplace-site-agent-processors', p.uuid), name: p.name, last_run: null, backend_type: p.backend_type, backend_version: p.backend_version, created: p.created, modified: p.modified };
    return service ? { ...nested, service: service.uuid, service_name: service.name } : nested;
  }

  subscription(s: Subscription): Json {
    const u = this.users.get(s.user);
    return { uuid: s.uuid, url: this.url('event-subscriptions', s.uuid), description: s.description, user: this.url('users', s.user), user_uuid: s.user, user_username: u?.username ?? '', user_full_name: u ? `${u.first_name} ${u.last_name}`.trim() : '', observable_objects: s.observable_objects, created: s.created, modified: s.modified, source_ip: s.source_ip };
  }

  offeringUser(ou: OfferingUser): Json {
    const u = this.users.get(ou.user);
    const o = this.offerings.get(ou.offering);
    const customer = o?.customer ? this.customers.get(o.customer) : undefined;
    return {
      url: this.url('marketplace-offering-users', ou.uuid), uuid: ou.uuid, user: this.url('users', ou.user), offering: this.url('marketplace-provider-offerings', ou.offering),
      username: ou.username, offering_uuid: ou.offering, offering_name: o?.name ?? '', user_uuid: ou.user, user_username: u?.username ?? '',
      user_full_name: u ? `${u.first_name} ${u.last_name}`.trim() : '', user_first_name: u?.first_name ?? '', user_last_name: u?.last_name ?? '', user_email: u?.email ?? '',
      user_phone_number: '', user_organization: '', user_job_title: '', user_affiliations: [], user_gender: null, user_personal_title: '', user_place_of_birth: '', user_country_of_residence: '',
      user_nationality: '', user_nationalities: [], user_organization_country: '', user_organization_type: '', user_organization_registry_code: '', user_eduperson_assurance: [], user_civil_number: null, user_birth_date: null,
      user_identity_source: '', user_active_isds: u?.active_isds ?? [], created: ou.created, modified: ou.modified, customer_uuid: o?.customer ?? null, customer_name: customer?.name ?? '',
      is_restricted: ou.is_restricted, state: ou.state, service_provider_comment: '', service_provider_comment_url: '', has_consent: true, requires_reconsent: false, has_compliance_checklist: false,
      consent_data: null, is_profile_complete: true, missing_profile_attributes: [],
    };
  }

  queue(q: SubscriptionQueue): Json {
    return { uuid: q.uuid, url: `${this.base}api/event-subscription-queues/${q.uuid}/`, event_subscription: this.url('event-subscriptions', q.subscription), event_subscription_uuid: q.subscription, offering_uuid: q.offering_uuid, object_type: q.object_type, queue_name: q.queue_name, vhost: q.vhost, created: q.created };
  }
}
