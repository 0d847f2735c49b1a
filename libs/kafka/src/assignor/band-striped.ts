import { PARTITIONS_PER_BAND } from '@llm/contracts';

export interface MemberSubscription {
  memberId: string;
  topics: readonly string[];
}

/** memberId -> topic -> partitions */
export type Assignment = Record<string, Record<string, number[]>>;

/**
 * Band-striped assignment: on banded topics every member gets partitions of every band (as far as there are
 * members for the band's partitions), so no member ends up with only batch work while another holds all the
 * realtime partitions; each member can then serve its own higher bands first. Unbanded topics are spread
 * round-robin. Deterministic: the same members and partitions give the same assignment on every member.
 */
export function assignBandStriped(
  members: readonly MemberSubscription[],
  partitionsByTopic: Readonly<Record<string, readonly number[]>>,
  isBanded: (topic: string) => boolean,
): Assignment {
  const sorted = [...members].sort((a, b) => a.memberId.localeCompare(b.memberId));
  const result: Assignment = Object.fromEntries(sorted.map((m) => [m.memberId, {}]));
  const topics = Object.keys(partitionsByTopic).sort();

  topics.forEach((topic, topicIndex) => {
    const eligible = sorted.filter((m) => m.topics.includes(topic));
    if (eligible.length === 0) return;
    const give = (memberIndex: number, partition: number) => {
      const member = eligible[memberIndex % eligible.length]!;
      (result[member.memberId]![topic] ??= []).push(partition);
    };
    const partitions = [...partitionsByTopic[topic]!].sort((a, b) => a - b);
    if (isBanded(topic)) {
      const bands = new Map<number, number[]>();
      for (const p of partitions) {
        const band = Math.floor(p / PARTITIONS_PER_BAND);
        bands.set(band, [...(bands.get(band) ?? []), p]);
      }
      // Rotating the start per band spreads load when there are more members than partitions in a band.
      for (const [band, inBand] of bands) inBand.forEach((p, i) => give(i + band * PARTITIONS_PER_BAND + topicIndex, p));
    } else {
      partitions.forEach((p, i) => give(i + topicIndex, p));
    }
  });
  return result;
}
