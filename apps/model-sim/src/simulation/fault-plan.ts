export type Fault = 'none' | '429' | '500' | 'timeout' | 'stall';

const FAULTS: readonly Fault[] = ['none', '429', '500', 'timeout', 'stall'];

export interface FaultRates {
  rate429: number;
  rate500: number;
  rateTimeout: number;
  rateStall: number;
}

/** A forced fault (x-sim-fault header) wins; otherwise one draw against the configured rates. */
export function chooseFault(forced: string | undefined, rates: FaultRates, draw: number): Fault {
  if (forced !== undefined && (FAULTS as readonly string[]).includes(forced)) return forced as Fault;
  let edge = rates.rate429;
  if (draw < edge) return '429';
  edge += rates.rate500;
  if (draw < edge) return '500';
  edge += rates.rateTimeout;
  if (draw < edge) return 'timeout';
  edge += rates.rateStall;
  if (draw < edge) return 'stall';
  return 'none';
}
