import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@llm/config';
import { z } from 'zod';

/** Where infra/scripts/install-qdrant.sh unpacks the development server. */
const DEFAULT_QDRANT_BIN = join(homedir(), '.cache', 'llm-platform', 'qdrant-1.18.3', 'qdrant');

const qdrantTestSchema = z.object({ QDRANT_URL: z.url().optional(), QDRANT_BIN: z.string().default(DEFAULT_QDRANT_BIN) });

export interface QdrantForTests {
  url: string;
  stop(): Promise<void>;
}

/**
 * How tests reach a real Qdrant: QDRANT_URL when set, else the installed server binary started on free ports
 * with its own data folder. `undefined` with the reason when neither exists (the caller skips, saying so).
 */
export function qdrantAvailability(): { available: true; describe: string } | { available: false; reason: string } {
  const cfg = loadConfig(qdrantTestSchema);
  if (cfg.QDRANT_URL) return { available: true, describe: `Qdrant at ${cfg.QDRANT_URL}` };
  if (existsSync(cfg.QDRANT_BIN)) return { available: true, describe: `Qdrant server ${cfg.QDRANT_BIN}` };
  return { available: false, reason: `no QDRANT_URL and no Qdrant server at ${cfg.QDRANT_BIN} (infra/scripts/install-qdrant.sh installs it from ../shared/bin)` };
}

export async function startQdrantForTests(): Promise<QdrantForTests> {
  const cfg = loadConfig(qdrantTestSchema);
  if (cfg.QDRANT_URL) return { url: cfg.QDRANT_URL, stop: async () => undefined };
  const [http, grpc] = [await freePort(), await freePort()];
  const storage = mkdtempSync(join(tmpdir(), 'qdrant-test-'));
  const child: ChildProcess = spawn(cfg.QDRANT_BIN, [], {
    cwd: storage,
    stdio: 'ignore',
    env: {
      PATH: '/usr/bin:/bin',
      QDRANT__SERVICE__HOST: '127.0.0.1',
      QDRANT__SERVICE__HTTP_PORT: String(http),
      QDRANT__SERVICE__GRPC_PORT: String(grpc),
      QDRANT__STORAGE__STORAGE_PATH: join(storage, 'storage'),
      QDRANT__STORAGE__SNAPSHOTS_PATH: join(storage, 'snapshots'),
      QDRANT__TELEMETRY_DISABLED: 'true',
      QDRANT__LOG_LEVEL: 'WARN',
    },
  });
  const url = `http://127.0.0.1:${http}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Qdrant exited with ${child.exitCode}`);
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error('Qdrant did not become ready within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(storage, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
