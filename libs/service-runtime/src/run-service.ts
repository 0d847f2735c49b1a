import 'reflect-metadata';
import { Module, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { KafkaConfig } from '@llm/config';
import type { TopicName } from '@llm/contracts';
import { createKafkaClient, KafkaPublisherModule, KafkaTransport, kafkaSecurity, type DeadLetterHandler, type MessagePrefilter } from '@llm/kafka';
import { createLogger, HealthRegistry, initTracing, MetricsRegistry, type Logger } from '@llm/telemetry';
import type { HttpStatusMapper } from './http-error';
import { HttpExceptionFilter } from './http-exception.filter';
import { HttpGrace } from './http-grace';
import { jsonBody } from './json-body';
import { NestPinoLogger } from './nest-logger';
import { OpsModule } from './ops.module';
import { refuseDevSecretsInProduction } from './production-secrets';

/** The settings every service has (libs/config serviceSchema + httpPort), read here so apps don't repeat them. */
export interface ServiceSettings {
  HTTP_HOST: string;
  HTTP_PORT: number;
  LOG_LEVEL: string;
  SHUTDOWN_TIMEOUT_MS: number;
  NODE_ENV?: string;
}

export interface ServiceDefinition {
  /** Service name: log field, metrics label, Kafka client id and consumer group. */
  name: string;
  /** Builds the app's feature modules; gets the service's logger for the clients those modules create. */
  module: (logger: Logger) => Type | DynamicModule;
  settings: ServiceSettings;
  /** JSON body limit (bytes, or with a kb/mb unit); 2 MB unless the service needs otherwise. */
  bodyLimit?: string;
  /** When set, the service gets an EventPublisher and, if it has @OnTopic handlers, a Kafka consumer. */
  kafka?: KafkaConfig;
  /** Consumer group override (tests run several groups side by side). */
  groupId?: string;
  httpErrorMappers?: readonly HttpStatusMapper[];
  /** Tests pass their own logger to keep output quiet. */
  logger?: Logger;
  /** Built from the app once it exists: what to do after a message was dead-lettered (see finishDeadLettered). */
  onDeadLetter?: (app: INestApplication) => DeadLetterHandler;
  /** Built from the app once it exists: per topic, which messages the handlers want before they are decoded. */
  prefilters?: (app: INestApplication) => Partial<Record<TopicName, MessagePrefilter>>;
  /**
   * How the process ends after a fatal fault (a Kafka consumer that crashed and will not restart), once the
   * app has closed. Default: process.exit. Tests pass their own.
   */
  exit?: (code: number) => void;
}

export interface RunningService {
  app: INestApplication;
  logger: Logger;
  url: string;
  close(): Promise<void>;
}

/**
 * Boots one service the same way everywhere: JSON logs, tracing, /health and /metrics, the HTTP error
 * filter, the Kafka transport for @OnTopic handlers, and a shutdown that drains in-flight work.
 */
export async function runService(def: ServiceDefinition): Promise<RunningService> {
  const { settings } = def;
  refuseDevSecretsInProduction(settings.NODE_ENV, def.kafka);
  initTracing();
  const logger = def.logger ?? createLogger({ service: def.name, level: settings.LOG_LEVEL });
  const metrics = new MetricsRegistry(def.name);
  const health = new HealthRegistry();
  const imports: Array<Type | DynamicModule> = [OpsModule.forRoot({ service: def.name, logger, metrics, health }), def.module(logger)];
  if (def.kafka) {
    const kafka = def.kafka;
    imports.push(
      KafkaPublisherModule.forRoot({
        ...kafkaSecurity(kafka),
        brokers: kafka.KAFKA_BROKERS,
        clientId: kafka.KAFKA_CLIENT_ID ?? def.name,
        logger,
        topicPrefix: kafka.KAFKA_TOPIC_PREFIX,
        deliveryTimeoutMs: kafka.KAFKA_DELIVERY_TIMEOUT_MS,
      }),
    );
    const admin = createKafkaClient({ ...kafkaSecurity(kafka), brokers: kafka.KAFKA_BROKERS, clientId: `${def.name}-health`, logger }).admin();
    health.register('kafka', async () => {
      await admin.connect();
      await admin.describeCluster();
    });
  }

  // Half the shutdown budget for HTTP, which closes first; the Kafka consumers then get the full budget to
  // drain, so a shutdown takes at most 1.5 x SHUTDOWN_TIMEOUT_MS (22.5 s of the pods' 30 s by default).
  const grace = new HttpGrace(Math.ceil(settings.SHUTDOWN_TIMEOUT_MS / 2));

  @Module({ imports, providers: [{ provide: HttpGrace, useValue: grace }] })
  class ServiceRootModule {}

  const app = await NestFactory.create<NestExpressApplication>(ServiceRootModule, {
    logger: new NestPinoLogger(logger),
    bodyParser: false,
  });
  // Bounded bodies: a huge request is refused with 413 before it is parsed into memory.
  app.use(jsonBody(def.bodyLimit ?? '2mb'));
  app.disable('x-powered-by');
  app.useGlobalFilters(new HttpExceptionFilter(def.httpErrorMappers ?? [], logger));
  app.enableShutdownHooks();
  grace.server = app.getHttpServer();
  // Idle keep-alive connections outlive the clients' and load balancers' own idle timeouts (undici 4 s, typical
  // LBs 60 s), so the client always closes first. At Node's default of 5 s a client could reuse a socket the
  // server was closing at that instant: "other side closed" in e2e, 502s behind an LB.
  const server = app.getHttpServer() as { keepAliveTimeout: number; headersTimeout: number };
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  if (def.kafka) {
    const k = def.kafka;
    const transport = new KafkaTransport({
      ...kafkaSecurity(k),
      brokers: k.KAFKA_BROKERS,
      clientId: k.KAFKA_CLIENT_ID ?? def.name,
      topicPrefix: k.KAFKA_TOPIC_PREFIX,
      groupId: def.groupId ?? def.name,
      logger,
      metrics,
      maxInFlight: k.KAFKA_MAX_IN_FLIGHT,
      maxInFlightPerPartition: k.KAFKA_MAX_IN_FLIGHT_PER_PARTITION,
      maxAttempts: k.KAFKA_MAX_ATTEMPTS,
      retryBackoffMs: k.KAFKA_RETRY_BACKOFF_MS,
      priorityPause: k.KAFKA_PRIORITY_PAUSE,
      batchInFlightWhileRealtime: k.KAFKA_BATCH_IN_FLIGHT_WHILE_REALTIME,
      realtimeWindowMs: k.KAFKA_REALTIME_WINDOW_MS,
      shutdownTimeoutMs: settings.SHUTDOWN_TIMEOUT_MS,
      deliveryTimeoutMs: k.KAFKA_DELIVERY_TIMEOUT_MS,
      sessionTimeoutMs: k.KAFKA_SESSION_TIMEOUT_MS,
      retrySecret: k.KAFKA_RETRY_SECRET,
      onDeadLetter: def.onDeadLetter?.(app),
      prefilters: def.prefilters?.(app),
      // A consumer that will not restart leaves the service consuming nothing: go unhealthy, close, exit non-zero.
      onFatal: (err) => {
        logger.fatal({ err }, 'kafka consumer is dead; shutting down');
        process.exitCode = 1;
        const exit = def.exit ?? ((code: number) => process.exit(code));
        void app.close().then(
          () => exit(1),
          (closeErr: unknown) => {
            logger.error({ err: closeErr }, 'close after a fatal fault failed');
            exit(1);
          },
        );
      },
    });
    health.register('kafka-consumer', async () => {
      const problem = transport.problem();
      if (problem) throw new Error(problem);
    });
    // inheritAppConfig: a hybrid app's microservice is initialised at once, so filters must come from the app.
    app.connectMicroservice({ strategy: transport }, { inheritAppConfig: true });
    await app.startAllMicroservices();
  }

  await app.listen(settings.HTTP_PORT, settings.HTTP_HOST);
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://${settings.HTTP_HOST}:${address.port}`;
  logger.info({ url }, `${def.name} listening`);
  return { app, logger, url, close: () => app.close() };
}

/**
 * A service process's entry point: builds the definition (config errors included) and boots it. Any failure
 * to boot prints its message and exits 1, so a bad setting stops the process with a clear line.
 */
export function startService(define: () => ServiceDefinition): void {
  Promise.resolve()
    .then(define)
    .then(runService)
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
