import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { KafkaConnectionOptions } from './kafka.options';

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
