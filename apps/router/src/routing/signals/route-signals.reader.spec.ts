import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BudgetStore } from '@llm/budgets';
import { parseCatalog } from '@llm/catalog';
import { MetricsRegistry, createLogger } from '@llm/telemetry';
import { llmRequest } from '@llm/testing';
import { parseRoutingPolicy } from '../policies/routing-policy.schema';
import type { DeploymentHealth } from '@llm/deployment-health';
import { RouteSignalsReader } from './route-signals.reader';

const ROOT = join(__dirname, '../../../../..');
const catalog = parseCatalog(JSON.parse(readFileSync(join(ROOT, 'infra/catalog/models.json'), 'utf8')));
const settings = parseRoutingPolicy(JSON.parse(readFileSync(join(ROOT, 'infra/routing/policy.json'), 'utf8'))).defaults;
const request = { ...llmRequest(), context: [] };
const down = () => Promise.reject(new Error('connection refused'));

describe('RouteSignalsReader', () => {
  it('reads budget use, backlog and health for the request’s candidate deployments', async () => {
    const budgets = { read: () => Promise.resolve({ spentMicros: 700, reservedMicros: 150, spentTokens: 0, reservedTokens: 0, limitMicros: 1_000, limitTokens: null }) };
    const health = { snapshot: (ids: readonly string[]) => Promise.resolve(new Map(ids.map((id) => [id, { calls: 1, errors: 0, routed: 2 }]))) };
    const reader = new RouteSignalsReader(
      budgets as unknown as BudgetStore,
      { current: () => Promise.resolve(42) },
      health as unknown as DeploymentHealth,
      createLogger({ service: 't', level: 'silent' }),
      new MetricsRegistry('t', { defaultMetrics: false }),
    );
    const s = await reader.read(request, catalog, settings);
    expect(s.budget).toEqual({ usedMicros: 850, limitMicros: 1_000 });
    expect(s.lag).toBe(42);
    expect([...s.deployments.keys()]).toEqual(['sim-small', 'sim-medium', 'sim-large']);
  });

  it('routes without a signal it cannot read, and counts it', async () => {
    const metrics = new MetricsRegistry('t', { defaultMetrics: false });
    const reader = new RouteSignalsReader(
      { read: down } as unknown as BudgetStore,
      { current: down },
      { snapshot: down } as unknown as DeploymentHealth,
      createLogger({ service: 't', level: 'silent' }),
      metrics,
    );
    const s = await reader.read(request, catalog, settings);
    expect(s).toEqual({ deployments: new Map() });
    expect(await metrics.render()).toMatch(/router_signal_errors_total\{signal="budget",service="t"\} 1/);
  });
});
