import type { RouteRequestV1 } from '@llm/contracts';

export class PlanRouteCommand {
  private constructor(
    readonly request: RouteRequestV1,
    /** Kafka delivery attempt, carried into a terminal result this stage writes. */
    readonly attempt: number,
  ) {}

  static create(request: RouteRequestV1, attempt: number): PlanRouteCommand {
    return new PlanRouteCommand(request, attempt);
  }
}
