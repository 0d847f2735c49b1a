import { chatCompletion, type ChatCompletion, type Usage } from '@llm/contracts';
import type { ChatCompletionChunk } from '../providers/provider-response.schema';

type FinishReason = NonNullable<ChatCompletion['choices'][number]['finish_reason']>;
type LogprobEntry = NonNullable<NonNullable<ChatCompletion['choices'][number]['logprobs']>['content']>[number];

interface ToolCallParts {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Rebuilds the answer a stream carried, faithfully: content, refusal, tool calls (their deltas accumulated by
 * index), logprobs and the provider's own finish_reason. A stream that never sent a finish_reason is
 * incomplete: `complete` is false and it must never become a succeeded answer.
 */
export class StreamAssembler {
  private id = '';
  private created = Math.floor(Date.now() / 1000);
  private fingerprint: string | null | undefined;
  private content = '';
  private refusal: string | null = null;
  private readonly toolCalls = new Map<number, ToolCallParts>();
  private logprobs: LogprobEntry[] | null = null;
  private finish: FinishReason | null = null;
  private reported: Usage | undefined;
  private chunks = 0;

  /** Adds a chunk; returns the content it carried (what a streaming caller is sent). */
  add(chunk: ChatCompletionChunk): string {
    this.chunks++;
    this.id ||= chunk.id;
    this.created = chunk.created;
    this.fingerprint = chunk.system_fingerprint ?? this.fingerprint;
    if (chunk.usage) this.reported = chunk.usage;
    let text = '';
    for (const choice of chunk.choices) {
      if (choice.index !== 0) continue; // n is 1 on our requests
      const delta = choice.delta;
      if (delta.content) text += delta.content;
      if (delta.refusal) this.refusal = (this.refusal ?? '') + delta.refusal;
      for (const part of delta.tool_calls ?? []) {
        const call = this.toolCalls.get(part.index) ?? { id: '', name: '', arguments: '' };
        call.id ||= part.id ?? '';
        call.name += part.function?.name ?? '';
        call.arguments += part.function?.arguments ?? '';
        this.toolCalls.set(part.index, call);
      }
      if (choice.logprobs?.content) this.logprobs = [...(this.logprobs ?? []), ...choice.logprobs.content];
      if (choice.finish_reason) this.finish = choice.finish_reason;
    }
    this.content += text;
    return text;
  }

  get received(): number {
    return this.chunks;
  }

  get complete(): boolean {
    return this.finish !== null;
  }

  get usage(): Usage | undefined {
    return this.reported;
  }

  generatedText(): string {
    return generatedText(this.content, this.refusal, [...this.toolCalls.values()]);
  }

  /** The answer as one chat.completion, validated against the result contract. */
  completion(model: string, usage: Usage): ChatCompletion {
    const tools = [...this.toolCalls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, c]) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } }));
    return chatCompletion.parse({
      id: this.id,
      object: 'chat.completion',
      created: this.created,
      model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: this.content.length > 0 || tools.length === 0 ? this.content : null,
            ...(tools.length > 0 ? { tool_calls: tools } : {}),
            refusal: this.refusal,
          },
          finish_reason: this.finish,
          logprobs: this.logprobs ? { content: this.logprobs } : null,
        },
      ],
      usage,
      ...(this.fingerprint !== undefined ? { system_fingerprint: this.fingerprint } : {}),
    });
  }
}

/**
 * Everything a model generated, as a tokenizer should count it when the provider reports no usage: the same
 * rule for a streamed and a whole answer, or the two would be billed differently.
 */
export function generatedText(content: string | null | undefined, refusal: string | null | undefined, toolCalls: ReadonlyArray<{ name: string; arguments: string }>): string {
  return (content ?? '') + (refusal ?? '') + toolCalls.map((c) => c.name + c.arguments).join('');
}
