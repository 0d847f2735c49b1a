import type { IHeaders, TopicMessages } from 'kafkajs';
import type { RawMessage } from './kafka-event.publisher';

/** Groups messages by topic, in order, as one kafkajs sendBatch wants them: one produce request per broker. */
export function toTopicMessages(messages: readonly RawMessage[]): TopicMessages[] {
  const byTopic = new Map<string, TopicMessages>();
  for (const m of messages) {
    let group = byTopic.get(m.topic);
    if (!group) byTopic.set(m.topic, (group = { topic: m.topic, messages: [] }));
    group.messages.push({ key: m.key, value: m.value, partition: m.partition, headers: m.headers as IHeaders });
  }
  return [...byTopic.values()];
}
