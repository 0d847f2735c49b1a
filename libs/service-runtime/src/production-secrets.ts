import { DEV_KAFKA_RETRY_SECRET, type KafkaConfig } from '@llm/config';

/**
 * A production service must not sign its Kafka retry headers with the key every checkout knows: anyone could
 * then forge x-attempt / x-retry-at. Checked once where the secret is wired, for every service alike.
 */
export function refuseDevSecretsInProduction(nodeEnv: string | undefined, kafka: Pick<KafkaConfig, 'KAFKA_RETRY_SECRET'> | undefined): void {
  if (nodeEnv === 'production' && kafka?.KAFKA_RETRY_SECRET === DEV_KAFKA_RETRY_SECRET) {
    throw new Error('KAFKA_RETRY_SECRET: must be set to a secret of your own in production (the development default is public)');
  }
}
