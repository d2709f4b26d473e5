// The strimzi backend: each MoocFlixTopic owns a Strimzi KafkaTopic of the same name and namespace
// (owner reference, so the garbage collector removes it with its owner), labelled with the Kafka
// cluster Strimzi should put it in. Strimzi's topic operator does the Kafka side; its Ready
// condition is mirrored back.
//
// deletionPolicy Retain: before the KafkaTopic goes, it is annotated strimzi.io/managed=false, which
// tells Strimzi to leave the Kafka topic (and its messages) in place when the KafkaTopic is deleted.
// That needs a finalizer on the MoocFlixTopic. With Delete nothing is needed: the garbage collector
// deletes the KafkaTopic, and Strimzi the topic.
import { API_VERSION, OPERATOR_NAME, TopicReason, type MoocFlixTopic } from '../api/v1alpha1';
import { isAlreadyExists } from '../controller-runtime/client';
import type { Informer } from '../controller-runtime/informer';
import {
  controllerReference,
  findCondition,
  isControlledBy,
  jsonEqual,
  type Condition,
  type KubeObject,
} from '../controller-runtime/objects';
import type { ResourceClient } from '../controller-runtime/resource';
import { configStrings, type TopicBackend, type TopicObservation } from './backend';
import type { PolicyRule } from '../controller-runtime/rbac';

export interface KafkaTopic extends KubeObject {
  spec?: { topicName?: string; partitions?: number; replicas?: number; config?: Record<string, unknown> };
  status?: {
    conditions?: Omit<Condition, 'observedGeneration'>[];
    observedGeneration?: number;
    topicName?: string;
  };
}

/** RBAC of this backend and its informer. Owner references that block the owner's deletion need
 * `update` on the owner's finalizers (OwnerReferencesPermissionEnforcement). */
export const strimziBackendRbac: PolicyRule[] = [
  {
    apiGroups: ['kafka.strimzi.io'],
    resources: ['kafkatopics'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'],
  },
  { apiGroups: ['moocflix.io'], resources: ['moocflixtopics/finalizers'], verbs: ['update'] },
];

export const STRIMZI_CLUSTER_LABEL = 'strimzi.io/cluster';
/** Strimzi leaves a topic alone (and in Kafka when the KafkaTopic is deleted) while this is "false". */
export const STRIMZI_MANAGED_ANNOTATION = 'strimzi.io/managed';
export const TOPIC_LABEL = 'moocflix.io/topic';

export interface StrimziBackendOptions {
  kafkaTopics: ResourceClient<KafkaTopic>;
  /** The cache of KafkaTopics (same version as kafkaTopics). */
  informer: Informer<KafkaTopic>;
  /** Value of the strimzi.io/cluster label: the Kafka cluster (Kafka resource) the topic belongs to. */
  cluster: string;
  topicApiVersion: string;
}

export class StrimziTopicBackend implements TopicBackend {
  readonly name = 'strimzi' as const;

  constructor(private readonly options: StrimziBackendOptions) {}

  needsFinalizer(topic: MoocFlixTopic): boolean {
    return (topic.spec.deletionPolicy ?? 'Retain') === 'Retain';
  }

  async apply(topic: MoocFlixTopic): Promise<TopicObservation> {
    const { kafkaTopics, informer } = this.options;
    const { namespace, name } = topic.metadata as { namespace: string; name: string };
    const ref = `${kafkaTopics.apiVersion}/${name}`;
    const desired = this.desired(topic);
    let current = informer.get(namespace, name);
    if (!current) {
      try {
        return this.observe(await kafkaTopics.create(desired), ref);
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        // Not in the cache: not ours (the cache holds only labelled ones), or not seen yet.
        current = await kafkaTopics.get(namespace, name);
        if (!current) throw err;
      }
    }
    if (!isControlledBy(current, topic.metadata.uid)) {
      return {
        ready: false,
        reason: TopicReason.KafkaTopicConflict,
        message: `KafkaTopic ${namespace}/${name} exists and is not owned by this MoocFlixTopic; it is left alone`,
        kafkaTopic: ref,
        // Not watched (the cache holds only labelled KafkaTopics): look again now and then.
        requeueAfterMs: 30_000,
      };
    }
    const labels = { ...current.metadata.labels, ...desired.metadata.labels };
    if (jsonEqual(current.spec, desired.spec) && jsonEqual(current.metadata.labels, labels))
      return this.observe(current, ref);
    // A replace with the cached resourceVersion: a concurrent change makes it fail and retry.
    const updated = await kafkaTopics.replace({
      ...current,
      metadata: { ...current.metadata, labels },
      spec: desired.spec,
    });
    return this.observe(updated, ref);
  }

  async finalize(topic: MoocFlixTopic): Promise<void> {
    if (!this.needsFinalizer(topic)) return;
    const { namespace, name } = topic.metadata as { namespace: string; name: string };
    const current = await this.options.kafkaTopics.get(namespace, name);
    if (!current || !isControlledBy(current, topic.metadata.uid)) return;
    if (current.metadata.annotations?.[STRIMZI_MANAGED_ANNOTATION] === 'false') return;
    await this.options.kafkaTopics.mergePatch(namespace, name, {
      metadata: { annotations: { [STRIMZI_MANAGED_ANNOTATION]: 'false' } },
    });
  }

  private desired(
    topic: MoocFlixTopic,
  ): KafkaTopic & { spec: object; metadata: { labels: Record<string, string> } } {
    const { spec, metadata } = topic;
    return {
      apiVersion: this.options.topicApiVersion,
      kind: 'KafkaTopic',
      metadata: {
        name: metadata.name,
        namespace: metadata.namespace,
        labels: {
          [STRIMZI_CLUSTER_LABEL]: this.options.cluster,
          'app.kubernetes.io/managed-by': OPERATOR_NAME,
          [TOPIC_LABEL]: metadata.name!,
        },
        ownerReferences: [controllerReference(topic, API_VERSION, 'MoocFlixTopic')],
      },
      spec: {
        topicName: spec.topicName,
        partitions: spec.partitions,
        ...(spec.replicas !== undefined && { replicas: spec.replicas }),
        ...(spec.config && Object.keys(spec.config).length > 0 && { config: configStrings(spec.config) }),
      },
    };
  }

  /** Strimzi's Ready, counted only once Strimzi has seen the KafkaTopic's current generation. */
  private observe(kt: KafkaTopic, ref: string): TopicObservation {
    const base = { kafkaTopic: ref, partitions: kt.spec?.partitions, replicas: kt.spec?.replicas };
    const ready = findCondition(kt.status?.conditions as Condition[] | undefined, 'Ready');
    const seen =
      kt.status?.observedGeneration !== undefined &&
      kt.status.observedGeneration >= (kt.metadata.generation ?? 0);
    if (!ready || !seen) {
      return {
        ...base,
        ready: false,
        reason: TopicReason.WaitingForStrimzi,
        message: `waiting for Strimzi to reconcile KafkaTopic ${ref}`,
      };
    }
    if (ready.status === 'True')
      return { ...base, ready: true, reason: TopicReason.Ready, message: `KafkaTopic ${ref} is Ready` };
    return {
      ...base,
      ready: false,
      reason: TopicReason.KafkaTopicNotReady,
      message: `KafkaTopic ${ref}: ${[ready.reason, ready.message].filter(Boolean).join(': ') || 'not Ready'}`,
    };
  }
}
