import { adminSchema, databaseSchema, httpPort, kafkaSchema, loadConfig, refuseDevAdminTokenInProduction, serviceSchema } from '@llm/config';
import type { z } from 'zod';

export const costLedgerConfigSchema = serviceSchema
  .extend(kafkaSchema.shape)
  .extend(databaseSchema.shape)
  .extend(httpPort(8085).shape)
  .extend(adminSchema.shape)
  .refine(refuseDevAdminTokenInProduction, { path: ['ADMIN_TOKEN'], message: 'must be set to a secret of your own in production' });
export type CostLedgerConfig = z.infer<typeof costLedgerConfigSchema>;

/** The one DI token of the cost ledger's parsed settings. */
export const COST_LEDGER_CONFIG = Symbol('COST_LEDGER_CONFIG');

export const loadCostLedgerConfig = (): CostLedgerConfig => loadConfig(costLedgerConfigSchema);
