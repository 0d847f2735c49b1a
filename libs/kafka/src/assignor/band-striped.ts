import { PARTITIONS_PER_BAND } from '@llm/contracts';

export interface MemberSubscription {
  memberId: string;
  topics: readonly string[];
  /** What the member owned before this rebalance (from its metadata userData); kept where balance allows. */
  previous?: Readonly<Record<string, readonly number[]>>;
}

/** memberId -> topic -> partitions */
export type Assignment = Record<string, Record<string, number[]>>;

/**
 * Sticky band-striped assignment. On banded topics each band's partitions are shared out separately, so every
 * member gets partitions of every band (as far as there are partitions for every member) and can serve its own
 * higher bands first; unbanded topics are one group. Within a group each member gets floor(k/n) or ceil(k/n)
 * partitions and keeps the ones it owned before, so a scale step moves only what balance requires: an
 * in-flight LLM call is re-run only if its partition had to move. Deterministic for the same input.
 */
export function assignBandStriped(
  members: readonly MemberSubscription[],
  partitionsByTopic: Readonly<Record<string, readonly number[]>>,
  isBanded: (topic: string) => boolean,
): Assignment {
  const sorted = [...members].sort((a, b) => a.memberId.localeCompare(b.memberId));
  const result: Assignment = Object.fromEntries(sorted.map((m) => [m.memberId, {}]));

  for (const topic of Object.keys(partitionsByTopic).sort()) {
    const eligible = sorted.filter((m) => m.topics.includes(topic));
    if (eligible.length === 0) continue;
    const partitions = [...partitionsByTopic[topic]!].sort((a, b) => a - b);
    const groups = new Map<number, number[]>();
    for (const p of partitions) {
      const group = isBanded(topic) ? Math.floor(p / PARTITIONS_PER_BAND) : 0;
      groups.set(group, [...(groups.get(group) ?? []), p]);
    }
    const totals = new Map(eligible.map((m) => [m.memberId, 0]));
    for (const group of [...groups.keys()].sort((a, b) => a - b)) {
      const owners = assignGroup(topic, groups.get(group)!, eligible, totals);
      for (const [memberId, owned] of owners) {
        if (owned.length === 0) continue;
        (result[memberId]![topic] ??= []).push(...owned);
        totals.set(memberId, totals.get(memberId)! + owned.length);
      }
    }
    for (const byTopic of Object.values(result)) byTopic[topic]?.sort((a, b) => a - b);
  }
  return result;
}

/** Shares one group of partitions out: quotas first (the least loaded members, then previous owners, get the extras), then stickiness. */
function assignGroup(topic: string, partitions: readonly number[], members: readonly MemberSubscription[], totals: ReadonlyMap<string, number>): Map<string, number[]> {
  const inGroup = new Set(partitions);
  const claimed = new Set<number>();
  const previous = new Map<string, number[]>();
  for (const m of members) {
    // A partition claimed by two members (a stale view) stays with the first in id order.
    const mine = (m.previous?.[topic] ?? []).filter((p) => inGroup.has(p) && !claimed.has(p));
    mine.forEach((p) => claimed.add(p));
    previous.set(m.memberId, mine);
  }
  const base = Math.floor(partitions.length / members.length);
  let extra = partitions.length % members.length;
  const byClaim = [...members].sort(
    (a, b) => totals.get(a.memberId)! - totals.get(b.memberId)! || previous.get(b.memberId)!.length - previous.get(a.memberId)!.length || a.memberId.localeCompare(b.memberId),
  );
  const quota = new Map<string, number>();
  for (const m of byClaim) quota.set(m.memberId, base + (extra-- > 0 ? 1 : 0));

  const owners = new Map<string, number[]>(members.map((m) => [m.memberId, []]));
  const taken = new Set<number>();
  for (const m of members) {
    const keep = previous
      .get(m.memberId)!
      .sort((a, b) => a - b)
      .slice(0, quota.get(m.memberId));
    keep.forEach((p) => taken.add(p));
    owners.get(m.memberId)!.push(...keep);
  }
  const free = partitions.filter((p) => !taken.has(p));
  for (const m of byClaim) {
    while (owners.get(m.memberId)!.length < quota.get(m.memberId)! && free.length > 0) owners.get(m.memberId)!.push(free.shift()!);
  }
  return owners;
}
