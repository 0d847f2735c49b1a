import { DEV_KAFKA_RETRY_SECRET } from '@llm/config';
import { refuseDevSecretsInProduction } from './production-secrets';

describe('refuseDevSecretsInProduction', () => {
  it('refuses the public development retry secret in production only', () => {
    expect(() => refuseDevSecretsInProduction('production', { KAFKA_RETRY_SECRET: DEV_KAFKA_RETRY_SECRET })).toThrow(/KAFKA_RETRY_SECRET/);
    expect(() => refuseDevSecretsInProduction('production', { KAFKA_RETRY_SECRET: 'a-secret-of-our-own-0123456789' })).not.toThrow();
    expect(() => refuseDevSecretsInProduction('development', { KAFKA_RETRY_SECRET: DEV_KAFKA_RETRY_SECRET })).not.toThrow();
    expect(() => refuseDevSecretsInProduction('production', undefined)).not.toThrow();
  });
});
