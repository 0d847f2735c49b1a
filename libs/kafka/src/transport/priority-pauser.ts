import { BAND_COUNT, TOPIC_SPECS } from '@llm/contracts';
import type { PartitionState } from '../consumer/partition-state';
import { bandsToPause } from '../consumer/priority-gate';
import type { PrioritySemaphore } from '../consumer/priority-semaphore';
import type { PauseBook } from './pause-book';

/**
 * Pauses the lower bands of each banded topic while a higher band of the same topic has work waiting and
 * no slot is idle. Per topic: a results backlog in the cache service never pauses its user requests.
 */
export function applyPriorityPause(partitions: Iterable<PartitionState>, slots: PrioritySemaphore, book: PauseBook, onPause: (topic: string, n: number) => void): void {
  const byTopic = new Map<string, PartitionState[]>();
  for (const state of partitions) {
    if (!TOPIC_SPECS[state.logical].banded) continue;
    byTopic.set(state.topic, [...(byTopic.get(state.topic) ?? []), state]);
  }
  for (const [topic, states] of byTopic) {
    const backlog = Array.from({ length: BAND_COUNT }, (_, band) => slots.waiting(band, topic));
    for (const s of states) backlog[s.band]! += s.backlog;
    const pause = bandsToPause(backlog, slots.idle);
    let paused = 0;
    for (const s of states) {
      if (pause.has(s.band) && !s.pauseReasons.has('priority')) {
        book.add(s, 'priority');
        paused++;
      } else if (!pause.has(s.band)) {
        book.remove(s, 'priority');
      }
    }
    if (paused > 0) onPause(topic, paused);
  }
}
