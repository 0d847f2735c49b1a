import { createHash } from 'node:crypto';

export interface SamplerSettings {
  defaultRate: number;
  /** `tenant` or `tenant/feature` → rate. */
  rates: Readonly<Record<string, number>>;
  /** The platform's own tenants (LLM judge, shadow replay): never sampled, or the evaluator would judge itself. */
  excludedTenants: readonly string[];
}

/**
 * Decides from the request id alone whether a request is sampled, so the request half (llm.inference.v1) and the
 * result half (llm.results.v1) agree without talking to each other, and a redelivery decides the same way.
 */
export class Sampler {
  constructor(private readonly settings: SamplerSettings) {}

  rateFor(tenantId: string, feature: string | undefined): number {
    if (this.settings.excludedTenants.includes(tenantId)) return 0;
    const { rates } = this.settings;
    return (feature !== undefined ? rates[`${tenantId}/${feature}`] : undefined) ?? rates[tenantId] ?? this.settings.defaultRate;
  }

  /**
   * False only when no feature of the tenant could sample this request id: decided before a message's body is
   * read (the feature is inside it), so the evaluator skips most of llm.inference.v1 unread.
   */
  mayBeSampled(tenantId: string, requestId: string): boolean {
    if (this.settings.excludedTenants.includes(tenantId)) return false;
    let rate = this.settings.rates[tenantId] ?? this.settings.defaultRate;
    const prefix = `${tenantId}/`;
    for (const [scope, r] of Object.entries(this.settings.rates)) if (scope.startsWith(prefix)) rate = Math.max(rate, r);
    if (rate <= 0) return false;
    return rate >= 1 || unitHash(requestId) < rate;
  }

  isSampled(tenantId: string, feature: string | undefined, requestId: string): boolean {
    const rate = this.rateFor(tenantId, feature);
    if (rate <= 0) return false;
    if (rate >= 1) return true;
    return unitHash(requestId) < rate;
  }
}

/** A uniform draw in [0, 1) from the id: the first 48 bits of its SHA-256. */
function unitHash(id: string): number {
  return createHash('sha256').update(id).digest().readUIntBE(0, 6) / 2 ** 48;
}
