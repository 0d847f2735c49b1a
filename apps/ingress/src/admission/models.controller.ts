import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import type { Catalog } from '@llm/catalog';
import { ApiKeyGuard, CurrentPrincipal, type Principal } from '@llm/tenant-auth';
import { CATALOG } from './admission.tokens';
import { allowedModelNames } from './plans/model-access';
import { PlanBook } from './plans/plan-book';

/** Fixed: the catalog has no creation times, and clients only need a stable integer. */
const CREATED = 1_700_000_000;

/** OpenAI's `GET /v1/models`: exactly the names the caller's plan may send as `model`. */
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class ModelsController {
  constructor(
    private readonly plans: PlanBook,
    @Inject(CATALOG) private readonly catalog: Catalog,
  ) {}

  @Get('models')
  list(@CurrentPrincipal() principal: Principal): { object: 'list'; data: Array<{ id: string; object: 'model'; created: number; owned_by: string }> } {
    const plan = this.plans.resolve(principal);
    return { object: 'list', data: allowedModelNames(this.catalog, plan).map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'llm-platform' })) };
  }
}
