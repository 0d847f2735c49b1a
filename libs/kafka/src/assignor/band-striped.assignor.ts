import { isTopicName, TOPIC_SPECS } from '@llm/contracts';
import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';
import { assignBandStriped } from './band-striped';

export const BAND_STRIPED_ASSIGNOR = 'band-striped';

/** Physical topic -> partitions this member owns now; sent as userData so the leader can keep it in place. */
export type OwnedPartitions = () => Readonly<Record<string, readonly number[]>>;

/**
 * kafkajs partition assigner wrapping assignBandStriped (run by the group leader). Each member puts what it
 * owns into its join metadata, which is what makes the assignment sticky across leaders and restarts of
 * the leader. `topicPrefix` is stripped to decide which physical topics are banded.
 */
export function bandStripedAssigner(owned: OwnedPartitions = () => ({}), topicPrefix = ''): PartitionAssigner {
  const isBanded = (topic: string) => {
    const logical = topic.startsWith(topicPrefix) ? topic.slice(topicPrefix.length) : topic;
    return isTopicName(logical) && TOPIC_SPECS[logical].banded;
  };
  return ({ cluster }) => ({
    name: BAND_STRIPED_ASSIGNOR,
    version: 1,
    async assign({ members, topics }) {
      const subscriptions = members.map((m) => {
        const metadata = AssignerProtocol.MemberMetadata.decode(m.memberMetadata);
        return { memberId: m.memberId, topics: metadata?.topics ?? [], previous: decodeOwned(metadata?.userData) };
      });
      const partitionsByTopic: Record<string, number[]> = {};
      for (const topic of topics) {
        partitionsByTopic[topic] = cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId);
      }
      const assignment = assignBandStriped(subscriptions, partitionsByTopic, isBanded);
      return Object.entries(assignment).map(([memberId, byTopic]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: byTopic, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      const userData = Buffer.from(JSON.stringify(owned()));
      return { name: BAND_STRIPED_ASSIGNOR, metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData }) };
    },
  });
}

/** The non-sticky default for callers that keep no ownership (tools, tests). */
function decodeOwned(userData: Buffer | undefined): Record<string, number[]> {
  if (!userData || userData.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(userData.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return {};
    const out: Record<string, number[]> = {};
    for (const [topic, partitions] of Object.entries(parsed)) {
      if (Array.isArray(partitions)) out[topic] = partitions.filter((p): p is number => Number.isInteger(p));
    }
    return out;
  } catch {
    // Metadata from a member of another version: treat it as owning nothing rather than failing the group.
    return {};
  }
}
