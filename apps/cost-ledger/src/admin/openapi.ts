/**
 * OpenAPI 3.1 document of the admin API (served at GET /v1/admin/openapi.json). Money is integer
 * micro-dollars; times are UTC ISO 8601; list endpoints page with an opaque `cursor` (next_cursor).
 */
import { admissionPlanSchema, apiKeyOverridesSchema } from '@llm/contracts';
import { z } from 'zod';

const bearer = [{ adminToken: [] }];
const tenant = { name: 'tenant', in: 'path', required: true, schema: { type: 'string' } };
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const q = (name: string, description: string, type = 'string') => ({ name, in: 'query', required: false, description, schema: { type } });
const range = [q('from', 'inclusive start (date or date-time); default 30 days before `to`'), q('to', 'exclusive end; default the end of today (UTC)')];
const page = [q('limit', 'page size', 'integer'), q('cursor', 'next_cursor of the previous page')];
const json = (description: string) => ({ '200': { description, content: { 'application/json': { schema: { type: 'object' } } } } });
const body = (schema: object) => ({ required: true, content: { 'application/json': { schema } } });
/** ingress's admission plan (libs/contracts admissionPlanSchema), as JSON Schema. */
const ADMISSION_PLAN = z.toJSONSchema(admissionPlanSchema, { io: 'input' });
/** A key's admission overrides (libs/contracts apiKeyOverridesSchema), as JSON Schema. */
const KEY_OVERRIDES = z.toJSONSchema(apiKeyOverridesSchema, { io: 'input' });
const userId = { name: 'id', in: 'path', required: true, description: 'the user row id (not the caller user id)', schema: { type: 'string', format: 'uuid' } };
const featureParam = { name: 'name', in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: 128 } };
const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
/** Every admin route may refuse with these; the body's `platform_code` is the stable code (admin.errors.ts). */
const errors = {
  '400': error('INVALID_REQUEST: the body, a parameter or a cursor is not valid'),
  '401': error('ADMIN_UNAUTHORIZED: no valid admin bearer token'),
  '403': error('FORBIDDEN: the token’s role may not do this (read-only writes, tenant admins on platform resources)'),
  '404': error('NOT_FOUND: no such resource, or one of another tenant'),
  '409': error('CONFLICT: it exists already, or the key is revoked'),
};
const op = (summary: string, extra: object = {}) => ({ summary, security: bearer, responses: { ...json(summary), ...errors }, ...extra });
/** GET routes that answer a JSON array (the older, unpaginated lists). */
const list = (summary: string, extra: object = {}) => ({
  summary,
  security: bearer,
  responses: { '200': { description: summary, content: { 'application/json': { schema: { type: 'array', items: { type: 'object' } } } } }, ...errors },
  ...extra,
});
/** POST routes answer 201. */
const created = (summary: string, extra: object = {}) => ({
  summary,
  security: bearer,
  responses: { '201': { description: summary, content: { 'application/json': { schema: { type: 'object' } } } }, ...errors },
  ...extra,
});

export const ADMIN_OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'Cost ledger admin API',
    version: '1.0.0',
    description:
      'Roles: platform_admin (everything), tenant_admin (its own tenant: keys and their limits, users, features, budgets, alert settings, alerts, reads), read_only (reads; of one tenant or all). ' +
      'Errors are JSON `{error:{code,message}}` with a stable code: ADMIN_UNAUTHORIZED (401), FORBIDDEN (403), NOT_FOUND (404), CONFLICT (409), INVALID_REQUEST (400). ' +
      "Another tenant's resources answer 404. Every change is written to the audit log in the change's transaction. " +
      'A revoked API key reaches every ingress over Redis pub/sub at once, and at most after AUTH_CACHE_TTL_MS (30 s) if that message is lost.',
  },
  components: {
    securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' } },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['message', 'platform_code'],
            properties: { message: { type: 'string' }, type: { type: 'string' }, code: { type: 'string' }, platform_code: { type: 'string' } },
          },
        },
      },
    },
  },
  paths: {
    '/v1/admin/tenants': {
      get: list('List tenants (a scoped token sees its own)'),
      post: created('Create a tenant (platform admin)', {
        requestBody: body({
          type: 'object',
          required: ['id', 'name'],
          properties: { id: { type: 'string' }, name: { type: 'string' }, tier: { enum: ['paid', 'free'] }, plan_id: { type: 'string' } },
        }),
      }),
    },
    '/v1/admin/tenants/{tenant}': {
      get: op('One tenant', { parameters: [tenant] }),
      patch: op('Update name, tier, status (suspend) or plan (platform admin)', { parameters: [tenant], requestBody: body({ type: 'object' }) }),
    },
    '/v1/admin/plans': {
      get: list('List plans'),
      post: created('Create a plan: default daily/monthly budgets, and optionally the admission plan ingress enforces for its tenants (platform admin)', {
        requestBody: body({
          type: 'object',
          required: ['id', 'name'],
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            tier: { enum: ['paid', 'free'] },
            daily_budget_micros: { type: 'integer' },
            monthly_budget_micros: { type: 'integer' },
            admission: ADMISSION_PLAN,
          },
        }),
      }),
    },
    '/v1/admin/plans/{plan}': {
      put: op(
        'Update a plan; `admission: null` makes it budget-only again. Every ingress applies an admission change within a pub/sub hop (ADMISSION_PLANS_REFRESH_MS if that message is lost)',
        {
          parameters: [{ name: 'plan', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: body({
            type: 'object',
            properties: {
              name: { type: 'string' },
              daily_budget_micros: { type: ['integer', 'null'] },
              monthly_budget_micros: { type: ['integer', 'null'] },
              admission: { anyOf: [ADMISSION_PLAN, { type: 'null' }] },
            },
          }),
        },
      ),
    },
    '/v1/admin/admin-tokens': {
      post: created('Create an admin token; the token is returned once', {
        requestBody: body({
          type: 'object',
          required: ['name', 'role'],
          properties: { name: { type: 'string' }, role: { enum: ['platform_admin', 'tenant_admin', 'read_only'] }, tenant_id: { type: 'string' } },
        }),
      }),
    },
    '/v1/admin/admin-tokens/{id}': { delete: op('Revoke an admin token', { parameters: [id] }) },
    '/v1/admin/tenants/{tenant}/keys': {
      get: list('List API keys (prefix only)', { parameters: [tenant] }),
      post: created('Create an API key; `secret` is returned once', {
        parameters: [tenant],
        requestBody: body({ type: 'object', required: ['name'], properties: { name: { type: 'string' } } }),
      }),
    },
    '/v1/admin/tenants/{tenant}/keys/{id}': { delete: op('Revoke an API key (reaches every ingress within seconds)', { parameters: [tenant, id] }) },
    '/v1/admin/tenants/{tenant}/keys/{id}/limits': {
      get: op('The admission overrides of one API key (`overrides: null`: its plan alone)', { parameters: [tenant, id] }),
      put: op(
        "Set an API key's admission overrides: key-scope rate limits and key caps replace its plan's (the plan's tenant, model and user limits still bind); " +
          '`model_tiers`/`models` narrow the models the key may use to those both the plan and the key allow. Every ingress applies them within a ' +
          'pub/sub hop (ADMISSION_PLANS_REFRESH_MS if that message is lost)',
        { parameters: [tenant, id], requestBody: body(KEY_OVERRIDES) },
      ),
      delete: op('Remove the overrides of an API key: its plan applies again', { parameters: [tenant, id] }),
    },
    '/v1/admin/tenants/{tenant}/users': {
      get: op('Users of a tenant, oldest first, cursor-paginated', { parameters: [tenant, ...page] }),
      post: created('Register a user (the caller user id sent as x-user-id is stored hashed, like usage)', {
        parameters: [tenant],
        requestBody: body({
          type: 'object',
          required: ['user_id'],
          additionalProperties: false,
          properties: { user_id: { type: 'string', minLength: 1, maxLength: 256 }, display_name: { type: 'string', maxLength: 200 } },
        }),
      }),
    },
    '/v1/admin/tenants/{tenant}/users/{id}': {
      get: op('One user', { parameters: [tenant, userId] }),
      patch: op('Rename a user', {
        parameters: [tenant, userId],
        requestBody: body({ type: 'object', required: ['display_name'], additionalProperties: false, properties: { display_name: { type: 'string', maxLength: 200 } } }),
      }),
      delete: op('Delete a user and its user budgets', { parameters: [tenant, userId] }),
    },
    '/v1/admin/tenants/{tenant}/features': {
      get: op('Features of a tenant by name, cursor-paginated', { parameters: [tenant, ...page] }),
      post: created('Register a feature (the name callers send as x-feature)', {
        parameters: [tenant],
        requestBody: body({
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 128 }, description: { type: 'string', maxLength: 2000 } },
        }),
      }),
    },
    '/v1/admin/tenants/{tenant}/features/{name}': {
      get: op('One feature', { parameters: [tenant, featureParam] }),
      patch: op('Describe a feature', {
        parameters: [tenant, featureParam],
        requestBody: body({ type: 'object', required: ['description'], additionalProperties: false, properties: { description: { type: 'string', maxLength: 2000 } } }),
      }),
      delete: op('Delete a feature and its feature budgets', { parameters: [tenant, featureParam] }),
    },
    '/v1/admin/tenants/{tenant}/budgets': {
      get: list('List budgets; a user budget names its user row in `user_ref`', { parameters: [tenant] }),
      put: op('Create or replace a budget; a user or feature budget registers its user or feature when new', {
        parameters: [tenant],
        requestBody: body({
          type: 'object',
          required: ['scope', 'period'],
          properties: {
            scope: { enum: ['tenant', 'user', 'feature'] },
            user_id: { type: 'string' },
            feature: { type: 'string' },
            period: { enum: ['day', 'month'] },
            limit_micros: { type: ['integer', 'null'] },
            limit_tokens: { type: ['integer', 'null'] },
          },
        }),
      }),
    },
    '/v1/admin/tenants/{tenant}/budgets/{id}': { delete: op('Delete a budget', { parameters: [tenant, id] }) },
    '/v1/admin/tenants/{tenant}/alert-settings': {
      put: op('Alert thresholds and webhook of a tenant', {
        parameters: [tenant],
        requestBody: body({
          type: 'object',
          properties: {
            spike_factor_pct: { type: 'integer' },
            expensive_request_micros: { type: 'integer' },
            budget_thresholds_pct: { type: 'array', items: { type: 'integer' } },
            webhook_url: { type: ['string', 'null'] },
            webhook_secret: { type: ['string', 'null'] },
          },
        }),
      }),
    },
    '/v1/admin/usage': {
      get: op('Usage and cost from rollups', {
        parameters: [
          ...range,
          q('group_by', 'comma-separated: tenant,user,feature,model,provider,fallback_step,day|hour (user: with tenant and day only)'),
          q('tenant_id', 'filter'),
          q('user_id', 'filter (hashed like usage)'),
          q('feature', 'filter'),
          q('model', 'filter'),
          q('provider', 'filter'),
          q('fallback_step', 'filter: primary, other-deployment, escalation, cheaper-model, fallback-model, cached-answer, degraded'),
          q('limit', 'groups per page (default 1000, at most 10000)', 'integer'),
          q('cursor', 'next_cursor of the previous page (same group_by)'),
        ],
      }),
    },
    '/v1/admin/usage.csv': {
      get: {
        summary: 'The same query as CSV, every page up to 50,000 groups (header x-truncated: true past that)',
        security: bearer,
        responses: { '200': { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } }, ...errors },
      },
    },
    '/v1/admin/top-spenders': { get: op('Tenants by spend (a scoped token sees its own)', { parameters: [...range, q('limit', 'how many', 'integer')] }) },
    '/v1/admin/savings': { get: op('Saved micro-dollars (cache and routing) and cache hits by tenant', { parameters: [...range, q('tenant_id', 'filter')] }) },
    '/v1/admin/tenants/{tenant}/requests/{requestId}': {
      get: op('Cost of one request, per provider call', { parameters: [tenant, { name: 'requestId', in: 'path', required: true, schema: { type: 'string' } }] }),
    },
    '/v1/admin/tenants/{tenant}/events': { get: op('Raw usage events, newest first, cursor-paginated', { parameters: [tenant, ...range, ...page] }) },
    '/v1/admin/alerts': { get: op('Alerts, newest first', { parameters: [q('tenant_id', 'filter'), ...page] }) },
    '/v1/admin/alerts/{id}/ack': { post: created('Acknowledge an alert', { parameters: [id] }) },
    '/v1/admin/audit': { get: op('Audit log of admin changes, newest first', { parameters: [q('tenant_id', 'filter'), ...page] }) },
    '/v1/admin/cost-estimate': {
      post: created('Monthly cost of a traffic profile from catalog prices', {
        requestBody: body({
          type: 'object',
          required: ['requests_per_day', 'tokens_in', 'tokens_out', 'routing_mix'],
          properties: {
            requests_per_day: { type: 'integer' },
            tokens_in: { type: 'integer' },
            tokens_out: { type: 'integer' },
            tokens_cached_in: { type: 'integer' },
            cache_hit_rate: { type: 'number' },
            routing_mix: { type: 'object', additionalProperties: { type: 'number' } },
            days: { type: 'integer' },
          },
        }),
      }),
    },
  },
} as const;
