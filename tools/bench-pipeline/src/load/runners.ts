import type { Sample, TargetClient } from './target';

export interface RunOutcome {
  samples: Sample[];
  /** From the first scheduled send to the last completion (ms). */
  spanMs: number;
}

/**
 * Open loop: every request leaves at its scheduled offset whether or not earlier ones have answered, and its
 * latency counts from that scheduled time, so queueing anywhere (the generator's pool included) is charged to
 * the system instead of being hidden by a slowed-down generator.
 */
/** `shouldStop` ends the schedule early (the priority scenario runs paid traffic until a flood has drained). */
export async function runOpenLoop(client: TargetClient, schedule: readonly number[], shouldStop: () => boolean = () => false): Promise<RunOutcome> {
  const samples: Sample[] = [];
  const inFlight: Promise<void>[] = [];
  const start = performance.now() + 5;
  let lastEnd = start;
  let i = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now() - start;
      while (i < schedule.length && schedule[i]! <= now) {
        const scheduled = start + schedule[i]!;
        inFlight.push(
          client.send(scheduled).then((s) => {
            samples.push(s);
            lastEnd = Math.max(lastEnd, performance.now());
          }),
        );
        i++;
      }
      if (i >= schedule.length || shouldStop()) resolve();
      else setTimeout(tick, Math.max(0, Math.min(1, schedule[i]! - now)));
    };
    tick();
  });
  await Promise.all(inFlight);
  return { samples, spanMs: lastEnd - start };
}

/** Closed loop: `connections` callers, each sending its next request when the previous one answered. */
export async function runClosedLoop(client: TargetClient, connections: number, durationS: number): Promise<RunOutcome> {
  const samples: Sample[] = [];
  const start = performance.now();
  const end = start + durationS * 1000;
  let lastEnd = start;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const s = await client.send(performance.now());
        samples.push(s);
        lastEnd = Math.max(lastEnd, performance.now());
      }
    }),
  );
  return { samples, spanMs: lastEnd - start };
}
