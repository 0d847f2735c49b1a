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
  costLedgerUrl: string;
  evaluatorUrl: string;
  modelSimUrl: string;
  /** Where the worker reaches the local model (llama.cpp server); e2e/local-model starts it there when needed. */
  localModelUrl: string;
  tenantId: string;
  apiKey: string;
  freeTenantId: string;
  freeApiKey: string;
  adminToken: string;
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
  };
  await seed(infra.DATABASE_URL, tenants);

  const adminToken = `e2e-admin-${randomBytes(12).toString('hex')}`;
  // E2E_BASE_PORT lets two checkouts run their e2e suites side by side on one machine.
  const { E2E_LOG_LEVEL, E2E_BASE_PORT } = loadConfig(
    z.object({ E2E_LOG_LEVEL: z.string().default('info'), E2E_BASE_PORT: z.coerce.number().int().min(1024).max(65_000).default(28_080) }),
  );
  const url = (offset: number) => `http://127.0.0.1:${E2E_BASE_PORT + offset}`;
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
    MODEL_CATALOG_PATH: join(ROOT, 'infra/catalog/models.json'),
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
  };
  const processes = new ServiceProcesses({ basePort: E2E_BASE_PORT, stateDir: STATE, env });
  await processes.startAll();
  const info: PlatformInfo = {
    ingressUrl: url(0),
    costLedgerUrl: url(5),
    evaluatorUrl: url(6),
    modelSimUrl: url(10),
    localModelUrl: url(11),
    adminToken,
    ...tenants,
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

async function seed(databaseUrl: string, t: { tenantId: string; apiKey: string; freeTenantId: string; freeApiKey: string }): Promise<void> {
  const { createPrismaClient, seedTenant } = await import('@llm/db');
  const prisma = createPrismaClient(databaseUrl);
  try {
    await seedTenant(prisma, { tenantId: t.tenantId, tier: 'paid', apiKey: t.apiKey });
    await seedTenant(prisma, { tenantId: t.freeTenantId, tier: 'free', apiKey: t.freeApiKey });
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
