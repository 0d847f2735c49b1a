import { Module, type DynamicModule } from '@nestjs/common';
import { CacheStageView, ExactCacheReader } from '@llm/cache-key';
import { Topics } from '@llm/contracts';
import { DbModule } from '@llm/db';
import type { MessagePrefilter } from '@llm/kafka';
import { REDIS, RedisModule, type Redis } from '@llm/redis';
import { ResultStreamModule } from '@llm/result-stream';
import type { Logger } from '@llm/telemetry';
import { admissionProviders } from '../admission/admission.providers';
import { ModelsController } from '../admission/models.controller';
import { ReplyTopics } from '../replies/reply-topics';
import { OpenApiController } from '../openapi/openapi.controller';
import { tenantAuthProviders } from '@llm/tenant-auth';
import { INGRESS_CONFIG, type IngressConfig } from '../config/ingress.config';
import { ChatCompletionsController } from './chat-completions.controller';
import { CacheHitRecorder, needsOutcomeRecording } from './exact-cache/cache-hit.recorder';
import { ExactCacheFastPath } from './exact-cache/exact-cache.fast-path';
import { RequestRegistry } from './identity/request-registry';
import { RequestRegistryRepository } from './identity/request-registry.repository';
import { RequestStatusRepository, RequestStatusStore } from './request-status.repository';
import { RequestsConsumer } from './requests.consumer';
import { RequestsController } from './requests.controller';
import { AcceptRequestUseCase } from './use-cases/accept-request/accept-request.use-case';
import { GetRequestStatusUseCase } from './use-cases/get-request-status/get-request-status.use-case';
import { RecordOutcomeUseCase } from './use-cases/record-outcome/record-outcome.use-case';

const USE_CASES = [AcceptRequestUseCase, GetRequestStatusUseCase, RecordOutcomeUseCase];

@Module({})
export class RequestsModule {
  /**
   * What ingress's consumers skip unread (runService's `prefilters`): a hit ingress answered itself was recorded
   * on the spot (ADR 0008), so reading its result back would only repeat that.
   */
  static readonly prefilters: Partial<Record<typeof Topics.results, MessagePrefilter>> = { [Topics.results]: needsOutcomeRecording };

  static forRoot(config: IngressConfig, logger: Logger): DynamicModule {
    return {
      module: RequestsModule,
      imports: [
        DbModule.forRoot({ url: config.DATABASE_URL }),
        RedisModule.forRoot({ url: config.REDIS_URL, logger }),
        ResultStreamModule.forRoot({ redisUrl: config.REDIS_URL, logger }),
      ],
      controllers: [ChatCompletionsController, RequestsController, RequestsConsumer, ModelsController, OpenApiController],
      providers: [
        { provide: INGRESS_CONFIG, useValue: config },
        { provide: RequestRegistry, useClass: RequestRegistryRepository },
        { provide: RequestStatusStore, useClass: RequestStatusRepository },
        { provide: ExactCacheReader, inject: [REDIS], useFactory: (redis: Redis) => new ExactCacheReader(redis, { cacheSampled: config.EXACT_CACHE_SAMPLED }) },
        CacheHitRecorder,
        ExactCacheFastPath,
        { provide: CacheStageView, inject: [REDIS], useFactory: (redis: Redis) => new CacheStageView(redis, config.KAFKA_TOPIC_PREFIX) },
        ...tenantAuthProviders(config),
        ...USE_CASES,
        ...admissionProviders(config),
        ReplyTopics,
      ],
    };
  }
}
