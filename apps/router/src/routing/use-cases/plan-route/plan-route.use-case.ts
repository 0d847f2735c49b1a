import { Inject, Injectable } from '@nestjs/common';
import { chainFor, type Catalog } from '@llm/catalog';
import { Topics, type RouteTarget } from '@llm/contracts';
import { EventPublisher } from '@llm/kafka';
import { expiredResult, isExpired, ResultPublisher, unansweredResult } from '@llm/result-stream';
import { CATALOG } from '../../routing.tokens';
import type { PlanRouteCommand } from './plan-route.command';

/**
 * Walking skeleton of the routing policy: the requested model (or alias) picks a fallback chain from the
 * catalog. Task, confidence, budget and load-aware policies come with the routing issue. An unknown model is
 * refused here with a terminal result, so the caller hears back at once; so is a request past its deadline,
 * which must never reach a model.
 */
@Injectable()
export class PlanRouteUseCase {
  constructor(
    @Inject(CATALOG) private readonly catalog: Catalog,
    private readonly events: EventPublisher,
    @Inject(ResultPublisher) private readonly results: Pick<ResultPublisher, 'publish'>,
  ) {}

  async execute({ request, attempt }: PlanRouteCommand, now = new Date()): Promise<void> {
    if (isExpired(request, now)) {
      await this.results.publish(expiredResult(request, attempt, now));
      return;
    }
    const chain = chainFor(this.catalog, request.body.model);
    if (!chain) {
      await this.results.publish(
        unansweredResult(
          request,
          {
            status: 'rejected',
            error: { code: 'MODEL_NOT_FOUND', message: `model '${request.body.model.slice(0, 100)}' is not in the catalog`, retryable: false },
            attempt,
            ...(request.cache_key !== undefined ? { cache_key: request.cache_key } : {}),
          },
          now,
        ),
      );
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
