// The kafka backend, for clusters without Strimzi: the operator manages the topic itself through
// the Kafka Admin API. Each pass describes the topic and corrects drift: creates it if missing,
// adds partitions, and sets the topic's dynamic config to exactly the spec's (a key set by hand is
// removed, a changed value restored). What Kafka cannot do is reported instead: fewer partitions
// than exist, or another replication factor (that needs a reassignment). Kafka changes are not
// watched, so the reconciler looks again every resync interval.
import { ConfigResourceTypes, ConfigSource, Kafka, logLevel, type Admin } from 'kafkajs';
import type { Logger } from '@moocflix/platform-core/log';
import { TopicReason, type MoocFlixTopic } from '../api/v1alpha1';
import { configStrings, type TopicBackend, type TopicObservation } from './backend';

export interface KafkaBackendOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** How often a topic is compared with its spec again (drift correction). */
  resyncMs: number;
}

/** Kafka error types that mean "this spec cannot be applied" rather than "try again". */
const INVALID = new Set([
  'INVALID_CONFIG',
  'INVALID_PARTITIONS',
  'INVALID_REPLICATION_FACTOR',
  'INVALID_TOPIC_EXCEPTION',
  'POLICY_VIOLATION',
  'INVALID_REQUEST',
]);

export class KafkaTopicBackend implements TopicBackend {
  readonly name = 'kafka' as const;
  private readonly kafka: Kafka;
  private admin: Promise<Admin> | undefined;

  constructor(private readonly options: KafkaBackendOptions) {
    const log = options.logger.child({ component: 'kafka-topic-backend' });
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: 3_000,
      retry: { retries: 3, initialRetryTime: 300, maxRetryTime: 3_000 },
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => log.warn({ kafkajs: entry.namespace }, entry.log.message),
    });
  }

  needsFinalizer(topic: MoocFlixTopic): boolean {
    return topic.spec.deletionPolicy === 'Delete';
  }

  async apply(topic: MoocFlixTopic): Promise<TopicObservation> {
    const { topicName, partitions, replicas } = topic.spec;
    const desiredConfig = configStrings(topic.spec.config);
    const admin = await this.connected();
    const requeueAfterMs = this.options.resyncMs;
    try {
      let described = await this.describe(admin, topicName);
      if (!described) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic: topicName,
              numPartitions: partitions,
              replicationFactor: replicas ?? -1,
              configEntries: Object.entries(desiredConfig).map(([name, value]) => ({ name, value })),
            },
          ],
        });
        this.options.logger.info({ topic: topicName, partitions }, 'topic created');
        described = await this.describe(admin, topicName);
        if (!described) throw new Error(`topic ${topicName} was created but is not in the metadata yet`);
      }
      if (described.partitions > partitions) {
        return {
          ready: false,
          reason: TopicReason.PartitionsAboveSpec,
          message: `topic ${topicName} has ${described.partitions} partitions, more than the ${partitions} asked for; Kafka cannot remove partitions (raise spec.partitions)`,
          partitions: described.partitions,
          replicas: described.replicas,
          requeueAfterMs,
        };
      }
      if (described.partitions < partitions) {
        await admin.createPartitions({ topicPartitions: [{ topic: topicName, count: partitions }] });
        this.options.logger.info(
          { topic: topicName, from: described.partitions, to: partitions },
          'partitions added',
        );
      }
      const currentConfig = await this.dynamicConfig(admin, topicName);
      if (!sameConfig(currentConfig, desiredConfig)) {
        // AlterConfigs (not the incremental one) replaces the topic's whole dynamic config: keys set
        // outside the spec go away, and the spec's are (re)set.
        await admin.alterConfigs({
          validateOnly: false,
          resources: [
            {
              type: ConfigResourceTypes.TOPIC,
              name: topicName,
              configEntries: Object.entries(desiredConfig).map(([name, value]) => ({ name, value })),
            },
          ],
        });
        this.options.logger.info(
          { topic: topicName, from: currentConfig, to: desiredConfig },
          'topic config corrected',
        );
      }
      if (replicas !== undefined && described.replicas !== replicas) {
        return {
          ready: false,
          reason: TopicReason.ReplicasMismatch,
          message: `topic ${topicName} has replication factor ${described.replicas}, not ${replicas}; the kafka backend does not reassign replicas`,
          partitions,
          replicas: described.replicas,
          requeueAfterMs,
        };
      }
      return {
        ready: true,
        reason: TopicReason.Ready,
        message: `topic ${topicName} exists with ${partitions} partitions`,
        partitions,
        replicas: described.replicas,
        requeueAfterMs,
      };
    } catch (err) {
      const type = kafkaErrorType(err);
      if (type && INVALID.has(type)) {
        return {
          ready: false,
          reason: TopicReason.InvalidTopic,
          message: `Kafka refused topic ${topicName}: ${(err as Error).message}`,
          requeueAfterMs,
        };
      }
      throw err;
    }
  }

  async finalize(topic: MoocFlixTopic): Promise<void> {
    if (!this.needsFinalizer(topic)) return;
    const admin = await this.connected();
    if (!(await this.describe(admin, topic.spec.topicName))) return;
    await admin.deleteTopics({ topics: [topic.spec.topicName] });
    this.options.logger.info({ topic: topic.spec.topicName }, 'topic deleted (deletionPolicy Delete)');
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((a) => a.disconnect()).catch(() => undefined);
  }

  private connected(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      const connecting = admin.connect().then(() => admin);
      this.admin = connecting;
      connecting.catch(() => {
        if (this.admin === connecting) this.admin = undefined;
      });
    }
    return this.admin;
  }

  private async describe(
    admin: Admin,
    topic: string,
  ): Promise<{ partitions: number; replicas: number } | undefined> {
    // listTopics first: fetchTopicMetadata of a missing topic would create it where auto-creation is on.
    if (!(await admin.listTopics()).includes(topic)) return undefined;
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const meta = topics.find((t) => t.name === topic);
    if (!meta) return undefined;
    return { partitions: meta.partitions.length, replicas: meta.partitions[0]?.replicas.length ?? 0 };
  }

  /** The topic's own settings (source TOPIC_CONFIG), not the broker defaults it inherits. */
  private async dynamicConfig(admin: Admin, topic: string): Promise<Record<string, string>> {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    });
    const entries = described.resources[0]?.configEntries ?? [];
    return Object.fromEntries(
      entries
        .filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG)
        .map((e) => [e.configName, e.configValue]),
    );
  }
}

function sameConfig(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}

/** The Kafka error type (e.g. INVALID_CONFIG) of a kafkajs error, its causes or aggregated errors. */
function kafkaErrorType(err: unknown): string | undefined {
  type KafkaJsError = { type?: unknown; cause?: unknown; errors?: unknown[] };
  const pending: unknown[] = [err];
  for (let i = 0; i < 10 && pending.length; i++) {
    const e = pending.shift() as KafkaJsError | undefined;
    if (!e || typeof e !== 'object') continue;
    if (typeof e.type === 'string') return e.type;
    pending.push(e.cause, ...(Array.isArray(e.errors) ? e.errors : []));
  }
  return undefined;
}
