/**
 * Time to first token of an OpenAI-style SSE stream is the arrival of the first chunk whose delta carries
 * content (a role-only first chunk does not count). Pure: fed the text received so far.
 */
export type SseScan = { kind: 'pending' } | { kind: 'content' } | { kind: 'error'; message: string };

export function scanForFirstContent(received: string): SseScan {
  // Only complete lines: a chunk boundary can cut a JSON payload in two.
  const complete = received.slice(0, received.lastIndexOf('\n') + 1);
  for (const raw of complete.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('event:') && line.slice(6).trim() === 'error') return { kind: 'error', message: 'error event' };
    if (!line.startsWith('data:')) continue;
    const data = line.slice(5).trim();
    if (data === '[DONE]' || data === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      continue;
    }
    const chunk = parsed as { error?: unknown; choices?: { delta?: { content?: unknown } }[] };
    if (chunk.error) return { kind: 'error', message: 'error chunk' };
    const content = chunk.choices?.[0]?.delta?.content;
    if (typeof content === 'string' && content.length > 0) return { kind: 'content' };
  }
  return { kind: 'pending' };
}
