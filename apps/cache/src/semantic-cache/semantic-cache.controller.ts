import { Body, Controller, HttpCode, Inject, Param, Post, Put, UseGuards } from '@nestjs/common';
import { opaqueId } from '@llm/contracts';
import { AdminTokenGuard } from '@llm/service-runtime';
import { z } from 'zod';
import { SemanticCacheError } from './semantic-cache.errors';
import { PurgeCacheCommand } from './use-cases/purge-cache/purge-cache.command';
import { PurgeCacheUseCase } from './use-cases/purge-cache/purge-cache.use-case';
import { SetThresholdCommand } from './use-cases/set-threshold/set-threshold.command';
import { SetThresholdUseCase } from './use-cases/set-threshold/set-threshold.use-case';

const purgeBody = z
  .object({
    feature: opaqueId.optional(),
    collection: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/)
      .optional(),
  })
  .default({});
const thresholdBody = z.object({ feature: opaqueId.optional(), threshold: z.number() });

/** Admin API of the cache: purge a tenant's answers (all, a feature's, a collection's) and set thresholds. */
@Controller('admin/cache/tenants/:tenantId')
@UseGuards(AdminTokenGuard)
export class SemanticCacheController {
  constructor(
    @Inject(PurgeCacheUseCase) private readonly purge: PurgeCacheUseCase,
    @Inject(SetThresholdUseCase) private readonly setThreshold: SetThresholdUseCase,
  ) {}

  @Post('purge')
  @HttpCode(200)
  async purgeTenant(@Param('tenantId') tenantId: string, @Body() body: unknown): Promise<{ deleted: number | null }> {
    const scope = parse(purgeBody, body);
    const { deleted } = await this.purge.execute(PurgeCacheCommand.create({ tenant_id: tenant(tenantId), ...scope }));
    return { deleted: deleted ?? null };
  }

  @Put('semantic-threshold')
  @HttpCode(204)
  async putThreshold(@Param('tenantId') tenantId: string, @Body() body: unknown): Promise<void> {
    const { feature, threshold } = parse(thresholdBody, body);
    await this.setThreshold.execute(SetThresholdCommand.create(tenant(tenantId), feature, threshold));
  }
}

function tenant(value: string): string {
  if (!opaqueId.safeParse(value).success) throw new SemanticCacheError('INVALID_REQUEST', 'invalid tenant id');
  return value;
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new SemanticCacheError('INVALID_REQUEST', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}
