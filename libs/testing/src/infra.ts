import { randomBytes } from 'node:crypto';
import { databaseSchema, kafkaSchema, loadConfig, redisSchema } from '@llm/config';
import { createKafkaClient, ensureTopics, plannedTopics, SINGLE_BROKER } from '@llm/kafka';
import { createLogger, type Logger } from '@llm/telemetry';
import Redis from 'ioredis';
import { Client } from 'pg';

const infraSchema = kafkaSchema.extend(redisSchema.shape).extend(databaseSchema.shape);

/** Connection settings of the infrastructure `make test` started (INFRA_PROFILE=test ports). */
export function testInfra() {
  return loadConfig(infraSchema);
}

export function quietLogger(service = 'test'): Logger {
  return createLogger({ service, level: 'warn' });
}

/** A topic prefix unique to one test file, so concurrent or earlier tests never see each other's messages. */
export function uniquePrefix(label: string): string {
  return `it-${label}-${randomBytes(4).toString('hex')}.`;
}

export async function createTopics(prefix: string): Promise<void> {
  const cfg = testInfra();
  await ensureTopics(createKafkaClient({ brokers: cfg.KAFKA_BROKERS, clientId: 'test-setup', logger: quietLogger() }), plannedTopics(prefix), SINGLE_BROKER);
}

/** Fails fast, naming what is down, instead of letting every test time out. */
export async function checkInfrastructure(): Promise<void> {
  const cfg = testInfra();
  const failures: string[] = [];
  const redis = new Redis(cfg.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    failures.push(`Redis at ${cfg.REDIS_URL}: ${(err as Error).message}`);
  } finally {
    redis.disconnect();
  }
  const pg = new Client({ connectionString: cfg.DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await pg.connect();
    await pg.query('select 1');
  } catch (err) {
    failures.push(`Postgres at ${redactUrl(cfg.DATABASE_URL)}: ${(err as Error).message}`);
  } finally {
    await pg.end().catch(() => undefined);
  }
  try {
    await ensureTopics(createKafkaClient({ brokers: cfg.KAFKA_BROKERS, clientId: 'test-check', logger: quietLogger() }), plannedTopics(cfg.KAFKA_TOPIC_PREFIX), SINGLE_BROKER);
  } catch (err) {
    failures.push(`Kafka at ${cfg.KAFKA_BROKERS.join(',')}: ${(err as Error).message}`);
  }
  if (failures.length > 0) {
    throw new Error(`Integration tests need the real infrastructure (start it with \`INFRA_PROFILE=test make infra-up\`, or run \`make test\`):\n  ${failures.join('\n  ')}`);
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@]*@/, '//***@');
}

/** Polls until `probe` returns a value other than undefined: wait for quiescence rather than sleeping. */
export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, options: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? 'condition'}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 50));
  }
}

/** Settings for a service booted in-process by a test: loopback, any free port, quiet. */
export function testServiceSettings(shutdownTimeoutMs = 5_000) {
  return { HTTP_HOST: '127.0.0.1', HTTP_PORT: 0, LOG_LEVEL: 'warn', SHUTDOWN_TIMEOUT_MS: shutdownTimeoutMs };
}

/** A database of its own for one test file, created from the test server's admin connection; returns its URL. */
export async function freshDatabase(label: string): Promise<string> {
  const url = new URL(testInfra().DATABASE_URL);
  const name = `${label}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  url.pathname = `/${name}`;
  return url.toString();
}

/** The offset a consumer group committed on one partition (-1 when it has committed none). */
export async function committedOffset(groupId: string, topic: string, partition: number): Promise<number> {
  const admin = createKafkaClient({ brokers: testInfra().KAFKA_BROKERS, clientId: 'test-offsets', logger: quietLogger() }).admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Number(offsets!.partitions.find((p) => p.partition === partition)!.offset);
  } finally {
    await admin.disconnect();
  }
}
