import { transcodeAttemptOf, type EventData, type Topics } from '@moocflix/platform-bus';
import type { PlayablePreview } from '../preview/encode-preview';
import type { PartOutcome } from './transcode-parts';
import {
  transcodeVideo,
  type TranscodeDependencies,
  type TranscodeOutcome,
  type TranscodingRequest,
} from './transcode-video';

export type TranscodingCompletion = EventData<typeof Topics.TranscodingCompleted>;

/** Progress of one request; reports are best effort and may be coalesced. */
export interface ProgressReporter {
  report(percent: number): void;
  /** The preview can be played: every tick from now on carries it (and one goes out at once). */
  playable(preview: PlayablePreview): void;
  /** Resolves once nothing more will be published for this request. */
  close(): Promise<void>;
}

/** Where the transcoder's events go (it has no database, hence no outbox: see the publisher). */
export interface TranscodingEvents {
  progressOf(request: TranscodingRequest): ProgressReporter;
  /** Resolves once the completion is durably published; throws when it could not be. */
  completed(completion: TranscodingCompletion): Promise<void>;
}

/** What a run does with a request: the whole transcode (default), one part of it, or the stitch. */
export type TranscodeWork = (
  request: TranscodingRequest,
  deps: TranscodeDependencies,
  signal: AbortSignal,
) => Promise<TranscodeOutcome | PartOutcome>;

export type RequestHandlerDependencies = Omit<TranscodeDependencies, 'reportProgress'> & {
  events: TranscodingEvents;
  now: () => Date;
};

/**
 * The one code path of both modes (worker and one-shot): transcode, then publish the completion as
 * the LAST step. If that publish fails, this throws and the request is redone — completion handling
 * downstream is idempotent per (videoId, attemptId) — so a request never ends without a completion.
 */
export async function handleTranscodingRequest(
  request: TranscodingRequest,
  deps: RequestHandlerDependencies,
  signal: AbortSignal,
  work: TranscodeWork = transcodeVideo,
): Promise<TranscodeOutcome | PartOutcome> {
  const progress = deps.events.progressOf(request);
  let outcome: TranscodeOutcome | PartOutcome;
  try {
    outcome = await work(
      request,
      { ...deps, reportProgress: (p) => progress.report(p), reportPlayable: (p) => progress.playable(p) },
      signal,
    );
  } finally {
    // No progress tick may arrive after the completion.
    await progress.close();
  }
  // A finished part is not the request's end: the stitch publishes the completion.
  if (outcome.status === 'part-done') return outcome;
  await deps.events.completed(completionOf(request, outcome, deps.now()));
  return outcome;
}

function completionOf(
  request: TranscodingRequest,
  outcome: TranscodeOutcome,
  now: Date,
): TranscodingCompletion {
  const base = {
    requestId: request.requestId,
    ...transcodeAttemptOf(request),
    videoId: request.videoId,
    durationSeconds: outcome.durationSeconds,
    completedAt: now.toISOString(),
  };
  if (outcome.status === 'failed') {
    return {
      ...base,
      status: 'failed',
      renditions: [],
      masterPlaylistKey: null,
      posterKey: null,
      error: outcome.error,
    };
  }
  return {
    ...base,
    status: 'succeeded',
    renditions: outcome.renditions.map((r) => ({
      name: r.name,
      width: r.width,
      height: r.height,
      bandwidth: r.bandwidth,
      codecs: r.codecs,
      playlistKey: r.playlistKey,
    })),
    masterPlaylistKey: outcome.masterPlaylistKey,
    posterKey: outcome.posterKey,
    error: null,
  };
}
