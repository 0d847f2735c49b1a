import { finishDeadLetteredRequests } from '@llm/result-stream';
import { startService } from '@llm/service-runtime';
import { loadRetrieverConfig } from './config/retriever.config';
import { RetrievalModule } from './retrieval/retrieval.module';

startService(() => {
  const config = loadRetrieverConfig();
  return {
    name: 'retriever',
    settings: config,
    kafka: config,
    module: (logger) => RetrievalModule.forRoot({ config, logger }),
    onDeadLetter: finishDeadLetteredRequests,
  };
});
