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
      for (const [topic, all] of [['req', twelve], ['res', six]] as const) {
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
