import { Headers } from '@llm/contracts';
import type { MessagePrefilter } from '@llm/kafka';
import type { Sampler } from './sampler';

/**
 * llm.inference.v1 as the evaluator reads it: only requests some judge may sample are decoded (the request half
 * of an exchange is kept for those alone). A message without the headers to decide on is read, to be safe.
 */
export function requestHalfPrefilter(sampler: Pick<Sampler, 'mayBeSampled'>): MessagePrefilter {
  return ({ key, headers }) => {
    const requestId = headers[Headers.requestId];
    return key === null || requestId === undefined || sampler.mayBeSampled(key, requestId);
  };
}
