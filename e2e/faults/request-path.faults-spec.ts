import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inheritedEnvironment, loadConfig } from '@llm/config';
import { createKafkaClient, KafkaEventPublisher } from '@llm/kafka';
import { createTopics, quietLogger, testInfra, uniquePrefix, waitFor } from '@llm/testing';
import { Client } from 'pg';
import { z } from 'zod';
import { ROOT, ServiceProcesses } from '../support/service-processes';
import { startBroker, stopBroker } from './support/broker';
import { LoadDriver, type Tenant, type TrackedRequest } from './support/load-driver';
import { PlatformObserver, TERMINAL } from './support/observer';
import { judge, table, type PhaseVerdict } from './support/verdict';

/**
 * Issue 6, Acceptance: the request path under failure, on real processes, a real broker, Redis and Postgres.
 * Runs last in `make test` (it restarts the broker). Ports 27080+, so it never meets the e2e platform (28080+).
 */
const { FAULTS_BASE_PORT: BASE_PORT } = loadConfig(z.object({ FAULTS_BASE_PORT: z.coerce.number().int().min(1024).max(65_000).default(27_080) }));
const STATE = join(ROOT, '.local/state/faults');
const CATALOG = join(ROOT, 'infra/catalog/models.json');
const PHASE_TIMEOUT_MS = 45_000;
/** Four tokens at model-sim's priciest output price (sim-large, 10 µ$ a token), plus one for rounding. */
const MAX_CUT_STREAM_DRIFT_MICROS = 41;
const BROKER_OUTAGE_MS = 40_000;

describe('the request path under failure (issue 6 acceptance)', () => {
  const infra = testInfra();
  const prefix = uniquePrefix('faults');
  const suffix = randomBytes(3).toString('hex');
  const verdicts: PhaseVerdict[] = [];
  let processes: ServiceProcesses;
  let observer: PlatformObserver;
  let publisher: KafkaEventPublisher;
  let db: Client;

  beforeAll(async () => {
    await createTopics(prefix);
    db = new Client({ connectionString: infra.DATABASE_URL });
    await db.connect();
    const { FAULTS_LOG_LEVEL } = loadConfig(z.object({ FAULTS_LOG_LEVEL: z.string().default('info') }));
    processes = new ServiceProcesses({
      basePort: BASE_PORT,
      stateDir: STATE,
      env: {
        ...definedOnly(inheritedEnvironment()),
        NODE_ENV: 'test',
        LOG_LEVEL: FAULTS_LOG_LEVEL,
        KAFKA_BROKERS: infra.KAFKA_BROKERS.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        REDIS_URL: infra.REDIS_URL,
        DATABASE_URL: infra.DATABASE_URL,
        SIM_BASE_URL: `http://127.0.0.1:${BASE_PORT + 10}/v1`,
        ADMIN_TOKEN: `faults-admin-${randomBytes(12).toString('hex')}`,
        MODEL_CATALOG_PATH: CATALOG,
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
      },
      serviceEnv: {
        // A realistic provider: time to first token and per-token latency, so calls are in flight when a process dies.
        'model-sim': { SIM_TTFT_MS: '150', SIM_ITL_MS: '10' },
        // Sync callers get 504 + their request id rather than hanging while the broker is down.
        ingress: { SYNC_TIMEOUT_MS: '20000' },
      },
    });
    await processes.startAll();
    const kafka = createKafkaClient({ brokers: infra.KAFKA_BROKERS, clientId: 'faults-observer', logger: quietLogger() });
    publisher = new KafkaEventPublisher(createKafkaClient({ brokers: infra.KAFKA_BROKERS, clientId: 'faults-upstream', logger: quietLogger() }), quietLogger(), prefix);
    await publisher.connect();
    observer = new PlatformObserver({ ingressUrl: processes.url('ingress'), modelSimUrl: processes.url('model-sim'), kafka, topicPrefix: prefix, db, catalogPath: CATALOG });
  }, 120_000);

  afterAll(async () => {
    if (verdicts.length > 0) {
      const printed = table(verdicts);
      console.log(`fault test (${prefix}):\n${printed}`);
    }
    await publisher?.disconnect().catch(() => undefined);
    await processes?.stopAll();
    await db?.end();
  }, 60_000);

  async function seedTenants(label: string, count: number): Promise<Tenant[]> {
    const { createPrismaClient, seedTenant } = await import('@llm/db');
    const prisma = createPrismaClient(infra.DATABASE_URL);
    try {
      const tenants = Array.from({ length: count }, (_, i) => ({ id: `flt-${label}${suffix}-${i}`, apiKey: `sk-flt-${randomBytes(16).toString('hex')}` }));
      for (const t of tenants) await seedTenant(prisma, { tenantId: t.id, tier: 'paid', apiKey: t.apiKey });
      return tenants;
    } finally {
      await prisma.$disconnect();
    }
  }

  /** Waits until every accepted request is terminal for its caller and every group has consumed everything. */
  async function quiesce(requests: TrackedRequest[]): Promise<void> {
    const terminal = new Set<TrackedRequest>();
    await waitFor(
      async () => {
        const pending = requests.filter((r) => r.acceptedAt !== undefined && !terminal.has(r));
        const results = pending.some((r) => r.kind === 'inbound') ? await observer.results() : new Map();
        for (const r of pending) {
          const done = r.kind === 'inbound' ? results.has(`${r.tenant.id}/${r.id}`) : TERMINAL.has((await observer.httpStatus(r)) ?? '');
          if (done) terminal.add(r);
        }
        if (requests.some((r) => r.acceptedAt !== undefined && !terminal.has(r))) return undefined;
        return (await observer.lag()).total === 0 ? true : undefined;
      },
      { what: 'quiescence (every accepted request terminal, no consumer lag)', timeoutMs: 60_000, intervalMs: 1_000 },
    ).catch(() => undefined); // what is still missing then is counted as lost below
  }

  /**
   * Runs steady load on fresh tenants, injects the fault once model calls are in flight, waits for recovery and
   * quiescence, then judges the phase from what callers, the ledger and model-sim's bill say.
   */
  /** `inject` injects the fault and returns when it killed an inference worker, if it did. */
  async function phase(fault: string, inject: (load: LoadDriver) => Promise<number | undefined>, tenantCount = 4): Promise<PhaseVerdict> {
    const tenants = await seedTenants(
      fault
        .replace(/[^a-z0-9]+/gi, '-')
        .toLowerCase()
        .slice(0, 24),
      tenantCount,
    );
    const billStart = (await observer.bill()).length;
    const load = new LoadDriver({
      ingressUrl: processes.url('ingress'),
      publisher,
      tenants,
      clients: { sync: 3, stream: 1, async: 1, inbound: 1 },
      fireIntervalMs: 500,
      maxTokens: 24,
    });
    load.start(fault);
    let faultAt: number | undefined;
    let workerKilledAt: number | undefined;
    try {
      await waitFor(async () => (load.of(fault).filter((r) => r.acceptedAt).length >= 8 && (await observer.simStats()).in_flight > 0 ? true : undefined), {
        what: `model calls in flight before ${fault}`,
        timeoutMs: 30_000,
        intervalMs: 20,
      });
      faultAt = Date.now();
      workerKilledAt = await inject(load);
      await waitFor(() => (load.acceptedAfter(fault, faultAt!).some((r) => r.answeredAt !== undefined) ? true : undefined), {
        what: `recovery from ${fault}`,
        timeoutMs: PHASE_TIMEOUT_MS,
        intervalMs: 100,
      }).catch(() => undefined);
      const recovered = Date.now();
      await waitFor(() => (load.acceptedAfter(fault, recovered).length >= 10 ? true : undefined), {
        what: `steady traffic after ${fault}`,
        timeoutMs: 20_000,
        intervalMs: 100,
      }).catch(() => undefined);
    } finally {
      await load.stop();
    }
    const requests = load.of(fault);
    await quiesce(requests);
    const httpStatus = new Map<TrackedRequest, string | undefined>();
    for (const r of requests) if (r.acceptedAt !== undefined && r.kind !== 'inbound') httpStatus.set(r, await observer.httpStatus(r));
    const bill = await observer.bill();
    const verdict = judge({
      fault,
      requests,
      httpStatus,
      results: await observer.results(),
      usage: await observer.usage(tenants),
      bill: bill.slice(billStart),
      price: (call) => observer.price(call),
      faultAt,
      workerKilledAt,
    });
    verdicts.push(verdict);
    // Written after every phase, so a run cut short still shows what it measured.
    mkdirSync(join(ROOT, '.local/reports'), { recursive: true });
    writeFileSync(join(ROOT, '.local/reports/faults-table.txt'), `${table(verdicts)}\n`);
    return verdict;
  }

  /** What must hold after every phase; one object so a failure shows every number at once. */
  const invariants = (v: PhaseVerdict) => ({
    fault: v.fault,
    lost: v.lost,
    conflicting: v.conflicting,
    doubleCharged: v.doubleCharged,
    ledgerGap: v.ledgerGap,
    // A cut stream may miss the chunks in flight when its caller left: at most a few tokens' worth per cut call.
    abortedDriftWithinChunks: Math.abs(v.abortedDrift) <= v.abortedCalls * MAX_CUT_STREAM_DRIFT_MICROS,
    recovered: v.recoveryMs !== undefined,
  });
  const ideal = (v: PhaseVerdict) => ({ fault: v.fault, lost: 0, conflicting: 0, doubleCharged: 0, ledgerGap: 0, abortedDriftWithinChunks: true, recovered: true });

  it('kill -9 of the inference worker, the cache and ingress, and the broker down for 40 s, under load: nothing accepted is lost or charged twice, and the ledger equals the bill', async () => {
    const restartAfterKill = (app: 'inference-worker' | 'cache' | 'ingress') => async () => {
      await processes.kill(app);
      const killedAt = Date.now();
      await processes.start(app);
      return app === 'inference-worker' ? killedAt : undefined;
    };
    const phases = [
      await phase('kill -9 inference-worker', restartAfterKill('inference-worker')),
      await phase('kill -9 cache', restartAfterKill('cache')),
      await phase('kill -9 ingress', restartAfterKill('ingress')),
      await phase('broker down 40 s', async () => {
        await stopBroker();
        // Longer than kafkajs's own retries (about 30 s): its consumers give up, and the services must restart
        // them rather than die with everything they had accepted (a CI run lost requests exactly so).
        await new Promise((resolve) => setTimeout(resolve, BROKER_OUTAGE_MS));
        await startBroker();
        return undefined;
      }),
    ];
    expect(phases.map(invariants)).toEqual(phases.map(ideal));
  }, 900_000);

  it('scales the inference workers 1 → 3 → 1 while requests flow: every request completes once, every partition drains, no provider call is duplicated', async () => {
    const verdict = await phase(
      'scale workers 1 → 3 → 1',
      async (load) => {
        await Promise.all([processes.start('inference-worker', 1), processes.start('inference-worker', 2)]);
        // Let the three members share the load for a while before scaling back down.
        const mark = Date.now();
        const answered = () => load.acceptedAfter('scale workers 1 → 3 → 1', mark).filter((r) => r.answeredAt !== undefined).length;
        // Bounded, not asserted here: a platform that answers nothing is judged (lost, lag) below, with its row printed.
        await waitFor(() => (answered() >= 15 ? true : undefined), { what: 'answers while scaled out', timeoutMs: 30_000, intervalMs: 200 }).catch(() => undefined);
        await processes.stop('inference-worker', 1);
        await processes.stop('inference-worker', 2);
        return undefined; // graceful stops: nothing may be lost
      },
      6,
    );
    const lag = await observer.lag();
    expect({ ...invariants(verdict), duplicated: verdict.duplicated, lag: lag.detail }).toEqual({ ...ideal(verdict), duplicated: 0, lag: [] });
  }, 300_000);
});

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
