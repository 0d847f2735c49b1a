import type { Provider } from '@nestjs/common';
import type { PgPool } from '@llm/db';
import { EventPublisher } from '@llm/kafka';
import { LOGGER } from '@llm/service-runtime';
import type { Logger } from '@llm/telemetry';
import { COST_LEDGER_CONFIG, type CostLedgerConfig } from '../config/cost-ledger.config';
import { PG_POOL } from '../ledger/ingestion/ingestion.providers';
import { AlertEvaluator } from './alert-evaluator';
import { AlertResender } from './alert-resender';
import { AlertRepository } from './alert.repository';
import { WebhookSender } from './webhook.sender';

export const alertProviders: Provider[] = [
  { provide: AlertRepository, inject: [PG_POOL], useFactory: (pool: PgPool) => new AlertRepository(pool) },
  {
    provide: WebhookSender,
    inject: [LOGGER, COST_LEDGER_CONFIG],
    useFactory: (l: Logger, c: CostLedgerConfig) => new WebhookSender(l, { attempts: c.LEDGER_WEBHOOK_ATTEMPTS, timeoutMs: c.LEDGER_WEBHOOK_TIMEOUT_MS }),
  },
  {
    provide: AlertEvaluator,
    inject: [AlertRepository, EventPublisher, WebhookSender, LOGGER],
    useFactory: (r: AlertRepository, p: EventPublisher, w: WebhookSender, l: Logger) => new AlertEvaluator(r, p, w, l),
  },
  AlertResender,
];
