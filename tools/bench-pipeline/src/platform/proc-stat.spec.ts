import { parseProcStat, treeCpuTicks, treeRssPages, type ProcStat } from './proc-stat';
import { cpuBetween } from './cpu-meter';

// A real /proc/<pid>/stat line of a Java process, with a command name holding a space and parentheses.
const line =
  '4242 (java (kafka) x) S 1 4242 4242 0 -1 4194560 91234 0 12 0 1500 250 40 7 20 0 57 0 123456 4321000000 98765 18446744073709551615 1 1 0 0 0 0 0 4096 16384 0 0 0 17 1 0 0 0 0 0';

describe('parseProcStat', () => {
  it('reads pid, ppid, user/system time, waited-for children time and RSS', () => {
    expect(parseProcStat(line)).toEqual({ pid: 4242, ppid: 1, utime: 1500, stime: 250, cutime: 40, cstime: 7, rssPages: 98765 });
  });

  it('counts fields from the last parenthesis, so a command name with spaces cannot shift them', () => {
    const plain = parseProcStat(line.replace('(java (kafka) x)', '(java)'));
    expect(plain.utime).toBe(1500);
  });

  it('refuses text that is not a stat line', () => {
    expect(() => parseProcStat('garbage')).toThrow();
  });
});

describe('process trees', () => {
  const p = (pid: number, ppid: number, utime: number, extra: Partial<ProcStat> = {}): ProcStat => ({ pid, ppid, utime, stime: 0, cutime: 0, cstime: 0, rssPages: 10, ...extra });
  // postgres: postmaster 10 with backends 11, 12 (12 has a child 13); 20 is unrelated.
  const all = new Map([p(10, 1, 5, { cutime: 100, cstime: 1 }), p(11, 10, 7), p(12, 10, 3), p(13, 12, 2), p(20, 1, 999)].map((s) => [s.pid, s]));

  it('charges a root with its live descendants and its waited-for children', () => {
    expect(treeCpuTicks(10, all)).toBe(5 + 7 + 3 + 2 + 101);
    expect(treeRssPages(10, all)).toBe(40);
  });

  it('is zero for a process that is gone', () => {
    expect(treeCpuTicks(99, all)).toBe(0);
  });

  it('turns two samples into CPU seconds (100 ticks/s) and memory in MiB per process', () => {
    const before = { at: new Map([['kafka', { ticks: 100, rssPages: 256 }]]) };
    const after = {
      at: new Map([
        ['kafka', { ticks: 350, rssPages: 512 }],
        ['new', { ticks: 5, rssPages: 1 }],
      ]),
    };
    expect(cpuBetween(before, after)).toEqual([{ name: 'kafka', cpuS: 2.5, rssMb: 2 }]);
  });
});
