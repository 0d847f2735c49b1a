import { z } from 'zod';
import { ConfigError, parseConfig } from './load-config';
import { kafkaSchema, redisSchema, serviceSchema } from './shared.config';

const schema = serviceSchema.extend(kafkaSchema.shape).extend(redisSchema.shape);

describe('parseConfig', () => {
  it('applies defaults and coerces types', () => {
    const cfg = parseConfig(schema, { KAFKA_BROKERS: 'a:1, b:2', KAFKA_MAX_IN_FLIGHT: '8', KAFKA_PRIORITY_PAUSE: '0' });
    expect(cfg.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(cfg.KAFKA_MAX_IN_FLIGHT).toBe(8);
    expect(cfg.KAFKA_PRIORITY_PAUSE).toBe(false);
    expect(cfg.LOG_LEVEL).toBe('info');
  });

  it('lists every bad key at once and never echoes values', () => {
    let error: unknown;
    try {
      parseConfig(schema, { KAFKA_MAX_IN_FLIGHT: '-3', REDIS_URL: 'http://secret-password@host', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues.map((i) => i.split(':')[0]).sort()).toEqual(['KAFKA_MAX_IN_FLIGHT', 'LOG_LEVEL', 'REDIS_URL']);
    expect((error as ConfigError).message).not.toContain('secret-password');
  });

  it('rejects a required key that is missing', () => {
    expect(() => parseConfig(z.object({ MUST: z.string() }), {})).toThrow(/MUST/);
  });
});
