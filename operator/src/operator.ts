// Composition of the operator from its configuration: the manager, the informers, the two
// reconcilers with their backends, the intake. main.ts runs it as a process; tests and the bench
// run it in-process against the cluster tier's apiserver.
import type { Logger } from '@moocflix/platform-core/log';
import { KafkaEventBus, type EventBus } from '@moocflix/platform-bus';
import { createMetricsRegistry } from '@moocflix/platform-core/metrics';
import type { Registry } from 'prom-client';
import {
  MoocFlixTopicResource,
  TranscodeJobResource,
  type MoocFlixTopic,
  type TranscodeJob,
} from './api/v1alpha1';
import type { OperatorConfig } from './config';
import type { KubeClient } from './controller-runtime/client';
import { Controller } from './controller-runtime/controller';
import { Informer } from './controller-runtime/informer';
import { Manager } from './controller-runtime/manager';
import { createControllerMetrics, type ControllerMetrics } from './controller-runtime/metrics';
import type { KubeObject } from './controller-runtime/objects';
import { JobResource, ResourceClient } from './controller-runtime/resource';
import type { TopicBackend } from './topics/backend';
import { KafkaTopicBackend } from './topics/kafka-backend';
import { StrimziTopicBackend, TOPIC_LABEL, type KafkaTopic } from './topics/strimzi-backend';
import { discoverKafkaTopicResource } from './topics/strimzi-discovery';
import { MoocFlixTopicReconciler, setUpTopicWatches } from './topics/topic-reconciler';
import {
  ADMISSION_KEY,
  AdmissionController,
  createAdmissionMetrics,
  setUpAdmissionWatches,
} from './transcode/admission-controller';
import { EventBusCompletionPublisher, type CompletionPublisher } from './transcode/completion-publisher';
import { TranscodeIntake } from './transcode/intake';
import { ConfigMapResource, ReleaseOwner } from './transcode/release-owner';
import { IntakeLagProbe } from './transcode/intake-lag';
import { progressGroupId, TranscodeProgressFeed } from './transcode/progress-feed';
import { TRANSCODEJOB_LABEL, type Job } from './transcode/job-builder';
import { jobTemplateOf } from './transcode/job-template';
import { setUpTranscodeJobWatches, TranscodeJobReconciler } from './transcode/transcodejob-reconciler';

export interface OperatorDependencies {
  logger: Logger;
  client: KubeClient;
  registry?: Registry;
  /** The bus of the intake and of failed completions (default: Kafka at KAFKA_BROKERS). */
  bus?: EventBus;
  /** Replaces the failed-completion publisher (the bench runs without Kafka). */
  publisher?: CompletionPublisher;
  onLeadershipLost?: () => void;
}

export interface Operator {
  manager: Manager;
  registry: Registry;
  /** Which topic backend was chosen (undefined when the topics controller is off). */
  topicBackend?: TopicBackend['name'];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function createOperator(config: OperatorConfig, deps: OperatorDependencies): Promise<Operator> {
  const { logger, client } = deps;
  const registry = deps.registry ?? createMetricsRegistry();
  const metrics = createControllerMetrics(registry);
  const manager = new Manager({
    client,
    logger,
    registry,
    metrics,
    port: config.PORT,
    host: config.HOST,
    onLeadershipLost: deps.onLeadershipLost,
    leaderElection: config.LEADER_ELECTION && {
      namespace: config.LEADER_ELECTION_NAMESPACE ?? config.POD_NAMESPACE,
      name: config.LEADER_ELECTION_LEASE_NAME,
      identity: config.POD_NAME,
      leaseDurationMs: config.LEADER_ELECTION_LEASE_DURATION_MS,
      renewDeadlineMs: config.LEADER_ELECTION_RENEW_DEADLINE_MS,
      retryPeriodMs: config.LEADER_ELECTION_RETRY_PERIOD_MS,
    },
  });
  const informer = <T extends KubeObject>(
    name: string,
    resource: ResourceClient<T>,
    labelSelector?: string,
  ) =>
    manager.addInformer(
      new Informer<T>({
        name,
        resource,
        labelSelector,
        namespaces: config.WATCH_NAMESPACES,
        logger,
        metrics,
        resyncPeriodMs: config.RESYNC_SECONDS * 1000,
        watchTimeoutSeconds: config.WATCH_TIMEOUT_SECONDS,
      }),
    );
  const closers: (() => Promise<void>)[] = [];
  let topicBackend: TopicBackend | undefined;

  if (config.OPERATOR_CONTROLLERS.includes('topics')) {
    topicBackend = await setUpTopics(config, deps, manager, metrics, informer, closers);
  }
  if (config.OPERATOR_CONTROLLERS.includes('transcode')) {
    setUpTranscode(config, deps, manager, metrics, registry, informer, closers);
  }

  return {
    manager,
    registry,
    topicBackend: topicBackend?.name,
    start: () => manager.start(),
    async stop() {
      await manager.stop();
      for (const close of closers)
        await close().catch((err: unknown) => logger.warn({ err }, 'close failed'));
    },
  };
}

type MakeInformer = <T extends KubeObject>(
  name: string,
  resource: ResourceClient<T>,
  labelSelector?: string,
) => Informer<T>;

async function setUpTopics(
  config: OperatorConfig,
  deps: OperatorDependencies,
  manager: Manager,
  metrics: ControllerMetrics,
  informer: MakeInformer,
  closers: (() => Promise<void>)[],
): Promise<TopicBackend> {
  const { client, logger } = deps;
  const topics = new ResourceClient<MoocFlixTopic>(client, MoocFlixTopicResource);
  const topicInformer = informer('moocflixtopics', topics);

  // Asked once at start: installing or upgrading Strimzi later means restarting the operator.
  const kafkaTopicType =
    config.TOPIC_BACKEND === 'kafka' ? undefined : await discoverKafkaTopicResource(client);
  if (config.TOPIC_BACKEND === 'strimzi' && !kafkaTopicType) {
    throw new Error(
      'TOPIC_BACKEND=strimzi, but the cluster serves no kafka.strimzi.io KafkaTopic API (v1 or v1beta2): is Strimzi installed?',
    );
  }
  let backend: TopicBackend;
  let kafkaTopicInformer: Informer<KafkaTopic> | undefined;
  if (kafkaTopicType) {
    const kafkaTopics = new ResourceClient<KafkaTopic>(client, kafkaTopicType);
    kafkaTopicInformer = informer('kafkatopics', kafkaTopics, TOPIC_LABEL);
    backend = new StrimziTopicBackend({
      kafkaTopics,
      informer: kafkaTopicInformer,
      cluster: config.STRIMZI_CLUSTER,
      topicApiVersion: kafkaTopics.apiVersion,
    });
  } else {
    if (config.KAFKA_BROKERS.length === 0) {
      throw new Error(
        'no Strimzi KafkaTopic API in the cluster, and no KAFKA_BROKERS for the kafka topic backend',
      );
    }
    const kafkaBackend = new KafkaTopicBackend({
      brokers: config.KAFKA_BROKERS,
      clientId: config.KAFKA_CLIENT_ID,
      logger,
      resyncMs: config.TOPIC_RESYNC_SECONDS * 1000,
    });
    closers.push(() => kafkaBackend.close());
    backend = kafkaBackend;
  }
  logger.info(
    {
      backend: backend.name,
      kafkaTopicApi: kafkaTopicType && `${kafkaTopicType.group}/${kafkaTopicType.version}`,
    },
    'topic backend chosen',
  );

  const reconciler = new MoocFlixTopicReconciler({
    topics,
    informer: topicInformer,
    backend,
    logger: logger.child({ controller: 'moocflixtopic' }),
  });
  const controller = new Controller({
    name: 'moocflixtopic',
    workers: 2,
    logger,
    metrics,
    reconcile: reconciler.reconcile,
  });
  setUpTopicWatches(controller, { topics: topicInformer, kafkaTopics: kafkaTopicInformer });
  manager.addController(controller);
  return backend;
}

function setUpTranscode(
  config: OperatorConfig,
  deps: OperatorDependencies,
  manager: Manager,
  metrics: ControllerMetrics,
  registry: Registry,
  informer: MakeInformer,
  closers: (() => Promise<void>)[],
): void {
  const { client, logger } = deps;
  const namespace = config.TRANSCODE_NAMESPACE ?? config.POD_NAMESPACE;
  if (
    config.TRANSCODE_INTAKE &&
    config.WATCH_NAMESPACES.length > 0 &&
    !config.WATCH_NAMESPACES.includes(namespace)
  ) {
    throw new Error(
      `the intake creates TranscodeJobs in ${namespace}, which WATCH_NAMESPACES (${config.WATCH_NAMESPACES.join(',')}) leaves out`,
    );
  }
  const transcodeJobs = new ResourceClient<TranscodeJob>(client, TranscodeJobResource);
  const jobs = new ResourceClient<Job>(client, JobResource);
  const transcodeJobInformer = informer('transcodejobs', transcodeJobs);
  const jobInformer = informer('jobs', jobs, TRANSCODEJOB_LABEL);

  let bus = deps.bus;
  if (!bus && config.KAFKA_BROKERS.length > 0) {
    const kafkaBus = new KafkaEventBus({
      brokers: config.KAFKA_BROKERS,
      clientId: config.KAFKA_CLIENT_ID,
      logger,
    });
    closers.push(() => kafkaBus.close());
    bus = kafkaBus;
  }
  const publisher = deps.publisher ?? (bus && new EventBusCompletionPublisher(bus));
  if (!publisher)
    throw new Error('the transcode controller needs KAFKA_BROKERS (or a publisher) for failed completions');

  const lagProbe =
    config.TRANSCODE_INTAKE && bus
      ? new IntakeLagProbe({
          brokers: config.KAFKA_BROKERS,
          clientId: `${config.KAFKA_CLIENT_ID}-lag`,
          groupId: config.TRANSCODE_INTAKE_GROUP,
          intervalMs: 5_000,
          logger,
          onChange: () => admissionController.enqueue(ADMISSION_KEY),
        })
      : undefined;

  const progressFeed =
    bus &&
    new TranscodeProgressFeed({
      bus,
      groupId: progressGroupId(config.TRANSCODE_PROGRESS_GROUP, config.POD_NAME),
      transcodeJobInformer,
      onProgress: (key) => statusController.enqueue(key),
      logger: logger.child({ component: 'progress-feed' }),
    });
  const template = jobTemplateOf(config);
  const statusReconciler = new TranscodeJobReconciler({
    transcodeJobs,
    jobs,
    template,
    transcodeJobInformer,
    jobInformer,
    publisher,
    progressOf: progressFeed && ((key) => progressFeed.progressOf(key)),
    playableOf: progressFeed && ((key) => progressFeed.isPlayable(key)),
    retentionMs: config.TRANSCODEJOB_RETENTION_SECONDS * 1000,
    logger: logger.child({ controller: 'transcodejob' }),
  });
  const admission = new AdmissionController({
    jobs,
    transcodeJobInformer,
    jobInformer,
    template,
    bounds: { min: config.TRANSCODE_MIN_CONCURRENCY, max: config.TRANSCODE_MAX_CONCURRENCY },
    intakeLag: lagProbe && (() => lagProbe.current()),
    metrics: createAdmissionMetrics(registry),
    logger: logger.child({ controller: 'transcodejob-admission' }),
  });
  const statusController = new Controller({
    name: 'transcodejob',
    workers: 4,
    logger,
    metrics,
    reconcile: statusReconciler.reconcile,
  });
  const admissionController = new Controller({
    name: 'transcodejob-admission',
    workers: 1,
    logger,
    metrics,
    reconcile: admission.reconcile,
    maxDelayMs: 10_000,
  });

  const informers = { transcodeJobs: transcodeJobInformer, jobs: jobInformer };
  setUpTranscodeJobWatches(statusController, informers);
  setUpAdmissionWatches(admissionController, informers);
  manager.addController(statusController);
  manager.addController(admissionController);

  if (config.TRANSCODE_INTAKE && bus) {
    manager.addRunnable(
      new TranscodeIntake({
        bus,
        transcodeJobs,
        namespace,
        groupId: config.TRANSCODE_INTAKE_GROUP,
        owner: new ReleaseOwner({
          configMaps: new ResourceClient(client, ConfigMapResource),
          namespace,
          name: config.TRANSCODE_CONFIGMAP,
          logger: logger.child({ component: 'intake' }),
        }),
        logger: logger.child({ component: 'intake' }),
        registry,
      }),
    );
  }
  if (lagProbe) manager.addRunnable(lagProbe);
  if (progressFeed) manager.addRunnable(progressFeed);
}
