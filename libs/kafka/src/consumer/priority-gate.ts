/**
 * Which bands of one banded topic to pause: every band below the highest-priority band that has work waiting
 * (fetched backlog or slot waiters of this topic), but only while no slot is idle. Pausing exists to keep
 * lower bands from taking slots a higher band needs; while slots sit idle it would only starve them.
 */
export function bandsToPause(backlogByBand: readonly number[], idleSlots = 0): Set<number> {
  const paused = new Set<number>();
  if (idleSlots > 0) return paused;
  const firstBusy = backlogByBand.findIndex((n) => n > 0);
  if (firstBusy < 0) return paused;
  for (let b = firstBusy + 1; b < backlogByBand.length; b++) paused.add(b);
  return paused;
}
