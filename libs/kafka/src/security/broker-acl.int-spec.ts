import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topics } from '@llm/contracts';
import { quietLogger, waitFor } from '@llm/testing';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes, type Kafka } from 'kafkajs';
import { ensureTopics, SINGLE_BROKER } from '../admin/ensure-topics';
import { createKafkaClient, kafkaSecurity } from '../client';
import { KafkaEventPublisher } from '../producer/kafka-event.publisher';

/**
 * The broker settings docker-compose.yml and infra/k8s use for upstream producers (docs/inbound-signing.md), on
 * a real broker: SASL/SCRAM principals, the standard authorizer, and the ACLs an upstream gets. An upstream
 * may write only the inbound topic and read only its own reply topic; the platform's principal does the rest.
 */
const ROOT = join(__dirname, '../../../..');
const SCRIPT = join(ROOT, 'infra/scripts/kafka-sasl-broker.sh');
const logger = quietLogger('broker-acl-int');
const secret = () => randomBytes(12).toString('hex');
const ADMIN = secret();
const ACME = secret();
const GLOBEX = secret();

/** The broker error types along an error's cause chain (kafkajs wraps what the broker said). */
function typesAlong(err: unknown): string[] {
  const types: string[] = [];
  for (let e = err as { type?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 8; e = e.cause as typeof e, depth++) {
    if (typeof e.type === 'string') types.push(e.type);
  }
  return types;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('broker ACLs for upstream producers (SASL/SCRAM, real broker)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-sasl-'));
  let brokers: string[];
  const client = (username: string, password: string, clientId = username): Kafka =>
    createKafkaClient({ ...kafkaSecurity({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password }), brokers, clientId, logger });
  const inbound = Topics.inbound;
  const requests = Topics.requests;
  const acmeReplies = 'llm.replies.acme.v1';
  const globexReplies = 'llm.replies.globex.v1';

  beforeAll(async () => {
    const [port, controller] = [await freePort(), await freePort()];
    brokers = [`127.0.0.1:${port}`];
    const started = spawnSync('bash', [SCRIPT, 'start', dir, String(port), String(controller), ADMIN, `upstream-acme=${ACME}`, `upstream-globex=${GLOBEX}`], { encoding: 'utf8' });
    if (started.status !== 0) throw new Error(`SASL broker did not start:\n${started.stderr}`);
    const admin = client('admin', ADMIN);
    await waitFor(
      async () =>
        ensureTopics(
          admin,
          [inbound, requests, acmeReplies, globexReplies].map((topic) => ({ topic, partitions: 1 })),
          SINGLE_BROKER,
        ).then(
          () => true,
          () => undefined,
        ),
      { what: 'topics on the SASL broker', timeoutMs: 60_000, intervalMs: 500 },
    );
    // What an operator grants a new upstream (docs/inbound-signing.md): write inbound, read its replies.
    const acl = admin.admin();
    await acl.connect();
    // Fresh topics on a fresh broker: every partition has its leader before anyone produces.
    await waitFor(
      async () => {
        const { topics } = await acl.fetchTopicMetadata({ topics: [inbound, requests, acmeReplies, globexReplies] });
        return topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)) ? true : undefined;
      },
      { what: 'partition leaders on the SASL broker', timeoutMs: 30_000, intervalMs: 200 },
    );
    const allow = (resourceType: AclResourceTypes, resourceName: string, operation: AclOperationTypes, patternType = ResourcePatternTypes.LITERAL) => ({
      resourceType,
      resourceName,
      resourcePatternType: patternType,
      principal: 'User:upstream-acme',
      host: '*',
      operation,
      permissionType: AclPermissionTypes.ALLOW,
    });
    await acl.createAcls({
      acl: [
        allow(AclResourceTypes.TOPIC, inbound, AclOperationTypes.WRITE),
        allow(AclResourceTypes.TOPIC, inbound, AclOperationTypes.DESCRIBE),
        allow(AclResourceTypes.TOPIC, acmeReplies, AclOperationTypes.READ),
        allow(AclResourceTypes.TOPIC, acmeReplies, AclOperationTypes.DESCRIBE),
        allow(AclResourceTypes.GROUP, 'upstream-acme', AclOperationTypes.READ, ResourcePatternTypes.PREFIXED),
        // Our producers are idempotent: InitProducerId needs this (or, on newer brokers, any topic WRITE).
        allow(AclResourceTypes.CLUSTER, 'kafka-cluster', AclOperationTypes.IDEMPOTENT_WRITE),
      ],
    });
    // ACLs take effect when the broker has applied them from the metadata log: wait until it lists them all.
    await waitFor(
      async () => {
        const { resources } = await acl.describeAcls({
          resourceType: AclResourceTypes.ANY,
          resourcePatternType: ResourcePatternTypes.ANY,
          principal: 'User:upstream-acme',
          host: '*',
          operation: AclOperationTypes.ANY,
          permissionType: AclPermissionTypes.ANY,
        });
        return resources.reduce((n, r) => n + r.acls.length, 0) === 6 ? true : undefined;
      },
      { what: 'the ACLs applied by the broker', timeoutMs: 30_000, intervalMs: 200 },
    );
    await acl.disconnect();
  }, 180_000);

  afterAll(() => {
    spawnSync('bash', [SCRIPT, 'stop', dir], { encoding: 'utf8' });
  });

  it('lets an upstream write the inbound topic, and nothing else', async () => {
    const publisher = new KafkaEventPublisher(client('upstream-acme', ACME), logger, '', 10_000);
    await publisher.connect();
    try {
      await publisher.publish(inbound, {
        request_id: randomUUID(),
        tenant_id: 'acme',
        priority: 'batch',
        body: { model: 'sim-small', messages: [{ role: 'user', content: 'hello' }] },
      });
      // Straight onto the internal request topic (skipping ingress, its signature check and admission): refused.
      const refused = await publisher.send({ topic: requests, partition: 0, key: 'acme', value: '{}', headers: {} }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(refused).toMatchObject({ code: 'PUBLISH_FAILED' });
      expect(typesAlong(refused)).toContain('TOPIC_AUTHORIZATION_FAILED');
    } finally {
      await publisher.disconnect();
    }
  });

  it('lets an upstream read its own reply topic, never another tenant’s', async () => {
    const platform = new KafkaEventPublisher(client('admin', ADMIN, 'platform'), logger, '', 10_000);
    await platform.connect();
    await platform.send({ topic: acmeReplies, partition: 0, key: 'acme', value: '{"for":"acme"}', headers: {} });
    await platform.send({ topic: globexReplies, partition: 0, key: 'globex', value: '{"for":"globex"}', headers: {} });
    await platform.disconnect();

    const acme = client('upstream-acme', ACME);
    const consumer = acme.consumer({ groupId: `upstream-acme-${randomUUID()}` });
    const seen: string[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: acmeReplies, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
      await waitFor(() => (seen.length > 0 ? true : undefined), { what: 'acme reading its replies', timeoutMs: 30_000 });
      expect(seen).toEqual(['{"for":"acme"}']);
    } finally {
      await consumer.disconnect();
    }
    const admin = acme.admin();
    await admin.connect();
    try {
      await expect(admin.fetchTopicOffsets(globexReplies)).rejects.toMatchObject({ type: 'TOPIC_AUTHORIZATION_FAILED' });
    } finally {
      await admin.disconnect();
    }
  });

  it('refuses a principal with the wrong password', async () => {
    const admin = client('upstream-acme', GLOBEX).admin();
    await expect(admin.connect()).rejects.toThrow(/SASL SCRAM SHA512 authentication failed/i);
  });
});
