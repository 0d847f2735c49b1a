import { loadCatalog } from '@llm/catalog';
import { finishDeadLetteredRequests } from '@llm/result-stream';
import { startService } from '@llm/service-runtime';
import { loadInferenceWorkerConfig } from './config/inference-worker.config';
import { InferenceModule } from './inference/inference.module';

startService(() => {
  const config = loadInferenceWorkerConfig();
  const catalog = loadCatalog(config.MODEL_CATALOG_PATH);
  return {
    name: 'inference-worker',
    settings: config,
    kafka: config,
    module: (logger) => InferenceModule.forRoot({ catalog, config, logger }),
    onDeadLetter: finishDeadLetteredRequests,
  };
});
