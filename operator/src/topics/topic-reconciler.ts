// MoocFlixTopicReconciler: observe the MoocFlixTopic → let the backend bring the topic to its spec
// → report the outcome as status (Ready condition with a TopicReason, observedGeneration). A
// finalizer is held only while the backend must act on deletion (see each backend's comment).
import type { Logger } from '@moocflix/platform-core/log';
import { TopicReason, type MoocFlixTopic, type MoocFlixTopicStatus } from '../api/v1alpha1';
import type { ReconcileResult } from '../controller-runtime/controller';
import type { Informer } from '../controller-runtime/informer';
import { jsonEqual, setCondition, splitKey, topLevelMergePatch } from '../controller-runtime/objects';
import type { ResourceClient } from '../controller-runtime/resource';
import type { TopicBackend, TopicObservation } from './backend';
import type { PolicyRule } from '../controller-runtime/rbac';
import { watchFor, watchOwned, type Enqueuer } from '../controller-runtime/watches';
import type { KafkaTopic } from './strimzi-backend';

/** RBAC of this reconciler and its informer (see rbac.ts). */
export const topicReconcilerRbac: PolicyRule[] = [
  { apiGroups: ['moocflix.io'], resources: ['moocflixtopics'], verbs: ['get', 'list', 'watch', 'patch'] },
  { apiGroups: ['moocflix.io'], resources: ['moocflixtopics/status'], verbs: ['patch'] },
];

export const TOPIC_FINALIZER = 'moocflix.io/topic-cleanup';

export interface TopicReconcilerOptions {
  topics: ResourceClient<MoocFlixTopic>;
  informer: Informer<MoocFlixTopic>;
  backend: TopicBackend;
  logger: Logger;
}

export class MoocFlixTopicReconciler {
  constructor(private readonly options: TopicReconcilerOptions) {}

  readonly reconcile = async (key: string): Promise<ReconcileResult | void> => {
    const { informer, backend } = this.options;
    const { namespace, name } = splitKey(key);
    let topic = informer.get(namespace, name);
    if (!topic) return; // deleted; its KafkaTopic goes with it (owner reference)

    const finalizers = topic.metadata.finalizers ?? [];
    const hasFinalizer = finalizers.includes(TOPIC_FINALIZER);
    if (topic.metadata.deletionTimestamp) {
      if (!hasFinalizer) return;
      await backend.finalize(topic);
      await this.setFinalizers(
        topic,
        finalizers.filter((f) => f !== TOPIC_FINALIZER),
      );
      this.options.logger.info({ key, deletionPolicy: topic.spec.deletionPolicy }, 'MoocFlixTopic finalized');
      return;
    }
    const wantFinalizer = backend.needsFinalizer(topic);
    if (wantFinalizer !== hasFinalizer) {
      topic = await this.setFinalizers(
        topic,
        wantFinalizer ? [...finalizers, TOPIC_FINALIZER] : finalizers.filter((f) => f !== TOPIC_FINALIZER),
      );
    }

    let observation: TopicObservation;
    try {
      observation = await backend.apply(topic);
    } catch (err) {
      // Say so in the status, then let the queue retry with backoff.
      await this.writeStatus(topic, {
        ready: false,
        reason: TopicReason.BackendUnavailable,
        message: `${backend.name} backend: ${(err as Error).message}`,
      }).catch(() => undefined);
      throw err;
    }
    await this.writeStatus(topic, observation);
    return observation.requeueAfterMs === undefined
      ? undefined
      : { requeueAfterMs: observation.requeueAfterMs };
  };

  private async writeStatus(topic: MoocFlixTopic, observation: TopicObservation): Promise<void> {
    const generation = topic.metadata.generation;
    const previous = topic.status ?? {};
    const next: MoocFlixTopicStatus = {
      observedGeneration: generation,
      topicName: topic.spec.topicName,
      partitions: observation.partitions,
      replicas: observation.replicas,
      backend: this.options.backend.name,
      kafkaTopic: observation.kafkaTopic,
      conditions: setCondition(previous.conditions, {
        type: 'Ready',
        status: observation.ready ? 'True' : 'False',
        reason: observation.reason,
        message: observation.message,
        observedGeneration: generation,
      }),
    };
    // The periodic resync lands here with nothing new: then nothing is written.
    if (jsonEqual(next, previous)) return;
    const { namespace, name } = topic.metadata as { namespace: string; name: string };
    await this.options.topics.patchStatus(namespace, name, topLevelMergePatch(previous, next));
  }

  private setFinalizers(topic: MoocFlixTopic, finalizers: string[]): Promise<MoocFlixTopic> {
    const { namespace, name, resourceVersion } = topic.metadata as {
      namespace: string;
      name: string;
      resourceVersion: string;
    };
    return this.options.topics.mergePatch(namespace, name, { metadata: { finalizers, resourceVersion } });
  }
}

/**
 * What this reconciler watches (kubebuilder's SetupWithManager): MoocFlixTopics, and the Strimzi
 * KafkaTopics they own when the Strimzi backend is in use.
 */
export function setUpTopicWatches(
  controller: Enqueuer,
  informers: { topics: Informer<MoocFlixTopic>; kafkaTopics?: Informer<KafkaTopic> },
): void {
  watchFor(controller, informers.topics);
  if (informers.kafkaTopics) watchOwned(controller, informers.kafkaTopics, 'MoocFlixTopic');
}
