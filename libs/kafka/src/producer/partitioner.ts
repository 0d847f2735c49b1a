import { PARTITIONS_PER_BAND, bandOf, type Priority, type TopicSpec } from '@llm/contracts';

/** FNV-1a, 32 bit: stable across processes and languages, which Math.random-free hashing needs. */
export function fnv1a32(value: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Banded topics: the priority picks the band, the tenant picks the partition inside it, so one tenant's flood
 * stays in one partition of its band and cannot starve the band. Other topics: hash of the key.
 */
export function partitionFor(spec: Pick<TopicSpec, 'banded' | 'partitions'>, key: string, priority?: Priority): number {
  if (spec.banded) {
    const band = bandOf(priority ?? 'batch');
    return band * PARTITIONS_PER_BAND + (fnv1a32(key) % PARTITIONS_PER_BAND);
  }
  return fnv1a32(key) % spec.partitions;
}
