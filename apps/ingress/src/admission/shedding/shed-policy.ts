import { bandOf, type Priority } from '@llm/contracts';
import type { BandLag } from '@llm/kafka';

export interface ShedThresholds {
  /** Refuse batch when the whole topic's backlog passes this (0 = never). */
  batch: number;
  /** Refuse realtime-free when the realtime bands' backlog passes this. */
  realtimeFree: number;
  /** Refuse realtime-paid when its own band's backlog passes this. */
  realtimePaid: number;
}

export interface ShedDecision {
  shed: boolean;
  /** The backlog that decided, and the threshold it passed. */
  lag: number;
  threshold: number;
}

/**
 * Whether to refuse a new request of a band. Consumers serve higher bands first, so a request waits behind the
 * backlog of its own band and every band above it: that backlog is what is compared. Thresholds are expected to
 * rise batch < free < paid, so batch is shed first and paid realtime last.
 */
export function shedDecision(lag: BandLag, thresholds: ShedThresholds, priority: Priority): ShedDecision {
  const band = bandOf(priority);
  const ahead = lag.slice(0, band + 1).reduce((a, b) => a + b, 0);
  const threshold = priority === 'batch' ? thresholds.batch : priority === 'realtime-free' ? thresholds.realtimeFree : thresholds.realtimePaid;
  return { shed: threshold > 0 && ahead > threshold, lag: ahead, threshold };
}
