/**
 * A test's script of what each model answers: a line `ECHO@<model>: text` in any message (a system message keeps
 * the user's question clean) makes that model answer `text`, and only that model. Tests of a cascade need the
 * weak and the strong model to answer differently to one request. Returned as the `ECHO:` directive the generator
 * already follows (so a model that ignores directives ignores this one too).
 */
export function scriptedPrompt(messages: ReadonlyArray<{ content?: unknown }>, model: string): string | undefined {
  for (const m of messages) {
    if (typeof m.content !== 'string' || !m.content.includes('ECHO@')) continue;
    for (const line of m.content.split('\n')) {
      const hit = /^ECHO@([^:\s]+):\s*(.*)$/.exec(line.trim());
      if (hit && hit[1] === model) return `ECHO: ${hit[2]}`;
    }
  }
  return undefined;
}
