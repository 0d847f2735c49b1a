import { Module } from '@nestjs/common';
import { RetrievalConsumer } from './retrieval.consumer';
import { RetrieveContextUseCase } from './use-cases/retrieve-context/retrieve-context.use-case';

const USE_CASES = [RetrieveContextUseCase];

@Module({
  controllers: [RetrievalConsumer],
  providers: [...USE_CASES],
})
export class RetrievalModule {}
