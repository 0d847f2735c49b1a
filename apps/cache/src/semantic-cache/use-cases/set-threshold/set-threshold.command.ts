export class SetThresholdCommand {
  private constructor(
    readonly tenantId: string,
    readonly feature: string | undefined,
    readonly threshold: number,
  ) {}

  static create(tenantId: string, feature: string | undefined, threshold: number): SetThresholdCommand {
    return new SetThresholdCommand(tenantId, feature, threshold);
  }
}
