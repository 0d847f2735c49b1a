import type { RouteRequestV1 } from '@llm/contracts';

export class PlanRouteCommand {
  private constructor(readonly request: RouteRequestV1) {}

  static create(request: RouteRequestV1): PlanRouteCommand {
    return new PlanRouteCommand(request);
  }
}
