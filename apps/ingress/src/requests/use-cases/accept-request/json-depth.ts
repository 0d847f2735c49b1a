/**
 * True when a parsed JSON value nests deeper than `max` arrays/objects. Iterative on purpose: recursive code
 * (canonical JSON, schema validation, serialization) overflows the stack on a hostile body, which would be a
 * 500 instead of the caller's 400.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
    }
  }
  return false;
}
