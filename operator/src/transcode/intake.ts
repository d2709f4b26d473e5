// The intake: consumes Transcoding-Request and creates exactly one TranscodeJob per attempt at a
// request (the content service issues a new attempt, with a new id, when one is lost or its Job died).
//   - The name is derived from the attempt id, so a redelivered message (after a crash between the
//     create and the offset commit) hits AlreadyExists, which counts as done: nothing is doubled.
//   - The message is acknowledged only after the create succeeded (the bus commits offsets of
//     resolved handlers only), so a crash before it loses nothing: the message comes again.
//   - A message that is not a valid Transcoding-Request goes to the dead-letter topic, with the
//     kit's dead-letter headers, instead of blocking the partition or vanishing.
//   - Each TranscodeJob it creates is owned by the release's transcode ConfigMap when there is one
//     (release-owner.ts), so `helm uninstall` takes it, its Jobs and their pods along.
// It runs on the leader only, as one member of its consumer group.
import type { Logger } from '@moocflix/platform-core/log';
import {
  deadLetterMessage,
  InvalidEventError,
  parseEvent,
  Topics,
  type EventBus,
  type IncomingMessage,
} from '@moocflix/platform-bus';
import { Counter, type Registry } from 'prom-client';
import { attemptOf, OPERATOR_NAME, type TranscodeJob, type TranscodingRequest } from '../api/v1alpha1';
import { isAlreadyExists } from '../controller-runtime/client';
import type { Runnable } from '../controller-runtime/manager';
import type { ResourceClient } from '../controller-runtime/resource';
import { BackgroundSubscription } from './background-subscription';
import { transcodeJobName } from './names';
import type { PolicyRule } from '../controller-runtime/rbac';
import { releaseOwnerRbac, type ReleaseOwner } from './release-owner';

/** RBAC of the intake. */
export const intakeRbac: PolicyRule[] = [
  { apiGroups: ['moocflix.io'], resources: ['transcodejobs'], verbs: ['get', 'create'] },
  ...releaseOwnerRbac,
];

export const VIDEO_LABEL = 'moocflix.io/video-id';
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export interface IntakeOptions {
  bus: EventBus;
  transcodeJobs: ResourceClient<TranscodeJob>;
  /** Where TranscodeJobs are created. */
  namespace: string;
  groupId: string;
  /** The owner of the TranscodeJobs it creates (none when absent). */
  owner?: ReleaseOwner;
  logger: Logger;
  registry?: Registry;
}

export class TranscodeIntake implements Runnable {
  readonly name = 'transcode intake';
  private readonly subscription: BackgroundSubscription;
  private readonly received: Counter<'outcome'> | undefined;

  constructor(private readonly options: IntakeOptions) {
    this.subscription = new BackgroundSubscription(
      options.bus,
      {
        groupId: options.groupId,
        topics: [Topics.TranscodingRequest],
        startFrom: 'earliest',
        handler: (message) => this.handle(message),
      },
      options.logger,
    );
    this.received = options.registry
      ? new Counter({
          name: 'moocflix_operator_intake_messages_total',
          help: 'Transcoding-Request messages handled by the intake, by outcome (created, duplicate, dead-lettered)',
          labelNames: ['outcome'],
          registers: [options.registry],
        })
      : undefined;
  }

  async start(): Promise<void> {
    this.subscription.start();
  }

  stop(): Promise<void> {
    return this.subscription.stop();
  }

  /** Resolving acknowledges the message; throwing makes the bus deliver it again (with backoff). */
  private async handle(message: IncomingMessage): Promise<void> {
    let request: TranscodingRequest;
    try {
      request = parseEvent(Topics.TranscodingRequest, message.value).data;
    } catch (err) {
      if (!(err instanceof InvalidEventError)) throw err;
      await this.deadLetter(message, err);
      return;
    }
    const { attemptId, attempt } = attemptOf({
      videoId: request.videoId,
      requestId: request.requestId,
      request,
    });
    const name = transcodeJobName(attemptId);
    const owner = await this.options.owner?.reference();
    const tj: TranscodeJob = {
      metadata: {
        name,
        namespace: this.options.namespace,
        ...(owner && { ownerReferences: [owner] }),
        labels: {
          'app.kubernetes.io/managed-by': OPERATOR_NAME,
          ...(request.videoId.length <= 63 &&
            LABEL_VALUE.test(request.videoId) && { [VIDEO_LABEL]: request.videoId }),
        },
        annotations: { 'moocflix.io/request-id': request.requestId, 'moocflix.io/attempt-id': attemptId },
      },
      spec: {
        videoId: request.videoId,
        requestId: request.requestId,
        attemptId,
        attempt,
        priority: 0,
        request,
      },
    };
    try {
      await this.options.transcodeJobs.create(tj);
      this.received?.inc({ outcome: 'created' });
      this.options.logger.info(
        {
          transcodeJob: `${this.options.namespace}/${name}`,
          requestId: request.requestId,
          attemptId,
          attempt,
          videoId: request.videoId,
        },
        'TranscodeJob created',
      );
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await this.options.transcodeJobs.get(this.options.namespace, name);
      if (existing && attemptOf(existing.spec).attemptId !== attemptId) {
        // Two attempt ids sharing 64 bits of their sha256: astronomically unlikely, never silent.
        await this.deadLetter(
          message,
          new Error(`TranscodeJob ${name} already exists for attempt ${attemptOf(existing.spec).attemptId}`),
        );
        return;
      }
      this.received?.inc({ outcome: 'duplicate' });
    }
  }

  private async deadLetter(message: IncomingMessage, err: Error): Promise<void> {
    this.options.logger.error(
      { err, partition: message.partition, offset: message.offset },
      'Transcoding-Request dead-lettered',
    );
    await this.options.bus.publish([
      deadLetterMessage(message, {
        reason: 'malformed',
        error: err,
        consumerGroup: this.options.groupId,
        attempts: 1,
      }),
    ]);
    this.received?.inc({ outcome: 'dead-lettered' });
  }
}
