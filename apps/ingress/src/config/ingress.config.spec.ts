import { parseConfig } from '@llm/config';
import { ingressConfigSchema } from './ingress.config';

describe('ingress config', () => {
  it('keeps the body limit inside one Kafka message with room for the envelope', () => {
    expect(parseConfig(ingressConfigSchema, {}).BODY_LIMIT_BYTES).toBe(3 * 1024 * 1024);
    expect(() => parseConfig(ingressConfigSchema, { BODY_LIMIT_BYTES: String(4 * 1024 * 1024) })).toThrow(/BODY_LIMIT_BYTES/);
  });

  it('treats an unconfirmed claim as in progress for at least the producer delivery timeout', () => {
    expect(() => parseConfig(ingressConfigSchema, { ACCEPTANCE_IN_PROGRESS_MS: '5000', KAFKA_DELIVERY_TIMEOUT_MS: '30000' })).toThrow(/ACCEPTANCE_IN_PROGRESS_MS/);
  });

  it('turns the exact-cache fast path on by default, and off with EXACT_CACHE_FAST_PATH=false', () => {
    expect(parseConfig(ingressConfigSchema, {})).toMatchObject({ EXACT_CACHE_FAST_PATH: true, EXACT_CACHE_SAMPLED: false });
    expect(parseConfig(ingressConfigSchema, { EXACT_CACHE_FAST_PATH: 'false' }).EXACT_CACHE_FAST_PATH).toBe(false);
  });
});
