import { dlqTopic, Headers, TOPIC_SPECS } from '@llm/contracts';
import { errorCodeOf, isRetryable } from '@llm/errors';
import { extractTraceContext, withSpan, type Logger } from '@llm/telemetry';
import type { MessageHandler } from '@nestjs/microservices';
import type { KafkaMessage } from 'kafkajs';
import { lastValueFrom, type Observable } from 'rxjs';
import type { PartitionState } from '../consumer/partition-state';
import type { DeadLetterHandler } from '../kafka.options';
import { summarizeIssues } from '@llm/config';
import type { RawMessage } from '../producer/kafka-event.publisher';
import type { Forwarder } from './forwarder';
import { KafkaBatchContext } from './kafka-batch.context';
import { KafkaMessageContext, type KafkaMessageInfo } from './kafka-message.context';
import { RETRY_SIGNATURE_HEADER, signRetry, type RetryInfo } from './retry-headers';

export type Outcome = 'ok' | 'retried' | 'dlq';

/** A retry or DLQ copy that could not be written: call `send` again later; the offset stays uncommitted until it lands. */
export interface Stuck {
  outcome: 'stuck';
  send: () => Promise<Outcome | undefined>;
}

export interface HandleDeps {
  log: Logger;
  forwarder: Forwarder;
  retrySecret: string;
  maxAttempts: number;
  retryBackoffMs: number;
  onDeadLetter?: DeadLetterHandler;
  handlerFor: (topic: string) => MessageHandler | undefined;
  toObservable: (result: unknown) => Observable<unknown>;
}

/**
 * Validates one message, runs its handler and routes a failure: retryable failures go back onto the same
 * partition with a signed next attempt and delay, the rest (and the last attempt) to `<topic>.dlq`.
 */
export async function handleMessage(deps: HandleDeps, state: PartitionState, message: KafkaMessage, headers: Record<string, string>, retry: RetryInfo): Promise<Outcome | Stuck> {
  const topic = state.logical;
  const { attempt } = retry;
  let raw: unknown;
  try {
    raw = JSON.parse(message.value?.toString('utf8') ?? '');
  } catch {
    return deadLetter(deps, state, message, headers, 'INVALID_JSON', 'message value is not valid JSON');
  }
  const parsed = TOPIC_SPECS[topic].schema.safeParse(raw);
  if (!parsed.success) return deadLetter(deps, state, message, headers, 'SCHEMA_VIOLATION', summarizeIssues(parsed.error.issues));
  const payload: unknown = parsed.data;
  const handler = deps.handlerFor(topic);
  if (!handler) return deadLetter(deps, state, message, headers, 'NO_HANDLER', `no handler for ${topic}`, payload);

  const context = new KafkaMessageContext({
    topic,
    partition: state.partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? null,
    headers,
    attempt,
    timestamp: message.timestamp,
    value: message.value,
  });
  try {
    await withSpan(
      `kafka.consume ${topic}`,
      { 'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.kafka.partition': state.partition, 'llm.attempt': attempt },
      async () => lastValueFrom(deps.toObservable(await handler(parsed.data, context)), { defaultValue: undefined }),
      extractTraceContext(headers),
    );
    return 'ok';
  } catch (err) {
    return routeFailure(deps, state, message, headers, attempt, err, payload);
  }
}

/** One message of a batch, as the transport prepared it (headers decoded, retry headers verified). */
export interface BatchItem {
  message: KafkaMessage;
  headers: Record<string, string>;
  retry: RetryInfo;
}

/**
 * A batch handler's delivery: each message is validated on its own (an invalid one goes to the DLQ, the rest
 * are delivered), the valid ones reach the handler in one call, and each message's outcome is routed on its
 * own: a thrown error fails every delivered message, a per-message error in the resolved array fails that
 * one only. Outcomes are returned in the order of `items`.
 */
export async function handleBatch(deps: HandleDeps, state: PartitionState, items: readonly BatchItem[]): Promise<(Outcome | Stuck)[]> {
  const topic = state.logical;
  const schema = TOPIC_SPECS[topic].schema;
  const outcomes: (Outcome | Stuck | Promise<Outcome | Stuck>)[] = new Array(items.length);
  const delivered: number[] = [];
  const payloads: unknown[] = [];
  const infos: KafkaMessageInfo[] = [];
  items.forEach(({ message, headers, retry }, i) => {
    let raw: unknown;
    try {
      raw = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch {
      outcomes[i] = deadLetter(deps, state, message, headers, 'INVALID_JSON', 'message value is not valid JSON');
      return;
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      outcomes[i] = deadLetter(deps, state, message, headers, 'SCHEMA_VIOLATION', summarizeIssues(parsed.error.issues));
      return;
    }
    delivered.push(i);
    payloads.push(parsed.data);
    infos.push({
      topic,
      partition: state.partition,
      offset: message.offset,
      key: message.key?.toString('utf8') ?? null,
      headers,
      attempt: retry.attempt,
      timestamp: message.timestamp,
      value: message.value,
    });
  });
  if (delivered.length > 0) {
    const handler = deps.handlerFor(topic);
    let thrown: { err: unknown } | undefined;
    let failures: readonly unknown[] | undefined;
    if (!handler) thrown = { err: new NoHandlerError(topic) };
    else {
      try {
        const result = await withSpan(
          `kafka.consume ${topic}`,
          { 'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.kafka.partition': state.partition, 'messaging.batch.message_count': delivered.length },
          async () =>
            lastValueFrom(deps.toObservable(await handler(payloads, new KafkaBatchContext({ topic, partition: state.partition, messages: infos }))), { defaultValue: undefined }),
        );
        if (Array.isArray(result)) {
          if (result.length !== delivered.length) throw new Error(`batch handler of ${topic} returned ${result.length} results for ${delivered.length} messages`);
          failures = result;
        }
      } catch (err) {
        thrown = { err };
      }
    }
    if (thrown) {
      const { err } = thrown;
      // Logged once for the call, not once per message (a batch of thousands would flood the log).
      deps.log.warn(
        { err, topic, partition: state.partition, firstOffset: items[delivered[0]!]!.message.offset, messages: delivered.length, code: errorCodeOf(err) },
        'batch handler failed; routing each message',
      );
    }
    delivered.forEach((i, j) => {
      const err = thrown ? thrown.err : failures?.[j];
      if (err === undefined) {
        outcomes[i] = 'ok';
        return;
      }
      const { message, headers, retry } = items[i]!;
      outcomes[i] =
        err instanceof NoHandlerError
          ? deadLetter(deps, state, message, headers, 'NO_HANDLER', err.message, payloads[j])
          : routeFailure(deps, state, message, headers, retry.attempt, err, payloads[j], thrown === undefined);
    });
  }
  return Promise.all(outcomes);
}

class NoHandlerError extends Error {
  constructor(topic: string) {
    super(`no handler for ${topic}`);
  }
}

/** A failed handler: retryable failures go back onto the partition as the next attempt, the rest to the DLQ. */
function routeFailure(
  deps: HandleDeps,
  state: PartitionState,
  message: KafkaMessage,
  headers: Record<string, string>,
  attempt: number,
  err: unknown,
  payload: unknown,
  /** false: the caller logged the failure once for a whole batch. */
  logError = true,
): Promise<Outcome | Stuck> {
  const topic = state.logical;
  const code = errorCodeOf(err);
  if (isRetryable(err) && attempt < deps.maxAttempts) {
    if (logError) deps.log.warn({ err, topic, partition: state.partition, offset: message.offset, attempt, code }, 'handler failed; retrying');
    return republish(deps, state, message, headers, attempt + 1);
  }
  if (logError) deps.log.error({ err, topic, partition: state.partition, offset: message.offset, attempt, code }, 'handler failed; dead-lettering');
  const reason = isRetryable(err) ? `gave up after ${attempt} attempts: ${messageOf(err)}` : messageOf(err);
  return deadLetter(deps, state, message, headers, code, reason, payload, attempt);
}

/** Back onto the same partition with the next attempt number and a jittered exponential delay, both signed. */
async function republish(deps: HandleDeps, state: PartitionState, message: KafkaMessage, headers: Record<string, string>, attempt: number): Promise<Outcome | Stuck> {
  const base = deps.retryBackoffMs * 2 ** (attempt - 2);
  const retryAt = Date.now() + Math.round(base / 2 + Math.random() * base);
  const { [RETRY_SIGNATURE_HEADER]: _old, ...rest } = headers;
  const copy: RawMessage = {
    topic: state.topic,
    partition: state.partition,
    key: message.key?.toString('utf8') ?? null,
    value: message.value,
    headers: { ...rest, ...signRetry(deps.retrySecret, state.logical, message.value, { attempt, retryAt }) },
  };
  const send = async (): Promise<Outcome | undefined> => ((await deps.forwarder.forward(copy)) ? 'retried' : undefined);
  return (await send()) ?? { outcome: 'stuck', send };
}

async function deadLetter(
  deps: HandleDeps,
  state: PartitionState,
  message: KafkaMessage,
  headers: Record<string, string>,
  code: string,
  reason: string,
  payload?: unknown,
  attempt = 1,
): Promise<Outcome | Stuck> {
  deps.log.warn({ topic: state.topic, partition: state.partition, offset: message.offset, code }, 'message sent to DLQ');
  const copy: RawMessage = {
    topic: dlqTopic(state.topic),
    partition: 0,
    key: message.key?.toString('utf8') ?? null,
    value: message.value,
    headers: {
      ...headers,
      [Headers.dlqErrorCode]: code,
      [Headers.dlqReason]: reason.slice(0, 1000),
      [Headers.dlqOriginalTopic]: state.topic,
      [Headers.dlqOriginalPartition]: String(state.partition),
      [Headers.dlqOriginalOffset]: message.offset,
      [Headers.dlqFailedAt]: new Date().toISOString(),
    },
  };
  const send = async (): Promise<Outcome | undefined> => {
    if (!(await deps.forwarder.forward(copy))) return undefined;
    if (deps.onDeadLetter) {
      // Best effort: the DLQ copy is the durable record; this only spares a waiting caller its timeout.
      await deps.onDeadLetter({ topic: state.logical, payload, code, reason, attempt }).catch((err: unknown) => deps.log.warn({ err, code }, 'dead-letter hook failed'));
    }
    return 'dlq';
  };
  return (await send()) ?? { outcome: 'stuck', send };
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 500);
}
