import { DEFAULT_TOKEN_ENCODING, TOKEN_ENCODINGS } from '@llm/tokens';
import { z } from 'zod';

const id = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/);

/** The OpenAI-compatible hosts the inference worker knows how to talk to (its providers/dialects table). */
export const PROVIDER_DIALECTS = ['vllm', 'llamacpp', 'tgi', 'ollama', 'openai', 'azure', 'anthropic', 'gemini', 'groq', 'together', 'openrouter'] as const;
export type ProviderDialect = (typeof PROVIDER_DIALECTS)[number];

/**
 * Providers are data (DESIGN.md): adding an OpenAI-compatible host is an entry here, not code. Secrets are
 * never in the file: a provider names the setting that holds its key.
 */
export const providerSchema = z.strictObject({
  kind: z.literal('openai-compatible'),
  /** Default endpoint; the setting named by base_url_setting overrides it per environment. */
  base_url: z.url(),
  base_url_setting: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/)
    .optional(),
  api_key_setting: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/)
    .optional(),
  /** Which host this is: decides URL shape, key header, query parameters and request quirks. vLLM when absent. */
  dialect: z.enum(PROVIDER_DIALECTS).optional(),
  /** Azure OpenAI's api-version query parameter (required for the azure dialect). */
  api_version: z.string().min(1).max(64).optional(),
  /** vLLM started with `--scheduling-policy priority`: the request's priority is sent as vLLM's `priority`. */
  priority_scheduling: z.boolean().optional(),
  /** vLLM guided decoding for json_schema requests: `structured_outputs` (current vLLM) or `guided_json` (older releases). */
  guided_decoding: z.enum(['structured_outputs', 'guided_json']).optional(),
  /**
   * The provider serves OpenAI's Files and Batch APIs at its base URL (`/files`, `/batches`): batch-band requests
   * to its deployments that have batch prices go through it (the inference worker's batch-api feature).
   */
  batch_api: z.boolean().optional(),
});

/** What a deployment can do; a request needing a capability is never planned onto one without it. */
export const capabilitiesSchema = z.strictObject({
  json_schema: z.boolean().default(true),
  tools: z.boolean().default(true),
  logprobs: z.boolean().default(true),
  streaming: z.boolean().default(true),
});
export type Capabilities = z.infer<typeof capabilitiesSchema>;
export const CAPABILITIES = ['json_schema', 'tools', 'logprobs', 'streaming'] as const satisfies readonly (keyof Capabilities)[];

/** Provider-side limits of one deployment, shared by every worker instance (Redis): calls in flight, requests and tokens per minute. */
export const limitsSchema = z.strictObject({
  rpm: z.number().int().positive().optional(),
  tpm: z.number().int().positive().optional(),
  concurrency: z.number().int().positive().optional(),
});

/**
 * One deployment: a model served by one provider. Several entries with the same `model` are deployments of one
 * model (e.g. two vLLM hosts, or OpenAI and Azure); routes may name the model, and the router balances its
 * deployments by live load and health. The entry's `id` names the deployment and must be unique.
 */
export const modelSchema = z.strictObject({
  id,
  /** The logical model this deployment serves; its own id when absent. */
  model: id.optional(),
  provider: id,
  /** The model name the provider expects. */
  deployment: z.string().min(1).max(256),
  tier: z.enum(['small', 'medium', 'large']),
  context_window: z.number().int().positive(),
  price_in_micros_per_mtok: z.number().int().min(0),
  price_out_micros_per_mtok: z.number().int().min(0),
  /** Price of prompt tokens the provider served from its prefix cache; the input price when absent. */
  price_cached_in_micros_per_mtok: z.number().int().min(0).optional(),
  /** Total time one call may take, stream body included. */
  timeout_ms: z.number().int().positive().max(600_000).default(60_000),
  /** Time to the first token (the whole answer when not streaming); the worker's setting when absent. */
  first_token_timeout_ms: z.number().int().positive().max(600_000).optional(),
  /** Longest silence between two chunks of a stream; the worker's setting when absent. */
  idle_timeout_ms: z.number().int().positive().max(600_000).optional(),
  /**
   * Limits of this deployment shared by every worker instance (Redis): calls in flight, requests and tokens
   * per minute. Absent: unlimited.
   */
  limits: limitsSchema.optional(),
  /** Tokenizer used to count a call the provider reported no usage for. */
  tokenizer: z.enum(TOKEN_ENCODINGS).default(DEFAULT_TOKEN_ENCODING),
  /** Prices through the provider's batch API, where it has one. */
  price_batch_in_micros_per_mtok: z.number().int().min(0).optional(),
  price_batch_out_micros_per_mtok: z.number().int().min(0).optional(),
  capabilities: capabilitiesSchema.default({ json_schema: true, tools: true, logprobs: true, streaming: true }),
  /**
   * Confidence escalation, calibrated for this deployment: an answer whose mean token logprob is below
   * `min_mean_logprob` goes to a larger model. Logprob scales differ per model and server, so there is no
   * global default: a deployment without a calibration is never escalated.
   */
  escalation: z
    .strictObject({
      min_mean_logprob: z.number().max(0),
      /** Where the threshold came from (data set, date, target share): a threshold nobody can trace is not calibrated. */
      calibrated_on: z.string().min(1).max(512),
    })
    .optional(),
  region: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,31}$/)
    .optional(),
});

export const catalogSchema = z
  .strictObject({
    providers: z.record(id, providerSchema),
    models: z.array(modelSchema).min(1),
    /** Named routes: an ordered fallback chain of model ids. `default` is required. */
    routes: z.record(id, z.array(id).min(1)).refine((r) => Object.hasOwn(r, 'default'), 'a `default` route is required'),
    /** Names callers may send as `model` that map to a route (e.g. `auto`, `gpt-4o-mini`). */
    aliases: z.record(z.string().min(1).max(256), id).default({}),
  })
  .superRefine((c, ctx) => {
    for (const [name, p] of Object.entries(c.providers)) {
      if ((p.dialect === 'azure') !== (p.api_version !== undefined))
        ctx.addIssue({ code: 'custom', message: 'api_version is required by, and only allowed for, the azure dialect', path: ['providers', name, 'api_version'] });
      if ((p.priority_scheduling !== undefined || p.guided_decoding !== undefined) && (p.dialect ?? 'vllm') !== 'vllm')
        ctx.addIssue({ code: 'custom', message: 'priority_scheduling and guided_decoding are vLLM options', path: ['providers', name] });
    }
    const models = new Set(c.models.map((m) => m.id));
    if (models.size !== c.models.length) ctx.addIssue({ code: 'custom', message: 'model ids must be unique', path: ['models'] });
    c.models.forEach((m, i) => {
      if (!Object.hasOwn(c.providers, m.provider)) ctx.addIssue({ code: 'custom', message: `unknown provider ${m.provider}`, path: ['models', i, 'provider'] });
    });
    const logical = new Set(c.models.map((m) => m.model ?? m.id));
    for (const [name, chain] of Object.entries(c.routes)) {
      chain.forEach((m, i) => {
        if (!models.has(m) && !logical.has(m)) ctx.addIssue({ code: 'custom', message: `unknown model ${m}`, path: ['routes', name, i] });
      });
    }
    for (const [alias, route] of Object.entries(c.aliases)) {
      if (!Object.hasOwn(c.routes, route)) ctx.addIssue({ code: 'custom', message: `unknown route ${route}`, path: ['aliases', alias] });
    }
  });

export type Catalog = z.infer<typeof catalogSchema>;
export type CatalogModel = z.infer<typeof modelSchema>;
export type CatalogLimits = z.infer<typeof limitsSchema>;
export type CatalogProvider = z.infer<typeof providerSchema>;
