import { Module, type DynamicModule } from '@nestjs/common';
import { DbModule } from '@llm/db';
import { RedisModule } from '@llm/redis';
import { ResultStreamModule } from '@llm/result-stream';
import type { Logger } from '@llm/telemetry';
import { ApiKeyAuthenticator, AUTH_CACHE_TTL_MS } from '../auth/api-key.authenticator';
import { ApiKeyGuard } from '../auth/auth.guard';
import { TenantDirectory } from '../auth/tenant-directory';
import { TenantRepository } from '../auth/tenant.repository';
import type { IngressConfig } from '../config/ingress.config';
import { ChatCompletionsController } from './chat-completions.controller';
import { RequestStatusRepository, STATUS_TTL_S } from './request-status.repository';
import { RequestsConsumer } from './requests.consumer';
import { RequestsController } from './requests.controller';
import { SYNC_TIMEOUT_MS } from './requests.tokens';
import { AcceptRequestUseCase, IDEMPOTENCY_TTL_S } from './use-cases/accept-request/accept-request.use-case';
import { GetRequestStatusUseCase } from './use-cases/get-request-status/get-request-status.use-case';
import { RecordOutcomeUseCase } from './use-cases/record-outcome/record-outcome.use-case';

const USE_CASES = [AcceptRequestUseCase, GetRequestStatusUseCase, RecordOutcomeUseCase];

@Module({})
export class RequestsModule {
  static forRoot(config: IngressConfig, logger: Logger): DynamicModule {
    return {
      module: RequestsModule,
      imports: [
        DbModule.forRoot({ url: config.DATABASE_URL }),
        RedisModule.forRoot({ url: config.REDIS_URL, logger }),
        ResultStreamModule.forRoot({ redisUrl: config.REDIS_URL, logger }),
      ],
      controllers: [ChatCompletionsController, RequestsController, RequestsConsumer],
      providers: [
        { provide: TenantDirectory, useClass: TenantRepository },
        { provide: AUTH_CACHE_TTL_MS, useValue: config.AUTH_CACHE_TTL_MS },
        { provide: STATUS_TTL_S, useValue: config.STATUS_TTL_S },
        { provide: IDEMPOTENCY_TTL_S, useValue: config.IDEMPOTENCY_TTL_S },
        { provide: SYNC_TIMEOUT_MS, useValue: config.SYNC_TIMEOUT_MS },
        ApiKeyAuthenticator,
        ApiKeyGuard,
        RequestStatusRepository,
        ...USE_CASES,
      ],
    };
  }
}
