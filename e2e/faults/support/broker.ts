import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inheritedEnvironment, loadConfig } from '@llm/config';
import { waitFor } from '@llm/testing';
import { z } from 'zod';
import { alive, ROOT } from '../../support/service-processes';

/** The folder of the infrastructure profile the tests run against (infra/scripts/env.sh exports it). */
function stateDir(): string {
  return loadConfig(z.object({ INFRA_STATE_DIR: z.string().min(1) })).INFRA_STATE_DIR;
}

/** Stops the profile's Kafka broker the way an operator does (SIGTERM, controlled shutdown) and waits for it. */
export async function stopBroker(): Promise<void> {
  const pid = Number(readFileSync(join(stateDir(), 'kafka/kafka.pid'), 'utf8').trim());
  process.kill(pid, 'SIGTERM');
  await waitFor(() => (alive(pid) ? undefined : true), { what: 'the Kafka broker to stop', timeoutMs: 60_000, intervalMs: 200 });
}

/** Starts it again with the same data (infra-up starts only what is down) and waits until it answers. */
export async function startBroker(): Promise<void> {
  const child = spawn('bash', [join(ROOT, 'infra/scripts/infra-up.sh')], { cwd: ROOT, env: inheritedEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`infra-up.sh exited with ${code}:\n${output}`);
}
