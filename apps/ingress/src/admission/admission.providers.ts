import type { Provider } from '@nestjs/common';
import { BudgetStore } from '@llm/budgets';
import { loadCatalog } from '@llm/catalog';
import { REDIS, type Redis } from '@llm/redis';
import { Topics } from '@llm/contracts';
import { BandLagReader, kafkaSecurity } from '@llm/kafka';
import { LOGGER } from '@llm/service-runtime';
import { MetricsRegistry, type Logger } from '@llm/telemetry';
import { InboundVerifier } from '../inbound-signing/inbound-verifier';
import { loadSigningKeys } from '../inbound-signing/signing-keys';
import type { IngressConfig } from '../config/ingress.config';
import { AdmissionGate } from './admission-gate';
import { ADMISSION_SETTINGS, CATALOG } from './admission.tokens';
import { ConcurrencySlots } from './concurrency/concurrency-slots';
import { PlanBook } from './plans/plan-book';
import { PlanSync } from './plans/plan-sync';
import { RateLimits } from './rate-limits/rate-limits';
import { LoadShedder } from './shedding/load-shedder';
import { AdmitRequestUseCase } from './use-cases/admit-request/admit-request.use-case';

/** Admission control's providers, registered by the requests module (they guard its routes and consumer). */
export function admissionProviders(config: IngressConfig): Provider[] {
  return [
    { provide: CATALOG, useFactory: () => loadCatalog(config.MODEL_CATALOG_PATH) },
    { provide: ADMISSION_SETTINGS, useValue: config },
    { provide: PlanBook, useFactory: () => PlanBook.fromFile(config.ADMISSION_PLANS_PATH) },
    {
      provide: LoadShedder,
      inject: [LOGGER, MetricsRegistry],
      useFactory: (logger: Logger, metrics: MetricsRegistry) =>
        new LoadShedder(
          new BandLagReader(
            { ...kafkaSecurity(config), brokers: config.KAFKA_BROKERS, clientId: 'ingress-lag', logger, topicPrefix: config.KAFKA_TOPIC_PREFIX },
            // Misses skip the cache stage when it has nothing to add (ADR 0018): their backlog is the router's.
            [
              { topic: Topics.requests, groupId: config.SHED_GROUP_ID },
              { topic: Topics.route, groupId: config.SHED_ROUTE_GROUP_ID },
            ],
          ),
          {
            thresholds: { batch: config.SHED_LAG_BATCH, realtimeFree: config.SHED_LAG_REALTIME_FREE, realtimePaid: config.SHED_LAG_REALTIME_PAID },
            cacheMs: config.SHED_LAG_CACHE_MS,
            retryAfterS: config.SHED_RETRY_AFTER_S,
          },
          logger,
          metrics,
        ),
    },
    {
      provide: InboundVerifier,
      inject: [MetricsRegistry],
      useFactory: (metrics: MetricsRegistry) => new InboundVerifier(loadSigningKeys(config.INBOUND_SIGNING_KEYS_PATH), config.INBOUND_REQUIRE_SIGNATURE, metrics),
    },
    { provide: BudgetStore, inject: [REDIS], useFactory: (redis: Redis) => new BudgetStore(redis) },
    RateLimits,
    PlanSync,
    ConcurrencySlots,
    AdmitRequestUseCase,
    AdmissionGate,
  ];
}
