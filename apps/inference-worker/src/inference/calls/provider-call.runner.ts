import { chatCompletion, type ChatCompletion, type ChatRequestBody, type Priority, type RouteTarget, type Usage } from '@llm/contracts';
import { countPromptTokens, countTokens, DEFAULT_TOKEN_ENCODING, type TokenEncoding } from '@llm/tokens';
import { InferenceError } from '../inference.errors';
import type { OpenAiCompatibleAdapter } from '../providers/openai-compatible.adapter';
import { classifyProviderError } from '../providers/provider-error.classifier';
import { chatCompletionChunk } from '../providers/provider-response.schema';
import { CallGuard, limitsOf, type StopReason } from './call-guard';
import { generatedText, StreamAssembler } from './stream-assembler';

/** Tokens one call consumed, as the provider reported them or, without a report, counted locally. */
export interface ConsumedTokens {
  tokensIn: number;
  cachedIn: number;
  tokensOut: number;
  estimated: boolean;
}

export type CallOutcome =
  | { ok: true; completion: ChatCompletion; tokens: ConsumedTokens; deltas: number }
  /** tokens: what the provider bills for the failed call; undefined when it bills nothing. */
  | { ok: false; error: InferenceError; tokens?: ConsumedTokens; deltas: number; cancelled: boolean; notCalled?: boolean };

export interface CallSpec {
  target: RouteTarget;
  body: ChatRequestBody;
  stream: boolean;
  /** `<tenant>/<request_id>/<call_id>`, sent to the provider. */
  callId: string;
  onDelta: (content: string, index: number) => Promise<void>;
  /** Aborted when the call must stop for the caller's sake (cancelled, or the request lease was lost). */
  stop: AbortSignal;
  /** The request's priority, passed to hosts that schedule by it. */
  priority?: Priority;
}

export interface CallRunnerSettings {
  firstTokenMs: number;
  idleMs: number;
  /** Tokenizer per catalog model id, for calls the provider reported no usage for. */
  encodings: ReadonlyMap<string, TokenEncoding>;
}

/** Raised by the request's own stream sink (Redis): not the provider's fault, so it is rethrown as is. */
class SinkFailure {
  constructor(readonly cause: unknown) {}
}

/**
 * Runs one provider call within its limits and tells what it cost. A stream is charged once its headers
 * arrived (the provider processed the prompt), for what it sent; a non-streamed call only when its answer
 * arrived. Responses that do not fit the contract are never charged. A stop signal (the caller cancelled) ends it at once.
 */
export class ProviderCallRunner {
  constructor(
    private readonly adapter: OpenAiCompatibleAdapter,
    private readonly settings: CallRunnerSettings,
  ) {}

  async run(spec: CallSpec): Promise<CallOutcome> {
    const limits = limitsOf(spec.target, { firstTokenMs: this.settings.firstTokenMs, idleMs: this.settings.idleMs });
    const guard = new CallGuard(limits);
    const cancel = () => guard.cancel();
    if (spec.stop.aborted) cancel();
    else spec.stop.addEventListener('abort', cancel, { once: true });
    const transport = { signal: guard.signal, callId: spec.callId, timeoutMs: limits.totalMs, priority: spec.priority };
    const assembler = new StreamAssembler();
    let started = false;
    let deltas = 0;
    try {
      if (!spec.stream) {
        const raw = await this.adapter.complete(spec.target, spec.body, transport);
        if (guard.stopped) throw stopError(guard.stopped, spec.target);
        const completion = chatCompletion.parse(raw);
        const tokens = this.tokensOf(spec, completion.usage, messageText(completion));
        return { ok: true, completion: { ...completion, model: spec.target.model, usage: usageOf(tokens) }, tokens, deltas };
      }
      const chunks = await this.adapter.stream(spec.target, spec.body, transport);
      started = true;
      for await (const raw of chunks) {
        guard.progress();
        const content = assembler.add(chatCompletionChunk.parse(raw));
        if (content) {
          await spec.onDelta(content, deltas).catch((err: unknown) => Promise.reject(new SinkFailure(err)));
          deltas++;
        }
      }
      // The SDK ends the iteration quietly when its signal aborts: our own stop must not look like an answer.
      if (guard.stopped) throw stopError(guard.stopped, spec.target);
      if (!assembler.complete) throw new InferenceError('PROVIDER_UNAVAILABLE', `${spec.target.provider}/${spec.target.deployment} ended the stream without finish_reason`, true);
      const tokens = this.tokensOf(spec, assembler.usage, assembler.generatedText());
      return { ok: true, completion: assembler.completion(spec.target.model, usageOf(tokens)), tokens, deltas };
    } catch (err) {
      if (err instanceof SinkFailure) throw err.cause;
      const error = guard.stopped ? stopError(guard.stopped, spec.target) : classifyProviderError(err, spec.target);
      const charged = started && error.code !== 'PROVIDER_INVALID_RESPONSE';
      return {
        ok: false,
        error,
        ...(charged ? { tokens: this.tokensOf(spec, assembler.usage, assembler.generatedText()) } : {}),
        deltas,
        cancelled: guard.stopped?.kind === 'cancelled',
      };
    } finally {
      spec.stop.removeEventListener('abort', cancel);
      guard.dispose();
    }
  }

  /** What the provider reported, or, when it reported nothing, the prompt and the answer counted here. */
  private tokensOf(spec: CallSpec, usage: Usage | null | undefined, generated: string): ConsumedTokens {
    return usage ? reported(usage) : this.estimate(spec, generated);
  }

  private estimate(spec: CallSpec, generated: string): ConsumedTokens {
    const encoding = this.settings.encodings.get(spec.target.model) ?? DEFAULT_TOKEN_ENCODING;
    return { tokensIn: countPromptTokens(spec.body.messages, encoding), cachedIn: 0, tokensOut: countTokens(generated, encoding), estimated: true };
  }
}

function reported(usage: Usage): ConsumedTokens {
  return { tokensIn: usage.prompt_tokens, cachedIn: usage.prompt_tokens_details?.cached_tokens ?? 0, tokensOut: usage.completion_tokens, estimated: false };
}

function usageOf(tokens: ConsumedTokens): Usage {
  return {
    prompt_tokens: tokens.tokensIn,
    completion_tokens: tokens.tokensOut,
    total_tokens: tokens.tokensIn + tokens.tokensOut,
    ...(tokens.cachedIn > 0 ? { prompt_tokens_details: { cached_tokens: tokens.cachedIn } } : {}),
  };
}

function messageText(completion: ChatCompletion): string {
  const message = completion.choices[0]?.message;
  return generatedText(
    message?.content,
    message?.refusal,
    (message?.tool_calls ?? []).map((c) => c.function),
  );
}

function stopError(reason: StopReason, target: RouteTarget): InferenceError {
  if (reason.kind === 'cancelled') return new InferenceError('CANCELLED', 'the caller cancelled the request', false);
  return new InferenceError('PROVIDER_TIMEOUT', `${target.provider}/${target.deployment} exceeded its ${reason.limit.replace('_', ' ')} limit of ${reason.ms} ms`, true);
}
