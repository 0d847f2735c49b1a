/** The part of a schema validation issue (zod's, or any alike) that is safe to show. */
export interface ValidationIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/**
 * The one formatter of validation messages: `path: message` per issue, `(root)` for the whole value. Never the
 * value itself: it may be a password, an API key or a prompt.
 */
export function issueLines(issues: readonly ValidationIssue[]): string[] {
  return issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
}

/** The issues on one bounded line, for error messages that travel (HTTP bodies, DLQ reasons, logs). */
export function summarizeIssues(issues: readonly ValidationIssue[], limits: { maxIssues?: number; maxChars?: number } = {}): string {
  return issueLines(issues.slice(0, limits.maxIssues ?? 10))
    .join('; ')
    .slice(0, limits.maxChars ?? 1000);
}
