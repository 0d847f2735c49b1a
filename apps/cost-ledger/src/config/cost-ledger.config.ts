import { adminSchema, databaseSchema, httpPort, kafkaSchema, loadConfig, positiveInt, redisSchema, refuseDevAdminTokenInProduction, serviceSchema } from '@llm/config';
import { z } from 'zod';

export const costLedgerConfigSchema = serviceSchema
  .extend(kafkaSchema.shape)
  .extend(databaseSchema.shape)
  .extend(redisSchema.shape)
  .extend(httpPort(8085).shape)
  .extend(adminSchema.shape)
  .extend({
    // The ledger batches: many events must be in flight at once for a batch to fill (one statement per batch),
    // enough for two statements running and the next batch decoding meanwhile. Per partition x the usage
    // topic's 6 partitions = the total, so a dispatched message never queues for a slot (that wait, with its
    // abort listener per message, cost measurable CPU at this rate; see docs/adr on ledger ingestion).
    KAFKA_MAX_IN_FLIGHT: positiveInt(12_000),
    KAFKA_MAX_IN_FLIGHT_PER_PARTITION: positiveInt(2_000),
    /** Rows per statement: per-statement costs (planning, the rollup sorts, the commit) amortise over more rows. */
    LEDGER_BATCH_MAX_ROWS: positiveInt(4_000),
    LEDGER_BATCH_LINGER_MS: positiveInt(5),
    /** Batch statements in flight at once (rollup upserts are key-ordered, so they cannot deadlock). */
    LEDGER_BATCH_CONCURRENCY: positiveInt(2),
    /** Budget state in Redis is rebuilt from Postgres at boot and this often. */
    LEDGER_RECONCILE_INTERVAL_MS: positiveInt(60_000),
    /** Webhook deliveries per alert before giving up (exponential backoff between them). */
    /** How often alerts whose publish failed (broker down when raised) are sent again. */
    LEDGER_ALERT_RESEND_MS: positiveInt(15_000),
    LEDGER_WEBHOOK_ATTEMPTS: positiveInt(5),
    LEDGER_WEBHOOK_TIMEOUT_MS: positiveInt(5_000),
    /** Prices for the cost-estimate endpoint (the router's catalog). */
    MODEL_CATALOG_PATH: z.string().min(1).default('infra/catalog/models.json'),
  })
  .refine(refuseDevAdminTokenInProduction, { path: ['ADMIN_TOKEN'], message: 'must be set to a secret of your own in production' });
export type CostLedgerConfig = z.infer<typeof costLedgerConfigSchema>;

/** The one DI token of the cost ledger's parsed settings. */
export const COST_LEDGER_CONFIG = Symbol('COST_LEDGER_CONFIG');

export const loadCostLedgerConfig = (): CostLedgerConfig => loadConfig(costLedgerConfigSchema);
