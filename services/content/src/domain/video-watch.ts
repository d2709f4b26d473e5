import type { Logger } from 'pino';
import type { Pool } from '@moocflix/platform-db';
import { findLiveVideos } from '../data/video-repository';
import type { Video, VideoStatus } from './video';

/** After these a video changes no more by itself: its stream ends. */
const isTerminal = (status: VideoStatus): boolean => status === 'ready' || status === 'failed';

/** One open stream as the hub sees it: the HTTP layer writes, the hub decides what and when. */
export interface VideoWatcher {
  /** A new state of the video (status or progress changed), or its state when the stream opens. */
  send(video: Video): void;
  /** Nothing was sent for a while: a comment keeps proxies from closing an idle connection. */
  keepAlive(): void;
  /** The stream is over (terminal status, video gone, shutdown): end the response. */
  end(): void;
  /** True once the stream should end on the server's side (e.g. the HTTP server stops listening). */
  abandoned(): boolean;
}

export interface VideoWatchOptions {
  pool: Pool;
  logger: Logger;
  /** Open streams this process serves at most; beyond: refused (503). */
  maxStreams: number;
  /** How often the watched videos are read, all of them in one query. */
  pollIntervalMs: number;
  /** A keep-alive comment after this long without a write. */
  keepAliveMs: number;
}

interface Watch {
  videoId: string;
  watcher: VideoWatcher;
  status: VideoStatus;
  progress: number;
  lastWriteAt: number;
}

/**
 * Live transcode progress for the open event streams of this process. The progress reaches the
 * database through Kafka on whichever content replica consumes it, not necessarily the one holding
 * the stream, so the streams are fed from the database, not from an in-process emitter. Read, not
 * LISTEN/NOTIFY: one query per tick (default 1 s) for ALL the streams of the process, whatever their
 * number, needs no dedicated connection (LISTEN does not survive a transaction-pooling proxy and
 * misses what happens while it reconnects) and no pg_notify in every writer of a video's status;
 * the price is up to one tick of delay, nothing next to a transcode's duration.
 */
export class VideoWatchHub {
  private readonly watches = new Set<Watch>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: VideoWatchOptions) {}

  get openStreams(): number {
    return this.watches.size;
  }

  /** Whether one more stream may open now. */
  hasRoom(): boolean {
    return !this.stopped && this.watches.size < this.options.maxStreams;
  }

  /**
   * Sends `initial` at once and then every change; ends after a terminal status. Returns what the
   * caller runs when the client goes away. Check hasRoom() first: a full hub ends the stream at once.
   */
  watch(initial: Video, watcher: VideoWatcher): () => void {
    watcher.send(initial);
    if (isTerminal(initial.status) || !this.hasRoom()) {
      watcher.end();
      return () => undefined;
    }
    const watch: Watch = {
      videoId: initial.id,
      watcher,
      status: initial.status,
      progress: initial.progress,
      lastWriteAt: Date.now(),
    };
    this.watches.add(watch);
    this.timer ??= setInterval(() => {
      this.polling ??= this.tick()
        .catch((err: unknown) => this.options.logger.error({ err }, 'video event streams tick failed'))
        .finally(() => (this.polling = undefined));
    }, this.options.pollIntervalMs);
    return () => this.forget(watch);
  }

  /** Ends every stream (shutdown); no stream opens after it. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
    for (const watch of [...this.watches]) this.finish(watch);
  }

  private forget(watch: Watch): void {
    this.watches.delete(watch);
    if (this.watches.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private finish(watch: Watch): void {
    this.forget(watch);
    watch.watcher.end();
  }

  private async tick(): Promise<void> {
    const watches = [...this.watches].filter((watch) => {
      if (!watch.watcher.abandoned()) return true;
      this.finish(watch);
      return false;
    });
    if (watches.length === 0) return;
    let videos: Map<string, Video> | undefined;
    try {
      const ids = [...new Set(watches.map((w) => w.videoId))];
      videos = new Map((await findLiveVideos(this.options.pool, ids)).map((v) => [v.id, v]));
    } catch (err) {
      // The streams stay open (kept alive below); the next tick reads again.
      this.options.logger.warn({ err }, 'reading the watched videos failed; next tick retries');
    }
    const now = Date.now();
    for (const watch of watches) {
      if (!this.watches.has(watch)) continue; // the client left while we were reading
      if (videos) {
        const video = videos.get(watch.videoId);
        if (!video) {
          this.finish(watch); // deleted meanwhile: nothing more will come
          continue;
        }
        if (video.status !== watch.status || video.progress !== watch.progress) {
          watch.status = video.status;
          watch.progress = video.progress;
          watch.lastWriteAt = now;
          watch.watcher.send(video);
          if (isTerminal(video.status)) {
            this.finish(watch);
            continue;
          }
        }
      }
      if (now - watch.lastWriteAt >= this.options.keepAliveMs) {
        watch.lastWriteAt = now;
        watch.watcher.keepAlive();
      }
    }
  }
}
