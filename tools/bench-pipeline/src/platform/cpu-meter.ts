import { readAllProcStats, treeCpuTicks, treeRssPages, type ProcStat } from './proc-stat';

/** Linux's USER_HZ and page size on every platform the project runs on (x86_64/arm64 defaults). */
const TICKS_PER_S = 100;
const PAGE_BYTES = 4096;

/** A named process tree whose CPU the bench charges per level (a service instance, Kafka, postgres, ...). */
export interface MeteredProcess {
  name: string;
  pid: number;
  /** The process alone, not its descendants (the bench itself: the services are its children). */
  alone?: boolean;
}

export interface CpuSample {
  at: Map<string, { ticks: number; rssPages: number }>;
}

export interface ProcessUsage {
  name: string;
  cpuS: number;
  rssMb: number;
}

export function sampleCpu(processes: readonly MeteredProcess[]): CpuSample {
  const all: Map<number, ProcStat> = readAllProcStats();
  const at = new Map<string, { ticks: number; rssPages: number }>();
  for (const p of processes) {
    const own = all.get(p.pid);
    if (p.alone) at.set(p.name, { ticks: own ? own.utime + own.stime : 0, rssPages: own?.rssPages ?? 0 });
    else at.set(p.name, { ticks: treeCpuTicks(p.pid, all), rssPages: treeRssPages(p.pid, all) });
  }
  return { at };
}

/** CPU seconds each process spent between two samples, and its memory at the second one. */
export function cpuBetween(before: CpuSample, after: CpuSample): ProcessUsage[] {
  const out: ProcessUsage[] = [];
  for (const [name, end] of after.at) {
    const start = before.at.get(name);
    if (!start) continue;
    out.push({ name, cpuS: Math.max(0, end.ticks - start.ticks) / TICKS_PER_S, rssMb: (end.rssPages * PAGE_BYTES) / 1024 / 1024 });
  }
  return out;
}
