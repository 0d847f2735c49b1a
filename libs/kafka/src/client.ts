import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { KafkaConnectionOptions, KafkaSecurity } from './kafka.options';
import { patchKafkaRequestQueue } from './request-queue.patch';

patchKafkaRequestQueue();

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client that logs through the service's pino logger. */
export function createKafkaClient(options: KafkaConnectionOptions): Kafka {
  const log = options.logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    ...(options.sasl ? { sasl: options.sasl } : {}),
    ...(options.ssl ? { ssl: true } : {}),
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log: entry }: LogEntry) => {
        const { message, timestamp: _t, logger: _l, ...rest } = entry;
        // Group-coordinator chatter during startup and rebalances is expected; kafkajs retries it.
        // Retries are bounded on purpose (a dead broker must fail a request, not hang it); consumers are idempotent.
        // So is leadership moving right after topics are created, which kafkajs retries as well.
        const benign =
          /coordinator (is loading|is not available)|not the correct coordinator|rebalanc|Limiting retries for the idempotent producer|not the leader for that topic-partition|leadership election/i.test(
            `${message} ${String(rest.error ?? '')}`,
          );
        log[benign ? 'debug' : (LEVELS[level] ?? 'info')]({ namespace, ...rest }, message);
      },
    retry: { initialRetryTime: 100, retries: 8 },
  });
}

/** The broker security of the KAFKA_SASL_* / KAFKA_SSL settings; a mechanism without its credentials is refused. */
export function kafkaSecurity(config: {
  KAFKA_SASL_MECHANISM?: KafkaSecurityMechanism;
  KAFKA_SASL_USERNAME?: string;
  KAFKA_SASL_PASSWORD?: string;
  KAFKA_SSL?: boolean;
}): KafkaSecurity {
  const ssl = config.KAFKA_SSL === true ? { ssl: true } : {};
  if (!config.KAFKA_SASL_MECHANISM) return ssl;
  if (!config.KAFKA_SASL_USERNAME || !config.KAFKA_SASL_PASSWORD) throw new Error('KAFKA_SASL_MECHANISM is set: KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required too');
  const credentials = { username: config.KAFKA_SASL_USERNAME, password: config.KAFKA_SASL_PASSWORD };
  switch (config.KAFKA_SASL_MECHANISM) {
    case 'scram-sha-256':
      return { ...ssl, sasl: { mechanism: 'scram-sha-256', ...credentials } };
    case 'scram-sha-512':
      return { ...ssl, sasl: { mechanism: 'scram-sha-512', ...credentials } };
    case 'plain':
      return { ...ssl, sasl: { mechanism: 'plain', ...credentials } };
  }
}

type KafkaSecurityMechanism = 'scram-sha-256' | 'scram-sha-512' | 'plain';
