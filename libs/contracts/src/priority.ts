import { z } from 'zod';

/**
 * Priority bands of the request-path topics (DESIGN.md, Topics and priority partitions): 12 partitions,
 * 0-3 realtime-paid, 4-7 realtime-free, 8-11 batch. Lower band index = served first.
 */
export const PRIORITIES = ['realtime-paid', 'realtime-free', 'batch'] as const;
export const priority = z.enum(PRIORITIES);
export type Priority = z.infer<typeof priority>;

export const PARTITIONS_PER_BAND = 4;
export const BAND_COUNT = PRIORITIES.length;

export function bandOf(p: Priority): number {
  return PRIORITIES.indexOf(p);
}

export function priorityOfBand(band: number): Priority {
  const p = PRIORITIES[band];
  if (p === undefined) throw new RangeError(`no priority band ${band}`);
  return p;
}

/** Band of a partition of a banded topic. */
export function bandOfPartition(partition: number): number {
  return Math.floor(partition / PARTITIONS_PER_BAND);
}
