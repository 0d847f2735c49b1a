import { isTopicName, TOPIC_SPECS } from '@llm/contracts';
import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';
import { assignBandStriped } from './band-striped';

export const BAND_STRIPED_ASSIGNOR = 'band-striped';

const isBanded = (topic: string) => isTopicName(topic) && TOPIC_SPECS[topic].banded;

/** kafkajs partition assigner wrapping assignBandStriped (chosen by the group leader). */
export const BandStripedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: BAND_STRIPED_ASSIGNOR,
  version: 1,
  async assign({ members, topics }) {
    const subscriptions = members.map((m) => ({
      memberId: m.memberId,
      topics: AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.topics ?? [],
    }));
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
    return { name: BAND_STRIPED_ASSIGNOR, metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }) };
  },
});
