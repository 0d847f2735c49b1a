import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inheritedEnvironment } from '@llm/config';
import { ROOT } from './service-processes';

const STATE = join(ROOT, '.local/state/e2e');

/** A llama.cpp server this run started, to be stopped by the spec that started it. */
export interface LocalModelServer {
  /** The process, or undefined when a server was already answering (then it is left running). */
  child: ChildProcess | undefined;
  stop(): Promise<void>;
}

/**
 * Makes sure the local model answers at `url` (the port the e2e platform's worker was given): reuses a server
 * that answers /health, else starts infra/scripts/local-model-server.sh there, once, and waits for the model to
 * load. Never installs or builds: a machine where `make install` could not build llama-server fails here with the
 * install script's own explanation, instead of skipping.
 */
export async function ensureLocalModel(url: string, timeoutMs = 120_000): Promise<LocalModelServer> {
  if (await healthy(url)) return { child: undefined, stop: () => Promise.resolve() };
  mkdirSync(STATE, { recursive: true });
  const logFile = join(STATE, 'local-model.log');
  const log = createWriteStream(logFile, { flags: 'w' });
  const child = spawn('bash', [join(ROOT, 'infra/scripts/local-model-server.sh')], {
    cwd: ROOT,
    env: { ...inheritedEnvironment(), LOCAL_LLM_PORT: new URL(url).port },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const server: LocalModelServer = { child, stop: () => stop(child) };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await new Promise((r) => log.end(r));
      throw new Error(`the local model server exited with code ${child.exitCode}:\n${tail(logFile)}`);
    }
    if (await healthy(url)) return server;
    await new Promise((r) => setTimeout(r, 200));
  }
  await server.stop();
  throw new Error(`the local model server did not become healthy at ${url}/health within ${timeoutMs / 1000} s; see ${logFile}`);
}

/** A Prometheus counter of llama-server's /metrics (started with --metrics), e.g. `llamacpp:tokens_predicted_total`. */
export async function serverCounter(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`${name} is not among the local model server's metrics`);
  return Number(line.slice(name.length + 1));
}

async function healthy(url: string): Promise<boolean> {
  try {
    // 503 while the model loads, 200 once it can answer.
    return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function tail(file: string, lines = 20): string {
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
