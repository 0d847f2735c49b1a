import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inheritedEnvironment, loadConfig } from '@llm/config';
import { testInfra } from '@llm/testing';
import { z } from 'zod';
import { alive, ROOT, ServiceProcesses } from './service-processes';

/** What the e2e specs need to reach the running platform. */
export interface PlatformInfo {
  ingressUrl: string;
  cacheUrl: string;
  costLedgerUrl: string;
  retrieverUrl: string;
  evaluatorUrl: string;
  modelSimUrl: string;
  /** Where the worker reaches the local model (llama.cpp server); e2e/local-model starts it there when needed. */
  localModelUrl: string;
  tenantId: string;
  apiKey: string;
  freeTenantId: string;
  freeApiKey: string;
  adminToken: string;
  /** The platform's own shadow-replay tenant's key (evaluator: usage billed there, never to a user tenant). */
  shadowApiKey: string;
  /** The catalog the services run with: the repository's, plus `sim-broken`, a model that answers wrongly. */
  catalogPath: string;
  /** Where the evaluator writes and serves its reports. */
  reportsDir: string;
  pids: number[];
}

const STATE = join(ROOT, '.local/state/e2e');
const INFO_FILE = join(STATE, 'platform.json');

export function platformInfo(): PlatformInfo {
  return JSON.parse(readFileSync(INFO_FILE, 'utf8')) as PlatformInfo;
}

/**
 * Starts every service from dist/ as its own process, once for the whole e2e run, against the infrastructure
 * `make test` started; seeds two fresh tenants so runs never share state.
 */
export async function startPlatform(): Promise<void> {
  mkdirSync(STATE, { recursive: true });
  const infra = testInfra();
  const suffix = randomBytes(4).toString('hex');
  const tenants = {
    tenantId: `e2e-paid-${suffix}`,
    apiKey: `sk-e2e-paid-${randomBytes(16).toString('hex')}`,
    freeTenantId: `e2e-free-${suffix}`,
    freeApiKey: `sk-e2e-free-${randomBytes(16).toString('hex')}`,
    judgeApiKey: `sk-e2e-judge-${randomBytes(16).toString('hex')}`,
    shadowApiKey: `sk-e2e-shadow-${randomBytes(16).toString('hex')}`,
  };
  await seed(infra.DATABASE_URL, tenants);

  const adminToken = `e2e-admin-${randomBytes(12).toString('hex')}`;
  // E2E_BASE_PORT lets two checkouts run their e2e suites side by side on one machine.
  const { E2E_LOG_LEVEL, E2E_BASE_PORT } = loadConfig(
    z.object({ E2E_LOG_LEVEL: z.string().default('info'), E2E_BASE_PORT: z.coerce.number().int().min(1024).max(65_000).default(28_080) }),
  );
  const url = (offset: number) => `http://127.0.0.1:${E2E_BASE_PORT + offset}`;
  const catalogPath = writeE2eCatalog();
  const reportsDir = join(ROOT, '.local/reports/evals');
  const env = {
    ...inheritedEnvironment(),
    NODE_ENV: 'test',
    LOG_LEVEL: E2E_LOG_LEVEL,
    KAFKA_BROKERS: infra.KAFKA_BROKERS.join(','),
    KAFKA_TOPIC_PREFIX: infra.KAFKA_TOPIC_PREFIX,
    REDIS_URL: infra.REDIS_URL,
    DATABASE_URL: infra.DATABASE_URL,
    SIM_BASE_URL: `${url(10)}/v1`,
    LOCAL_LLM_BASE_URL: `${url(11)}/v1`,
    ADMIN_TOKEN: adminToken,
    MODEL_CATALOG_PATH: catalogPath,
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
  };
  const serviceEnv = {
    'model-sim': { SIM_MODELS: 'sim-small,sim-large,sim-broken', SIM_IGNORE_ECHO_MODELS: 'sim-broken' },
    // Every request is judged in e2e, so a test can find the verdicts of the one it sent.
    evaluator: { EVAL_REPORTS_DIR: reportsDir, EVAL_SAMPLE_RATE: '1' },
  };
  const processes = new ServiceProcesses({ basePort: E2E_BASE_PORT, stateDir: STATE, env, serviceEnv });
  await processes.startAll();
  const info: PlatformInfo = {
    ingressUrl: url(0),
    cacheUrl: url(1),
    costLedgerUrl: url(5),
    retrieverUrl: url(2),
    evaluatorUrl: url(6),
    modelSimUrl: url(10),
    localModelUrl: url(11),
    adminToken,
    tenantId: tenants.tenantId,
    apiKey: tenants.apiKey,
    freeTenantId: tenants.freeTenantId,
    freeApiKey: tenants.freeApiKey,
    shadowApiKey: tenants.shadowApiKey,
    catalogPath,
    reportsDir,
    pids: processes.pids(),
  };
  writeFileSync(INFO_FILE, JSON.stringify(info, null, 2));
}

export async function stopPlatform(): Promise<void> {
  if (!existsSync(INFO_FILE)) return;
  const { pids } = platformInfo();
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + 20_000;
  while (pids.some(alive) && Date.now() < deadline) await sleep(100);
  for (const pid of pids.filter(alive)) signal(pid, 'SIGKILL');
}

/** The repository's catalog plus `sim-broken` (model-sim answers it ignoring its instructions): the broken route of the evaluation test. */
function writeE2eCatalog(): string {
  const catalog = JSON.parse(readFileSync(join(ROOT, 'infra/catalog/models.json'), 'utf8')) as { models: Array<Record<string, unknown>> };
  const small = catalog.models.find((m) => m.id === 'sim-small')!;
  catalog.models.push({ ...small, id: 'sim-broken', deployment: 'sim-broken' });
  const path = join(STATE, 'catalog.json');
  writeFileSync(path, JSON.stringify(catalog, null, 2));
  return path;
}

async function seed(
  databaseUrl: string,
  t: { tenantId: string; apiKey: string; freeTenantId: string; freeApiKey: string; judgeApiKey: string; shadowApiKey: string },
): Promise<void> {
  const { createPrismaClient, seedTenant } = await import('@llm/db');
  const prisma = createPrismaClient(databaseUrl);
  try {
    await seedTenant(prisma, { tenantId: t.tenantId, tier: 'paid', apiKey: t.apiKey });
    await seedTenant(prisma, { tenantId: t.freeTenantId, tier: 'free', apiKey: t.freeApiKey });
    // The evaluator's own tenants: the LLM judge's requests and shadow replays are billed to them.
    await seedTenant(prisma, { tenantId: 'platform-evaluator', tier: 'paid', apiKey: t.judgeApiKey });
    await seedTenant(prisma, { tenantId: 'platform-shadow', tier: 'paid', apiKey: t.shadowApiKey });
  } finally {
    await prisma.$disconnect();
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
