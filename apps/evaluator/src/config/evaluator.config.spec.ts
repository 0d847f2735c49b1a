import { parseConfig } from '@llm/config';
import { DEV_ADMIN_TOKEN } from '@llm/config';
import { evaluatorConfigSchema } from './evaluator.config';

describe('evaluatorConfigSchema', () => {
  it('defaults to port 8086 and the development admin token', () => {
    const cfg = parseConfig(evaluatorConfigSchema, {});
    expect(cfg.HTTP_PORT).toBe(8086);
    expect(cfg.ADMIN_TOKEN).toBe(DEV_ADMIN_TOKEN);
  });

  it('rejects a short admin token', () => {
    expect(() => parseConfig(evaluatorConfigSchema, { ADMIN_TOKEN: 'short' })).toThrow(/ADMIN_TOKEN/);
  });

  it('refuses the development admin token in production', () => {
    expect(() => parseConfig(evaluatorConfigSchema, { NODE_ENV: 'production' })).toThrow(/ADMIN_TOKEN/);
    expect(parseConfig(evaluatorConfigSchema, { NODE_ENV: 'production', ADMIN_TOKEN: 'a-real-secret-of-32-characters!!' }).NODE_ENV).toBe('production');
  });
});
