import { readdirSync, readFileSync } from 'node:fs';

/** What the bench reads of one process from /proc/<pid>/stat (times in clock ticks). */
export interface ProcStat {
  pid: number;
  ppid: number;
  utime: number;
  stime: number;
  /** Time of children that exited and were waited for (postgres backends end up here). */
  cutime: number;
  cstime: number;
  rssPages: number;
}

/**
 * Parses /proc/<pid>/stat. The command name (field 2) is in parentheses and may itself hold spaces and
 * parentheses, so the fields are counted from the LAST closing parenthesis.
 */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error('not a /proc/<pid>/stat line');
  const pid = Number(text.slice(0, open).trim());
  // After ") ": field 3 (state) is index 0, so field n is index n - 3.
  const f = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const field = (n: number) => Number(f[n - 3]);
  return { pid, ppid: field(4), utime: field(14), stime: field(15), cutime: field(16), cstime: field(17), rssPages: field(24) };
}

/** CPU seconds of a process tree: its own time and that of its live descendants, plus its waited-for children. */
export function treeCpuTicks(rootPid: number, all: ReadonlyMap<number, ProcStat>): number {
  const root = all.get(rootPid);
  if (!root) return 0;
  let ticks = root.cutime + root.cstime;
  for (const p of descendants(rootPid, all, true)) ticks += p.utime + p.stime;
  return ticks;
}

/** Resident memory of a process tree in pages. */
export function treeRssPages(rootPid: number, all: ReadonlyMap<number, ProcStat>): number {
  return descendants(rootPid, all, true).reduce((sum, p) => sum + p.rssPages, 0);
}

function descendants(rootPid: number, all: ReadonlyMap<number, ProcStat>, includeRoot: boolean): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const p of all.values()) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: ProcStat[] = [];
  const root = all.get(rootPid);
  if (root && includeRoot) out.push(root);
  const stack = [...(children.get(rootPid) ?? [])];
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p.pid) ?? []));
  }
  return out;
}

/** Every process's stat right now (processes that exit while being read are skipped). */
export function readAllProcStats(): Map<number, ProcStat> {
  const out = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      out.set(Number(name), parseProcStat(readFileSync(`/proc/${name}/stat`, 'utf8')));
    } catch {
      // gone between readdir and read
    }
  }
  return out;
}
