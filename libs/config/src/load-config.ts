import type { z } from 'zod';
import { issueLines } from './format-issues';

/** Thrown at boot when settings are missing or wrong; lists every bad key at once. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID' as const;
  constructor(readonly issues: readonly string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type EnvSource = Readonly<Record<string, string | undefined>>;

const cache = new Map<z.ZodType, unknown>();

/**
 * Parses the environment once against a schema and caches the typed result. Every other module receives
 * settings as arguments; this is the only place that reads process.env.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: EnvSource = process.env): z.infer<S> {
  if (env === process.env && cache.has(schema)) return cache.get(schema) as z.infer<S>;
  const parsed = parseConfig(schema, env);
  if (env === process.env) cache.set(schema, parsed);
  return parsed;
}

/** Parses without caching: for tests and tools that pass their own env. */
export function parseConfig<S extends z.ZodType>(schema: S, env: EnvSource): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  // Never echo a value back: settings include passwords and API keys (issueLines never does).
  throw new ConfigError(issueLines(result.error.issues));
}

export function clearConfigCache(): void {
  cache.clear();
}

/** A copy of the process environment, for tools that start child processes with it (e2e, scripts). */
export function inheritedEnvironment(): Record<string, string | undefined> {
  return { ...process.env };
}
