import { Module, type DynamicModule } from '@nestjs/common';
import type { Catalog } from '@llm/catalog';
import { RedisModule } from '@llm/redis';
import { ResultStreamModule } from '@llm/result-stream';
import type { Logger } from '@llm/telemetry';
import { InferenceConsumer } from './inference.consumer';
import { MAX_ATTEMPTS } from './inference.tokens';
import { OpenAiCompatibleAdapter } from './providers/openai-compatible.adapter';
import { ProviderRegistry } from './providers/provider-registry';
import { RunInferenceUseCase } from './use-cases/run-inference/run-inference.use-case';

const USE_CASES = [RunInferenceUseCase];

@Module({})
export class InferenceModule {
  static forRoot(options: { catalog: Catalog; settings: Readonly<Record<string, unknown>>; redisUrl: string; maxAttempts: number; logger: Logger }): DynamicModule {
    return {
      module: InferenceModule,
      imports: [RedisModule.forRoot({ url: options.redisUrl, logger: options.logger }), ResultStreamModule.forRoot({ redisUrl: options.redisUrl, logger: options.logger })],
      controllers: [InferenceConsumer],
      providers: [
        { provide: ProviderRegistry, useFactory: () => new ProviderRegistry(options.catalog, options.settings) },
        { provide: OpenAiCompatibleAdapter, inject: [ProviderRegistry], useFactory: (registry: ProviderRegistry) => new OpenAiCompatibleAdapter(registry) },
        { provide: MAX_ATTEMPTS, useValue: options.maxAttempts },
        ...USE_CASES,
      ],
    };
  }
}
