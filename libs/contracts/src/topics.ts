import { z } from 'zod';
import { alertV1 } from './events/alert.v1';
import { cachePurgeV1 } from './events/cache-purge.v1';
import { evaluationV1 } from './events/evaluation.v1';
import { inboundRequestV1 } from './events/inbound.v1';
import { inferenceRequestV1, llmRequestV1, retrieveRequestV1, routeRequestV1 } from './events/request.v1';
import { ragIngestV1 } from './events/rag-ingest.v1';
import { llmResultV1 } from './events/result.v1';
import { usageV1 } from './events/usage.v1';
import { BAND_COUNT, PARTITIONS_PER_BAND } from './priority';

/** Versioned topic names (DESIGN.md). A new version of an event is a new topic. */
export const Topics = {
  inbound: 'llm.inbound.v1',
  requests: 'llm.requests.v1',
  retrieve: 'llm.retrieve.v1',
  route: 'llm.route.v1',
  inference: 'llm.inference.v1',
  results: 'llm.results.v1',
  usage: 'llm.usage.v1',
  evaluations: 'llm.evaluations.v1',
  alerts: 'llm.alerts.v1',
  cachePurge: 'llm.cache-purge.v1',
  ragIngest: 'llm.rag-ingest.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

/** What the message key is derived from: it decides partitioning for unbanded topics and compaction. */
export type KeyBy = 'tenant' | 'request';

export interface TopicSpec<S extends z.ZodType = z.ZodType> {
  readonly name: TopicName;
  readonly schema: S;
  readonly partitions: number;
  /** Banded topics map priority to a band of partitions, then the tenant to a partition within the band. */
  readonly banded: boolean;
  readonly keyBy: KeyBy;
}

const spec = <S extends z.ZodType>(name: TopicName, schema: S, partitions: number, banded: boolean, keyBy: KeyBy): TopicSpec<S> => ({
  name,
  schema,
  partitions,
  banded,
  keyBy,
});

const BANDED_PARTITIONS = BAND_COUNT * PARTITIONS_PER_BAND;

/** The one topic -> schema table. Producer and consumer both validate against it. */
export const TOPIC_SPECS = {
  [Topics.inbound]: spec(Topics.inbound, inboundRequestV1, 6, false, 'tenant'),
  [Topics.requests]: spec(Topics.requests, llmRequestV1, BANDED_PARTITIONS, true, 'tenant'),
  [Topics.retrieve]: spec(Topics.retrieve, retrieveRequestV1, BANDED_PARTITIONS, true, 'tenant'),
  [Topics.route]: spec(Topics.route, routeRequestV1, BANDED_PARTITIONS, true, 'tenant'),
  [Topics.inference]: spec(Topics.inference, inferenceRequestV1, BANDED_PARTITIONS, true, 'tenant'),
  [Topics.results]: spec(Topics.results, llmResultV1, 6, false, 'request'),
  [Topics.usage]: spec(Topics.usage, usageV1, 6, false, 'tenant'),
  [Topics.evaluations]: spec(Topics.evaluations, evaluationV1, 6, false, 'request'),
  [Topics.alerts]: spec(Topics.alerts, alertV1, 6, false, 'tenant'),
  [Topics.cachePurge]: spec(Topics.cachePurge, cachePurgeV1, 3, false, 'tenant'),
  [Topics.ragIngest]: spec(Topics.ragIngest, ragIngestV1, 3, false, 'tenant'),
} as const satisfies Record<TopicName, TopicSpec>;

/** Topic -> payload type, so publish() and handlers reject a mismatched payload at compile time. */
export type TopicMap = { [T in TopicName]: z.infer<(typeof TOPIC_SPECS)[T]['schema']> };
export type TopicPayload<T extends TopicName> = TopicMap[T];
/** What a producer passes: the schema's input (fields with defaults may be omitted). */
export type TopicInput<T extends TopicName> = z.input<(typeof TOPIC_SPECS)[T]['schema']>;

export const ALL_TOPICS: readonly TopicName[] = Object.values(Topics);

export const DLQ_SUFFIX = '.dlq';
export const DLQ_PARTITIONS = 1;

export function dlqTopic(topic: string): string {
  return `${topic}${DLQ_SUFFIX}`;
}

export function isTopicName(value: string): value is TopicName {
  return Object.prototype.hasOwnProperty.call(TOPIC_SPECS, value);
}

export function topicSpec<T extends TopicName>(topic: T): (typeof TOPIC_SPECS)[T] {
  return TOPIC_SPECS[topic];
}

/** Every payload carries a tenant; most carry a request id. Used for keys, headers and logs. */
export function envelopeOf(payload: unknown): { tenantId?: string; requestId?: string; priority?: string } {
  if (typeof payload !== 'object' || payload === null) return {};
  const p = payload as Record<string, unknown>;
  return {
    tenantId: typeof p.tenant_id === 'string' ? p.tenant_id : undefined,
    requestId: typeof p.request_id === 'string' ? p.request_id : undefined,
    priority: typeof p.priority === 'string' ? p.priority : undefined,
  };
}
