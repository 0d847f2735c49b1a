import { Inject, Injectable } from '@nestjs/common';
import { chainFor, type Catalog } from '@llm/catalog';
import { Topics, type RouteTarget } from '@llm/contracts';
import { EventPublisher } from '@llm/kafka';
import { ResultPublisher, resultIdentity } from '@llm/result-stream';
import { CATALOG } from '../../routing.tokens';
import type { PlanRouteCommand } from './plan-route.command';

/**
 * Walking skeleton of the routing policy: the requested model (or alias) picks a fallback chain from the
 * catalog. Task, confidence, budget and load-aware policies come with the routing issue. An unknown model is
 * refused here with a terminal result, so the caller hears back at once.
 */
@Injectable()
export class PlanRouteUseCase {
  constructor(
    @Inject(CATALOG) private readonly catalog: Catalog,
    private readonly events: EventPublisher,
    private readonly results: ResultPublisher,
  ) {}

  async execute({ request }: PlanRouteCommand): Promise<void> {
    const chain = chainFor(this.catalog, request.body.model);
    if (!chain) {
      await this.results.publish({
        ...resultIdentity(request),
        status: 'rejected',
        source: 'none',
        error: { code: 'MODEL_NOT_FOUND', message: `model '${request.body.model.slice(0, 100)}' is not in the catalog`, retryable: false },
        usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
        cost_micros: 0,
        latency_ms: Math.max(0, Date.now() - Date.parse(request.created_at)),
        attempt: 1,
        fallback_used: false,
        completed_at: new Date().toISOString(),
      });
      return;
    }
    const targets: RouteTarget[] = chain.models.map((m) => ({
      model: m.id,
      provider: m.provider,
      deployment: m.deployment,
      price_in_micros_per_mtok: m.price_in_micros_per_mtok,
      price_out_micros_per_mtok: m.price_out_micros_per_mtok,
      ...(m.price_cached_in_micros_per_mtok !== undefined ? { price_cached_in_micros_per_mtok: m.price_cached_in_micros_per_mtok } : {}),
      timeout_ms: m.timeout_ms,
      first_token_timeout_ms: m.first_token_timeout_ms,
      idle_timeout_ms: m.idle_timeout_ms,
    }));
    await this.events.publish(Topics.inference, {
      ...request,
      plan: { policy: 'catalog-chain', reason: `route ${chain.route}`, targets },
    });
  }
}
