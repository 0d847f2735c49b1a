import { Controller } from '@nestjs/common';
import { Topics, type RouteRequestV1 } from '@llm/contracts';
import { KafkaMessageContext, OnTopic } from '@llm/kafka';
import { PlanRouteCommand } from './use-cases/plan-route/plan-route.command';
import { PlanRouteUseCase } from './use-cases/plan-route/plan-route.use-case';

@Controller()
export class RoutingConsumer {
  constructor(private readonly planRoute: PlanRouteUseCase) {}

  @OnTopic(Topics.route)
  async onRoute(request: RouteRequestV1, context: KafkaMessageContext): Promise<void> {
    await this.planRoute.execute(PlanRouteCommand.create(request, context.attempt));
  }
}
