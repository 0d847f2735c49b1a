import { assignBandStriped, type MemberSubscription } from './band-striped';

const twelve = Array.from({ length: 12 }, (_, i) => i);
const six = Array.from({ length: 6 }, (_, i) => i);
const banded = (t: string) => t === 'req';
const band = (p: number) => Math.floor(p / 4);

function members(n: number, topics = ['req', 'res']): MemberSubscription[] {
  return Array.from({ length: n }, (_, i) => ({ memberId: `m-${i}`, topics }));
}

describe('assignBandStriped', () => {
  it.each([1, 2, 3, 4])('with %i members every member owns partitions of every band', (n) => {
    const a = assignBandStriped(members(n), { req: twelve, res: six }, banded);
    for (const m of Object.keys(a)) {
      const bands = new Set((a[m]!.req ?? []).map(band));
      expect([...bands].sort()).toEqual([0, 1, 2]);
    }
  });

  it('assigns every partition exactly once', () => {
    for (const n of [1, 2, 3, 5, 7, 13]) {
      const a = assignBandStriped(members(n), { req: twelve, res: six }, banded);
      for (const [topic, all] of [
        ['req', twelve],
        ['res', six],
      ] as const) {
        const given = Object.values(a).flatMap((t) => t[topic] ?? []);
        expect([...given].sort((x, y) => x - y)).toEqual(all);
      }
    }
  });

  it('balances each band within one partition', () => {
    const a = assignBandStriped(members(3), { req: twelve }, banded);
    for (const b of [0, 1, 2]) {
      const counts = Object.values(a).map((t) => (t.req ?? []).filter((p) => band(p) === b).length);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }
  });

  it('only gives a topic to members subscribed to it', () => {
    const ms: MemberSubscription[] = [
      { memberId: 'a', topics: ['req'] },
      { memberId: 'b', topics: ['res'] },
    ];
    const a = assignBandStriped(ms, { req: twelve, res: six }, banded);
    expect(a.a!.req).toHaveLength(12);
    expect(a.a!.res).toBeUndefined();
    expect(a.b!.res).toHaveLength(6);
  });

  it('is deterministic whatever order members arrive in', () => {
    const ms = members(3);
    const x = assignBandStriped(ms, { req: twelve, res: six }, banded);
    const y = assignBandStriped([...ms].reverse(), { req: twelve, res: six }, banded);
    expect(y).toEqual(x);
  });
});

describe('assignBandStriped stickiness', () => {
  const topics = { req: twelve, res: six };
  type Prev = Record<string, Record<string, number[]>>;
  const withPrevious = (ids: string[], prev: Prev): MemberSubscription[] => ids.map((memberId) => ({ memberId, topics: ['req', 'res'], previous: prev[memberId] }));
  const moved = (before: Prev, after: Prev) => {
    let n = 0;
    for (const [m, byTopic] of Object.entries(after)) {
      for (const [t, ps] of Object.entries(byTopic)) n += ps.filter((p) => !(before[m]?.[t] ?? []).includes(p)).length;
    }
    return n;
  };
  // Ids chosen so that sorting order differs from join order (random member ids decide nothing).
  const step = (ids: string[], prev: Prev) => assignBandStriped(withPrevious(ids, prev), topics, banded);

  it('keeps an unchanged group exactly where it is', () => {
    const first = step(['z', 'a', 'm'], {});
    expect(step(['z', 'a', 'm'], first)).toEqual(first);
  });

  it('scaling 1 -> 3 -> 1 moves only what balance requires and keeps every band on every member', () => {
    const one = step(['z'], {});
    const three = step(['z', 'a', 'm'], one);
    // 18 partitions over 3 members: the first keeps 6, the newcomers take 6 each; nothing else moves.
    expect(moved(one, three)).toBe(12);
    expect(three.z!.req).toHaveLength(4);
    for (const m of ['z', 'a', 'm']) expect(new Set(three[m]!.req!.map(band))).toEqual(new Set([0, 1, 2]));
    for (const b of [0, 1, 2]) {
      const counts = Object.values(three).map((t) => (t.req ?? []).filter((p) => band(p) === b).length);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }
    // Two members leave: the survivor keeps its own and takes theirs.
    const back = step(['a'], three);
    expect(moved(three, back)).toBe(12);
  });

  it('a member leaving moves only its partitions', () => {
    const three = step(['z', 'a', 'm'], {});
    const two = step(['z', 'a'], three);
    const lost = (three.m!.req?.length ?? 0) + (three.m!.res?.length ?? 0);
    expect(moved(three, two)).toBe(lost);
  });

  it('ignores a partition claimed by two members', () => {
    const a = step(['a', 'b'], { a: { req: [0, 1, 2, 3] }, b: { req: [0, 1, 2, 3] } });
    const given = Object.values(a).flatMap((t) => t.req ?? []);
    expect([...given].sort((x, y) => x - y)).toEqual(twelve);
  });
});
