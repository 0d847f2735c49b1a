import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { Controller, Get, Module } from '@nestjs/common';
import { Topics, type LlmRequestV1 } from '@llm/contracts';
import { createKafkaClient, OnTopic } from '@llm/kafka';
import { HealthRegistry } from '@llm/telemetry';
import { createTopics, quietLogger, testInfra, testServiceSettings, uniquePrefix, waitFor } from '@llm/testing';
import { runService } from './run-service';

const infra = testInfra();
const logger = quietLogger('service-runtime-int');
const held = { count: 0 };

@Controller()
class HoldController {
  /** Like an SSE stream or a sync wait: answers nothing until the client goes away. */
  @Get('hold')
  hold(): Promise<void> {
    held.count++;
    return new Promise(() => undefined);
  }
}

@Controller()
class RequestConsumer {
  @OnTopic(Topics.requests)
  async onRequest(_req: LlmRequestV1): Promise<void> {}
}

describe('runService (real HTTP and Kafka)', () => {
  it('closes held-open HTTP connections after the grace period instead of waiting for them forever', async () => {
    @Module({ controllers: [HoldController] })
    class HoldModule {}
    const service = await runService({ name: 'hold-probe', module: () => HoldModule, settings: testServiceSettings(200), logger });
    const { port } = new URL(service.url);
    const ended = new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/hold' }, (res) => {
        res.on('data', () => undefined);
        res.on('close', () => resolve('closed'));
      });
      req.on('error', () => resolve('closed'));
      req.end();
    });
    await waitFor(() => (held.count === 1 ? true : undefined), { what: 'the request to be held' });
    await service.close();
    expect(await ended).toBe('closed');
  });

  it('keeps an idle keep-alive connection open longer than clients do (no reuse of a socket the server is closing)', async () => {
    @Module({ controllers: [HoldController] })
    class IdleModule {}
    const service = await runService({ name: 'idle-probe', module: () => IdleModule, settings: testServiceSettings(200), logger });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const req = request(`${service.url}/health`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      expect((await get()).reused).toBe(false);
      // Longer than Node's default server keep-alive (5 s), which closed the socket under an idle client.
      await new Promise((r) => setTimeout(r, 6_000));
      expect(await get()).toEqual({ status: 200, reused: true });
    } finally {
      agent.destroy();
      await service.close();
    }
  }, 20_000);

  it('a Kafka consumer that crashed for good makes /health fail and ends the process with code 1', async () => {
    const prefix = uniquePrefix('runtime');
    await createTopics(prefix);
    const groupId = `runtime-fatal-${randomUUID()}`;
    // A member with another assignment protocol makes our join fail with an error kafkajs does not retry.
    const kafka = createKafkaClient({ brokers: infra.KAFKA_BROKERS, clientId: 'runtime-int', logger });
    const other = kafka.consumer({ groupId, sessionTimeout: 6_000 });
    const joined = new Promise<void>((r) => other.on(other.events.GROUP_JOIN, () => r()));
    await other.connect();
    await other.subscribe({ topic: `${prefix}${Topics.requests}` });
    await other.run({ eachMessage: async () => undefined });
    await joined;

    @Module({ controllers: [RequestConsumer] })
    class ConsumerModule {}
    const exits: number[] = [];
    const previousExitCode = process.exitCode;
    try {
      const service = await runService({
        name: 'fatal-probe',
        module: () => ConsumerModule,
        settings: testServiceSettings(500),
        kafka: { ...infra, KAFKA_TOPIC_PREFIX: prefix },
        groupId,
        logger,
        exit: (code) => exits.push(code),
      });
      await waitFor(() => (exits.length > 0 ? true : undefined), { what: 'the exit', timeoutMs: 30_000 });
      expect(exits).toEqual([1]);
      expect(process.exitCode).toBe(1);
      // What /health reported on the way down (the HTTP port is closed by now).
      const report = await service.app.get(HealthRegistry).report();
      expect(report.status).toBe('degraded');
      expect(report.checks['kafka-consumer']).toEqual({ status: 'failed' });
    } finally {
      process.exitCode = previousExitCode;
      await other.disconnect();
    }
  });
});
