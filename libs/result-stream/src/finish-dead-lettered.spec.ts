import { Topics, type LlmResultV1 } from '@llm/contracts';
import { llmRequest, llmResult } from '@llm/testing';
import { finishDeadLettered } from './finish-dead-lettered';

describe('finishDeadLettered', () => {
  let finished: LlmResultV1[];
  let hook: ReturnType<typeof finishDeadLettered>;

  beforeEach(() => {
    finished = [];
    hook = finishDeadLettered({ publish: async (r: LlmResultV1) => (finished.push(r), true) });
  });

  it('finishes a dead-lettered request as failed with the code, so the caller hears back', async () => {
    const request = { ...llmRequest(), cache_key: 'k'.repeat(64), context: [] };
    await hook({ topic: Topics.route, payload: request, code: 'INTERNAL', reason: 'x is undefined', attempt: 3 });
    expect(finished).toEqual([
      expect.objectContaining({
        request_id: request.request_id,
        tenant_id: 'acme',
        status: 'failed',
        source: 'none',
        cost_micros: 0,
        attempt: 3,
        error: expect.objectContaining({ code: 'INTERNAL', retryable: false }),
      }),
    ]);
  });

  it('leaves messages off the request path, and messages that never validated, to the DLQ alone', async () => {
    await hook({ topic: Topics.results, payload: llmResult(), code: 'INTERNAL', reason: 'r', attempt: 1 });
    await hook({ topic: Topics.requests, payload: undefined, code: 'SCHEMA_VIOLATION', reason: 'r', attempt: 1 });
    expect(finished).toEqual([]);
  });
});
