import { watchCatalog, WatchedFile, type Catalog } from '@llm/catalog';
import { ComplexityScorer } from '@llm/routing-scorer';
import type { Logger, MetricsRegistry } from '@llm/telemetry';
import type { RouterConfig } from '../config/router.config';
import { parseRoutingPolicy, type RoutingPolicy } from './policies/routing-policy.schema';

/**
 * What routing decides with: the catalog and the policy file (both hot-reloaded; a bad edit keeps the last good
 * version, is logged and counted) and the complexity scorer's weights (loaded once: a new scorer is a deploy).
 */
export class RoutingData {
  private constructor(
    private readonly catalogFile: WatchedFile<Catalog>,
    private readonly policyFile: WatchedFile<RoutingPolicy>,
    readonly scorer: ComplexityScorer,
  ) {}

  static load(
    config: Pick<RouterConfig, 'MODEL_CATALOG_PATH' | 'ROUTING_POLICY_PATH' | 'COMPLEXITY_SCORER_PATH' | 'CATALOG_RELOAD_MS'>,
    logger: Logger,
    metrics: MetricsRegistry,
  ): RoutingData {
    const reloads = metrics.counter('router_config_reloads_total', 'Catalog and policy file reloads by file and result', ['file', 'result']);
    const version = metrics.gauge('router_config_version_info', 'Version (content hash) of the catalog and policy in force', ['file', 'version']);
    const hooks = (file: 'catalog' | 'policy', current: () => WatchedFile<unknown> | undefined) => ({
      onReload: (v: string) => {
        reloads.inc({ file, result: 'ok' });
        publishVersions();
        logger.info({ file, version: v }, 'routing file reloaded');
      },
      onError: (err: Error) => {
        reloads.inc({ file, result: 'invalid' });
        logger.error({ file, err: err.message, version: current()?.version }, 'routing file change rejected; the last good version stays in force');
      },
    });
    // The hooks report the version in force, so they look the files up when they run, after both exist.
    const files: { catalog?: WatchedFile<Catalog>; policy?: WatchedFile<RoutingPolicy> } = {};
    const publishVersions = () => {
      version.reset();
      if (files.catalog) version.set({ file: 'catalog', version: files.catalog.version }, 1);
      if (files.policy) version.set({ file: 'policy', version: files.policy.version }, 1);
    };
    const catalog = watchCatalog(
      config.MODEL_CATALOG_PATH,
      hooks('catalog', () => files.catalog),
    );
    const policy = new WatchedFile(
      config.ROUTING_POLICY_PATH,
      parseRoutingPolicy,
      hooks('policy', () => files.policy),
    );
    Object.assign(files, { catalog, policy });
    if (config.CATALOG_RELOAD_MS > 0) {
      catalog.watch(config.CATALOG_RELOAD_MS);
      policy.watch(config.CATALOG_RELOAD_MS);
    }
    publishVersions();
    return new RoutingData(catalog, policy, ComplexityScorer.load(config.COMPLEXITY_SCORER_PATH));
  }

  get catalog(): Catalog {
    return this.catalogFile.current;
  }

  get policy(): RoutingPolicy {
    return this.policyFile.current;
  }

  onModuleDestroy(): void {
    this.catalogFile.close();
    this.policyFile.close();
  }
}
