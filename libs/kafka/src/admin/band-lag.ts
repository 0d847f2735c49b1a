import { bandOfPartition, BAND_COUNT, type TopicName } from '@llm/contracts';
import type { Admin } from 'kafkajs';
import { createKafkaClient } from '../client';
import type { KafkaConnectionOptions } from '../kafka.options';

/** Messages a consumer group has not committed yet on a banded topic, per priority band (index = band). */
export type BandLag = number[];

/** A banded topic and the consumer group whose backlog on it counts. */
export interface LagStage {
  topic: TopicName;
  groupId: string;
}

/**
 * Reads consumer-group lag per band from the broker (end offsets minus committed offsets), summed over the given
 * stages (a request may wait in any of them). A partition the group never committed counts from its earliest
 * retained offset: everything there is still waiting.
 */
export class BandLagReader {
  private admin?: Admin;
  private connecting?: Promise<Admin>;
  private readonly stages: readonly LagStage[];

  constructor(
    private readonly options: KafkaConnectionOptions,
    stages: LagStage | readonly LagStage[],
  ) {
    this.stages = Array.isArray(stages) ? stages : [stages as LagStage];
  }

  async read(): Promise<BandLag> {
    const admin = await this.connected();
    const lag: BandLag = new Array<number>(BAND_COUNT).fill(0);
    const perStage = await Promise.all(this.stages.map((stage) => this.readStage(admin, stage)));
    for (const stageLag of perStage) stageLag.forEach((n, band) => (lag[band]! += n));
    return lag;
  }

  private async readStage(admin: Admin, stage: LagStage): Promise<BandLag> {
    const topic = `${this.options.topicPrefix ?? ''}${stage.topic}`;
    const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId: stage.groupId, topics: [topic] })]);
    const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    const lag: BandLag = new Array<number>(BAND_COUNT).fill(0);
    for (const p of ends) {
      const band = bandOfPartition(p.partition);
      if (band >= BAND_COUNT) continue;
      const at = done.get(p.partition);
      const from = at !== undefined && at >= 0 ? at : Number(p.low);
      lag[band]! += Math.max(0, Number(p.high) - from);
    }
    return lag;
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    this.connecting = undefined;
    await admin?.disconnect();
  }

  private async connected(): Promise<Admin> {
    if (this.admin) return this.admin;
    this.connecting ??= (async () => {
      const admin = createKafkaClient(this.options).admin();
      await admin.connect();
      this.admin = admin;
      return admin;
    })().catch((err: unknown) => {
      this.connecting = undefined;
      throw err;
    });
    return this.connecting;
  }
}
