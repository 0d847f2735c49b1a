import { Injectable } from '@nestjs/common';
import { EvaluationRepository } from '../../evaluation.repository';
import type { GetSummaryCommand } from './get-summary.command';

export interface EvaluationSummary {
  tenant_id: string;
  counters: Record<string, number>;
}

@Injectable()
export class GetSummaryUseCase {
  constructor(private readonly repository: EvaluationRepository) {}

  async execute(command: GetSummaryCommand): Promise<EvaluationSummary> {
    const counters = await this.repository.getCounters(command.tenantId);
    return { tenant_id: command.tenantId, counters: { total: 0, ...counters } };
  }
}
