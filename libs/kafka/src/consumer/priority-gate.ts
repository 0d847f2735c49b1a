/**
 * Which bands of a banded topic to pause: every band below the highest-priority band that has a backlog.
 * Band 0 is served first; a band is never paused for its own backlog or a lower band's.
 */
export function bandsToPause(backlogByBand: readonly number[]): Set<number> {
  const paused = new Set<number>();
  const firstBusy = backlogByBand.findIndex((n) => n > 0);
  if (firstBusy < 0) return paused;
  for (let b = firstBusy + 1; b < backlogByBand.length; b++) paused.add(b);
  return paused;
}
