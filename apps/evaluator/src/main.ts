import { Topics } from '@llm/contracts';
import { startService } from '@llm/service-runtime';
import { loadEvaluatorConfig } from './config/evaluator.config';
import { evaluatorHttpErrorMapper } from './evaluation/evaluation.errors';
import { EvaluationModule } from './evaluation/evaluation.module';
import { SAMPLER } from './evaluation/evaluation.tokens';
import type { Sampler } from './evaluation/sampling/sampler';
import { requestHalfPrefilter } from './evaluation/sampling/sampling.prefilter';

startService(() => {
  const config = loadEvaluatorConfig();
  return {
    name: 'evaluator',
    settings: config,
    kafka: config,
    module: (logger) => EvaluationModule.forRoot({ config, logger }),
    httpErrorMappers: [evaluatorHttpErrorMapper],
    // The request half of an exchange is kept only for sampled requests: the rest of llm.inference.v1 is skipped
    // unread. Results are all read (every one is counted).
    prefilters: (app) => ({ [Topics.inference]: requestHalfPrefilter(app.get<Sampler>(SAMPLER)) }),
  };
});
