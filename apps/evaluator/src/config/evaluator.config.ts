import { adminSchema, bool, databaseSchema, httpPort, kafkaSchema, loadConfig, positiveInt, redisSchema, refuseDevAdminTokenInProduction, serviceSchema } from '@llm/config';
import { tenantId } from '@llm/contracts';
import { z } from 'zod';

const rate = z.coerce.number().min(0).max(1);

/**
 * `tenant=rate` or `tenant/feature=rate`, comma-separated: per-tenant and per-feature sampling rates over the
 * default. The most specific entry wins.
 */
const sampleRates = z
  .string()
  .default('')
  .transform((raw, ctx) => {
    const rates: Record<string, number> = {};
    for (const entry of raw
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean)) {
      const m = /^([a-z0-9][a-z0-9_-]{0,62})(?:\/([\x21-\x7e]{1,128}))?=([0-9.]+)$/.exec(entry);
      const value = m ? Number(m[3]) : NaN;
      if (!m || !(value >= 0 && value <= 1)) {
        ctx.addIssue({ code: 'custom', message: `"${entry}" is not tenant[/feature]=rate with a rate from 0 to 1` });
        return z.NEVER;
      }
      rates[m[2] ? `${m[1]}/${m[2]}` : m[1]!] = value;
    }
    return rates;
  });

export const evaluatorConfigSchema = serviceSchema
  .extend(kafkaSchema.shape)
  .extend(redisSchema.shape)
  .extend(databaseSchema.shape)
  .extend(httpPort(8086).shape)
  .extend(adminSchema.shape)
  .extend({
    /**
     * Share of results judged online, unless EVAL_SAMPLE_RATES names the tenant or feature. Each sampled request
     * costs a few Postgres writes and, with context, one LLM-judge call: a tenth is plenty for trends.
     */
    EVAL_SAMPLE_RATE: rate.default(0.1),
    EVAL_SAMPLE_RATES: sampleRates,
    /** The platform's own tenant the LLM judge's requests are sent (and billed) as; its traffic is never sampled. */
    EVAL_JUDGE_TENANT: tenantId.default('platform-evaluator'),
    /** Catalog model or alias of the LLM-as-judge. */
    EVAL_JUDGE_MODEL: z.string().min(1).max(128).default('auto'),
    EVAL_LLM_JUDGE: bool(true),
    /** The tenant shadow replays run as (billed there, never to the replayed tenant); its traffic is never sampled. */
    EVAL_SHADOW_TENANT: tenantId.default('platform-shadow'),
    EVAL_GROUNDING_THRESHOLD: rate.default(0.6),
    EVAL_REFUSAL_SUPPORT_THRESHOLD: rate.default(0.3),
    EVAL_LATENCY_TARGET_MS: positiveInt(10_000),
    EVAL_COST_TARGET_MICROS: positiveInt(50_000),
    /** Sampled requests (with their prompts) are deleted after this many days. */
    EVAL_SAMPLE_RETENTION_DAYS: positiveInt(14),
    /** Where reports are written and served from (`/reports`). */
    EVAL_REPORTS_DIR: z.string().min(1).default('.local/reports/evals'),
  })
  .refine(refuseDevAdminTokenInProduction, { path: ['ADMIN_TOKEN'], message: 'must be set to a secret of your own in production' });
export type EvaluatorConfig = z.infer<typeof evaluatorConfigSchema>;

/** The one DI token of the evaluator's parsed settings. */
export const EVALUATOR_CONFIG = Symbol('EVALUATOR_CONFIG');

export const loadEvaluatorConfig = (): EvaluatorConfig => loadConfig(evaluatorConfigSchema);
