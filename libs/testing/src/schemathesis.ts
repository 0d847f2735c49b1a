import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SchemathesisRun {
  status: number;
  stdout: string;
  stderr: string;
  /** Cases generated and passed, from schemathesis's summary line (undefined when it printed none). */
  cases?: { generated: number; passed: number };
}

/** The project's Python tools (schemathesis, the OpenAI SDK), installed once and cached: the venv's folder. */
export function pythonToolsVenv(): string {
  return execFileSync('bash', ['infra/scripts/install-pytools.sh'], { encoding: 'utf8', timeout: 600_000 }).trim().split('\n').at(-1)!;
}

/**
 * schemathesis over a running service's OpenAPI document, with the checks every fuzz here asks for (no 5xx, only
 * documented statuses, content types and shapes) and a fixed seed. It runs in a temporary folder: it keeps its
 * state (.schemathesis/) and an optional config (`toml`, e.g. path parameters) in its working directory.
 */
export async function runSchemathesis(options: {
  venv: string;
  schemaUrl: string;
  baseUrl: string;
  authorization: string;
  maxExamples: number;
  toml?: string;
  env: { PATH: string; HOME: string };
}): Promise<SchemathesisRun> {
  const dir = mkdtempSync(join(tmpdir(), 'schemathesis-'));
  const config = options.toml === undefined ? [] : ['--config-file', join(dir, 'schemathesis.toml')];
  if (options.toml !== undefined) writeFileSync(join(dir, 'schemathesis.toml'), options.toml);
  const args = [
    ...config,
    'run',
    options.schemaUrl,
    '--url',
    options.baseUrl,
    '-H',
    `Authorization: ${options.authorization}`,
    '--checks',
    'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance',
    '--max-examples',
    String(options.maxExamples),
    '--seed',
    '1',
    '--no-color',
  ];
  const run = await new Promise<SchemathesisRun>((resolve) =>
    execFile(
      join(options.venv, 'bin/schemathesis'),
      args,
      { env: options.env, cwd: dir, encoding: 'utf8', timeout: 1_200_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    ),
  );
  const m = /(\d+) generated, (\d+) passed/.exec(run.stdout);
  return m ? { ...run, cases: { generated: Number(m[1]), passed: Number(m[2]) } } : run;
}
