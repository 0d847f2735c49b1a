/**
 * OpenAPI 3.1 document of the admin API (served at GET /v1/admin/openapi.json). Money is integer
 * micro-dollars; times are UTC ISO 8601; list endpoints page with an opaque `cursor` (next_cursor).
 */
import { admissionPlanSchema } from '@llm/contracts';
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
const op = (summary: string, extra: object = {}) => ({ summary, security: bearer, responses: json(summary), ...extra });

export const ADMIN_OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'Cost ledger admin API',
    version: '1.0.0',
    description:
      'Roles: platform_admin (everything), tenant_admin (its own tenant: keys, budgets, alert settings, alerts, reads), read_only (reads; of one tenant or all). ' +
      "Another tenant's resources answer 404. Every change is written to the audit log in the change's transaction. " +
      'A revoked API key reaches every ingress over Redis pub/sub at once, and at most after AUTH_CACHE_TTL_MS (30 s) if that message is lost.',
  },
  components: { securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' } } },
  paths: {
    '/v1/admin/tenants': {
      get: op('List tenants (a scoped token sees its own)'),
      post: op('Create a tenant (platform admin)', {
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
      get: op('List plans'),
      post: op('Create a plan: default daily/monthly budgets, and optionally the admission plan ingress enforces for its tenants (platform admin)', {
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
      post: op('Create an admin token; the token is returned once', {
        requestBody: body({
          type: 'object',
          required: ['name', 'role'],
          properties: { name: { type: 'string' }, role: { enum: ['platform_admin', 'tenant_admin', 'read_only'] }, tenant_id: { type: 'string' } },
        }),
      }),
    },
    '/v1/admin/admin-tokens/{id}': { delete: op('Revoke an admin token', { parameters: [id] }) },
    '/v1/admin/tenants/{tenant}/keys': {
      get: op('List API keys (prefix only)', { parameters: [tenant] }),
      post: op('Create an API key; `secret` is returned once', {
        parameters: [tenant],
        requestBody: body({ type: 'object', required: ['name'], properties: { name: { type: 'string' } } }),
      }),
    },
    '/v1/admin/tenants/{tenant}/keys/{id}': { delete: op('Revoke an API key (reaches every ingress within seconds)', { parameters: [tenant, id] }) },
    '/v1/admin/tenants/{tenant}/budgets': {
      get: op('List budgets', { parameters: [tenant] }),
      put: op('Create or replace a budget', {
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
        ],
      }),
    },
    '/v1/admin/usage.csv': {
      get: { summary: 'The same query as CSV', security: bearer, responses: { '200': { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } } } },
    },
    '/v1/admin/top-spenders': { get: op('Tenants by spend (a scoped token sees its own)', { parameters: [...range, q('limit', 'how many', 'integer')] }) },
    '/v1/admin/savings': { get: op('Saved micro-dollars (cache and routing) and cache hits by tenant', { parameters: [...range, q('tenant_id', 'filter')] }) },
    '/v1/admin/tenants/{tenant}/requests/{requestId}': {
      get: op('Cost of one request, per provider call', { parameters: [tenant, { name: 'requestId', in: 'path', required: true, schema: { type: 'string' } }] }),
    },
    '/v1/admin/tenants/{tenant}/events': { get: op('Raw usage events, newest first, cursor-paginated', { parameters: [tenant, ...range, ...page] }) },
    '/v1/admin/alerts': { get: op('Alerts, newest first', { parameters: [q('tenant_id', 'filter'), ...page] }) },
    '/v1/admin/alerts/{id}/ack': { post: op('Acknowledge an alert', { parameters: [id] }) },
    '/v1/admin/audit': { get: op('Audit log of admin changes, newest first', { parameters: [q('tenant_id', 'filter'), ...page] }) },
    '/v1/admin/cost-estimate': {
      post: op('Monthly cost of a traffic profile from catalog prices', {
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
