import type { MoocFlixTopic, TopicBackendName, TopicReason } from '../api/v1alpha1';

/** What a backend found (and did) for one MoocFlixTopic; becomes its status and Ready condition. */
export interface TopicObservation {
  ready: boolean;
  reason: TopicReason;
  message: string;
  /** As observed in Kafka or in the KafkaTopic (absent when unknown). */
  partitions?: number;
  replicas?: number;
  /** `<apiVersion>/<name>` of the owned KafkaTopic (strimzi backend). */
  kafkaTopic?: string;
  /** Look again after this long even if nothing changes in Kubernetes (Kafka itself is not watched). */
  requeueAfterMs?: number;
}

/** Where topics are made: Strimzi KafkaTopics, or the Kafka Admin API directly. */
export interface TopicBackend {
  readonly name: TopicBackendName;
  /** Whether `finalize` must run before the resource goes (a finalizer is kept while true). */
  needsFinalizer(topic: MoocFlixTopic): boolean;
  /** Brings the topic to the spec (create, grow partitions, config) and reports what it sees. */
  apply(topic: MoocFlixTopic): Promise<TopicObservation>;
  /** Runs while the resource is being deleted, per its deletionPolicy. */
  finalize(topic: MoocFlixTopic): Promise<void>;
}

/** Topic config values as Kafka wants them: strings. */
export function configStrings(config: Record<string, string | number> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(config ?? {}).map(([k, v]) => [k, String(v)]));
}
