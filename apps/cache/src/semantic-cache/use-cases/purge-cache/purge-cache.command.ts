import type { CachePurgeV1 } from '@llm/contracts';

export class PurgeCacheCommand {
  private constructor(
    readonly tenantId: string,
    readonly scope: { feature?: string; collection?: string },
  ) {}

  static create(event: Pick<CachePurgeV1, 'tenant_id' | 'feature' | 'collection'>): PurgeCacheCommand {
    return new PurgeCacheCommand(event.tenant_id, {
      ...(event.feature !== undefined ? { feature: event.feature } : {}),
      ...(event.collection !== undefined ? { collection: event.collection } : {}),
    });
  }
}
