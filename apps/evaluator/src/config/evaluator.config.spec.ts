import { parseConfig } from '@llm/config';
import { DEV_ADMIN_TOKEN } from '@llm/config';
import { evaluatorConfigSchema } from './evaluator.config';

describe('evaluatorConfigSchema', () => {
  it('defaults to port 8086 and the development admin token', () => {
    const cfg = parseConfig(evaluatorConfigSchema, {});
    expect(cfg.HTTP_PORT).toBe(8086);
    expect(cfg.ADMIN_TOKEN).toBe(DEV_ADMIN_TOKEN);
    expect(cfg.EVAL_SAMPLE_RATE).toBe(0.1);
    expect(cfg.EVAL_SAMPLE_RATES).toEqual({});
  });

  it('rejects a short admin token', () => {
    expect(() => parseConfig(evaluatorConfigSchema, { ADMIN_TOKEN: 'short' })).toThrow(/ADMIN_TOKEN/);
  });

  it('refuses the development admin token in production', () => {
    expect(() => parseConfig(evaluatorConfigSchema, { NODE_ENV: 'production' })).toThrow(/ADMIN_TOKEN/);
    expect(parseConfig(evaluatorConfigSchema, { NODE_ENV: 'production', ADMIN_TOKEN: 'a-real-secret-of-32-characters!!' }).NODE_ENV).toBe('production');
  });

  it('parses per-tenant and per-feature sampling rates, and names a bad entry', () => {
    expect(parseConfig(evaluatorConfigSchema, { EVAL_SAMPLE_RATES: 'acme=0.1, acme/search=1,beta=0' }).EVAL_SAMPLE_RATES).toEqual({ acme: 0.1, 'acme/search': 1, beta: 0 });
    expect(() => parseConfig(evaluatorConfigSchema, { EVAL_SAMPLE_RATES: 'acme=2' })).toThrow(/EVAL_SAMPLE_RATES/);
    expect(() => parseConfig(evaluatorConfigSchema, { EVAL_SAMPLE_RATE: '1.5' })).toThrow(/EVAL_SAMPLE_RATE/);
  });
});
