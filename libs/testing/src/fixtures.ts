import { randomUUID } from 'node:crypto';
import type { ChatCompletion, LlmRequestV1, LlmResultV1 } from '@llm/contracts';

/** A valid llm.requests.v1 event; override what the test is about. */
export function llmRequest(overrides: Partial<LlmRequestV1> = {}): LlmRequestV1 {
  return {
    request_id: randomUUID(),
    tenant_id: 'acme',
    priority: 'realtime-paid',
    mode: 'sync',
    created_at: new Date().toISOString(),
    body: { model: 'auto', messages: [{ role: 'user', content: 'hello' }] },
    ...overrides,
  };
}

export function chatCompletion(content: string | null = 'hello', overrides: Partial<ChatCompletion> = {}): ChatCompletion {
  return {
    id: 'cmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'sim-small',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    ...overrides,
  };
}

/** A valid llm.results.v1 event: a successful model answer unless overridden. */
export function llmResult(overrides: Partial<LlmResultV1> = {}, content: string | null = 'hello'): LlmResultV1 {
  return {
    request_id: randomUUID(),
    tenant_id: 'acme',
    priority: 'batch',
    status: 'succeeded',
    source: 'model',
    model: 'sim-small',
    response: chatCompletion(content),
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    cost_micros: 120,
    latency_ms: 40,
    attempt: 1,
    fallback_used: false,
    completed_at: new Date().toISOString(),
    ...overrides,
  };
}
