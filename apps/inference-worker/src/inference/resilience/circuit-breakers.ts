import type { RouteTarget } from '@llm/contracts';
import type { MetricsRegistry } from '@llm/telemetry';
import { BrokenCircuitError, CircuitBreakerPolicy, CircuitState, circuitBreaker, handleWhen, SamplingBreaker } from 'cockatiel';
import type { CallOutcome } from '../calls/provider-call.runner';
import { InferenceError } from '../inference.errors';

export interface BreakerSettings {
  /** Failure ratio above which the breaker opens. */
  threshold: number;
  windowMs: number;
  /** Calls in the window below which it never opens (one failure out of two is no outage). */
  minCalls: number;
  /** Open time before one half-open probe is let through. */
  halfOpenMs: number;
}

/** Thrown inside the breaker so it counts a failed call; the outcome is handed back unchanged. */
class FailedCall {
  constructor(readonly outcome: CallOutcome) {}
}

const STATE_NAMES: Record<CircuitState, 'closed' | 'open' | 'half_open' | 'isolated'> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * One circuit breaker per deployment (cockatiel's SamplingBreaker: failure ratio over a sliding window with a
 * minimum volume). What counts against a deployment is what says it is unwell: 429, 5xx, timeouts, connection
 * errors, broken responses. A request it rejected, our misconfiguration or a caller's cancel does not. Each
 * worker keeps its own breakers: they react to what this worker sees, with no Redis round trip per call.
 */
export class CircuitBreakers {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();
  /** Deployments with a half-open probe in flight: everyone else skips them instead of queueing behind it. */
  private readonly probing = new Set<string>();
  private readonly gauge;
  private readonly transitions;

  constructor(
    private readonly settings: BreakerSettings,
    metrics?: MetricsRegistry,
  ) {
    this.gauge = metrics?.gauge('inference_circuit_state', 'Circuit breaker state per deployment: 0 closed, 1 open, 2 half-open, 3 isolated', ['deployment']);
    this.transitions = metrics?.counter('inference_circuit_transitions_total', 'Circuit breaker state changes per deployment', ['deployment', 'state']);
  }

  state(target: RouteTarget): 'closed' | 'open' | 'half_open' | 'isolated' {
    return STATE_NAMES[this.breaker(target).state];
  }

  /**
   * Runs the call through the deployment's breaker. An open breaker (or one whose half-open probe is out)
   * answers at once with CIRCUIT_OPEN and no call is made.
   */
  async run(target: RouteTarget, call: () => Promise<CallOutcome>): Promise<CallOutcome> {
    const name = deploymentName(target);
    const breaker = this.breaker(target);
    if (breaker.state === CircuitState.HalfOpen && this.probing.has(name)) return circuitOpen(target);
    // Whoever finds the breaker open (or half-open with no probe out) may be the probe; only that call clears
    // the mark, or callers would queue inside cockatiel behind a probe that may hang until its timeout.
    const probe = breaker.state !== CircuitState.Closed && !this.probing.has(name);
    if (probe) this.probing.add(name);
    try {
      return await breaker.execute(async () => {
        const outcome = await call();
        if (!outcome.ok && countsAgainst(outcome)) throw new FailedCall(outcome);
        return outcome;
      });
    } catch (err) {
      if (err instanceof FailedCall) return err.outcome;
      if (err instanceof BrokenCircuitError) return circuitOpen(target);
      throw err;
    } finally {
      if (probe) this.probing.delete(name);
    }
  }

  private breaker(target: RouteTarget): CircuitBreakerPolicy {
    const name = deploymentName(target);
    let breaker = this.breakers.get(name);
    if (breaker) return breaker;
    const { threshold, windowMs, minCalls, halfOpenMs } = this.settings;
    breaker = circuitBreaker(
      handleWhen((err) => err instanceof FailedCall),
      { halfOpenAfter: halfOpenMs, breaker: new SamplingBreaker({ threshold, duration: windowMs, minimumRps: minCalls / (windowMs / 1000) }) },
    );
    breaker.onStateChange((state) => {
      this.gauge?.set({ deployment: name }, state);
      this.transitions?.inc({ deployment: name, state: STATE_NAMES[state] });
    });
    this.gauge?.set({ deployment: name }, CircuitState.Closed);
    this.breakers.set(name, breaker);
    return breaker;
  }
}

export function deploymentName(target: Pick<RouteTarget, 'provider' | 'deployment'>): string {
  return `${target.provider}/${target.deployment}`;
}

function countsAgainst(outcome: Extract<CallOutcome, { ok: false }>): boolean {
  if (outcome.cancelled) return false;
  switch (outcome.error.code) {
    case 'PROVIDER_RATE_LIMITED':
    case 'PROVIDER_UNAVAILABLE':
    case 'PROVIDER_TIMEOUT':
    case 'PROVIDER_INVALID_RESPONSE':
      return true;
    default:
      return false;
  }
}

function circuitOpen(target: RouteTarget): CallOutcome {
  return {
    ok: false,
    error: new InferenceError('CIRCUIT_OPEN', `${deploymentName(target)} is failing; its circuit breaker is open`, true),
    deltas: 0,
    cancelled: false,
    notCalled: true,
  };
}
