import { startService } from '@llm/service-runtime';
import { loadEvaluatorConfig } from './config/evaluator.config';
import { evaluatorHttpErrorMapper } from './evaluation/evaluation.errors';
import { EvaluationModule } from './evaluation/evaluation.module';

startService(() => {
  const config = loadEvaluatorConfig();
  return {
    name: 'evaluator',
    settings: config,
    kafka: config,
    module: (logger) => EvaluationModule.forRoot({ config, logger }),
    httpErrorMappers: [evaluatorHttpErrorMapper],
  };
});
