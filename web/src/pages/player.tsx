import { useEffect, useRef, useState } from 'preact/hooks';
import type Hls from 'hls.js';
import { authFetch, contentApi, coursesApi, currentToken, must, settled } from '../api/client';
import { describeEncodedExtent, followEncodedExtent } from '../lib/encoded-extent';
import { dueForSave, progressBody, resumePosition } from '../lib/resume';
import { watchVideo } from '../lib/watch-video';
import { Link } from '../router';
import { ErrorText, Loading } from '../ui';

interface Level {
  index: number;
  height: number;
}

/**
 * The player: HLS with the playback token, resume, progress every 5 s and on pause or leave. A
 * `playable` video plays its preview while the rest encodes: the player says how far the preview is
 * encoded (its growing playlist against the video's duration) and, once the video is ready, goes
 * on with the full ladder from where the viewer is.
 */
export default function Player({ params }: { params: Record<string, string> }) {
  const courseId = params.id!;
  const moduleId = params.moduleId!;
  const video = useRef<HTMLVideoElement>(null);
  const hlsRef = useRef<Hls | null>(null);
  const [title, setTitle] = useState('');
  const [poster, setPoster] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [levels, setLevels] = useState<Level[]>([]);
  const [level, setLevel] = useState(-1);
  const [ready, setReady] = useState(false);
  const [saved, setSaved] = useState<string>('');
  const [encoded, setEncoded] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    let duration: number | null = null;
    let completed = false;
    let lastSavedAt: number | null = null;
    const el = video.current!;
    const following = new AbortController();

    const save = (reason: string) => {
      if (!attached || el.currentTime === 0) return;
      const body = progressBody(el.currentTime, duration ?? el.duration, completed);
      completed = body.completed;
      lastSavedAt = Date.now();
      // keepalive: the write survives the page being closed (sendBeacon cannot carry the bearer token).
      void authFetch(`/api/v1/courses/${courseId}/modules/${moduleId}/progress`, {
        method: 'PUT',
        keepalive: true,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      })
        .then((res) => {
          if (res.ok) setSaved(`Position saved (${reason})`);
        })
        .catch(() => undefined);
    };
    let attached = false;

    async function start(): Promise<void> {
      const modules = await must(
        coursesApi.GET('/api/v1/courses/{id}/modules', {
          params: { path: { id: courseId }, query: { limit: 100 } },
        }),
      );
      const mod = modules.items.find((m) => m.id === moduleId);
      if (!mod?.videoId) throw new Error('This module has no video yet.');
      setTitle(mod.title ?? '');
      const videoId = mod.videoId;
      const meta = await settled(() =>
        must(contentApi.GET('/api/v1/content/{videoId}', { params: { path: { videoId } } })),
      );
      if (meta.posterUrl) setPoster(meta.posterUrl);
      duration = meta.durationSeconds ?? null;
      const progress = (
        await coursesApi.GET('/api/v1/courses/{id}/progress', { params: { path: { id: courseId } } })
      ).data;
      const mine = progress?.modules?.find((m) => m.moduleId === moduleId);
      completed = mine?.completed ?? false;
      const startAt = resumePosition(mine?.positionSeconds, duration);
      if (meta.status !== 'ready' && meta.status !== 'playable')
        throw new Error(`The video is not ready yet (${meta.status}).`);
      // hls.js is loaded here only, never on the first page.
      const { default: HlsClass } = await import('hls.js');
      if (stopped) return;
      if (!HlsClass.isSupported())
        throw new Error('This browser cannot play HLS with Media Source Extensions.');
      load(HlsClass, videoId, startAt);
      attached = true;
      setReady(true);
      if (meta.status === 'playable') {
        // The full ladder replaces the preview once it is ready: the preview's files are no longer
        // served (and are deleted), so the player reloads the stream where the viewer is.
        void watchVideo(
          videoId,
          (v) => {
            if (v.status !== 'ready' || stopped) return;
            if (v.durationSeconds != null) duration = v.durationSeconds;
            setEncoded(null);
            const paused = el.paused;
            load(HlsClass, videoId, el.currentTime);
            if (!paused) void el.play().catch(() => undefined);
          },
          following.signal,
        ).catch(() => undefined);
      }
    }

    /** A fresh hls.js on the stream from `startPosition` (a growing preview starts there, not at its live edge). */
    function load(HlsClass: typeof Hls, videoId: string, startPosition: number): void {
      hlsRef.current?.destroy();
      const hls = new HlsClass({
        startPosition,
        // The master playlist needs the bearer token; every URI inside it carries a playback token.
        xhrSetup: (xhr, url) => {
          if (new URL(url, location.href).pathname.endsWith('/stream')) {
            xhr.open('GET', url, true);
            xhr.setRequestHeader('Authorization', `Bearer ${currentToken() ?? ''}`);
          }
        },
      });
      hlsRef.current = hls;
      hls.on(HlsClass.Events.MANIFEST_PARSED, (_e, data) => {
        setLevels(data.levels.map((l, index) => ({ index, height: l.height })));
      });
      hls.on(HlsClass.Events.ERROR, (_e, data) => {
        if (data.fatal) setError(`Playback failed: ${data.details}`);
      });
      // A preview's EVENT playlist grows until EXT-X-ENDLIST; a ready video's says nothing.
      followEncodedExtent(hls, HlsClass.Events, duration, (extent) =>
        setEncoded(describeEncodedExtent(extent)),
      );
      hls.loadSource(`/api/v1/content/${videoId}/stream`);
      hls.attachMedia(el);
    }

    const onPause = () => save('pause');
    const onTime = () => {
      if (!el.paused && dueForSave(lastSavedAt, Date.now())) save('playing');
    };
    const onHide = () => save('leave');
    el.addEventListener('pause', onPause);
    el.addEventListener('timeupdate', onTime);
    addEventListener('pagehide', onHide);
    start().catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
    return () => {
      stopped = true;
      following.abort();
      save('leave');
      el.removeEventListener('pause', onPause);
      el.removeEventListener('timeupdate', onTime);
      removeEventListener('pagehide', onHide);
      hlsRef.current?.destroy();
      hlsRef.current = null;
    };
  }, [courseId, moduleId]);

  // Keyboard shortcuts while the page is open, except when typing in a field.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = video.current;
      const target = e.target as HTMLElement | null;
      if (!el || e.ctrlKey || e.metaKey || e.altKey) return;
      if (
        target &&
        /^(INPUT|SELECT|TEXTAREA|BUTTON|A)$/.test(target.tagName) &&
        (e.key === ' ' || target.tagName !== 'BUTTON')
      )
        return;
      switch (e.key) {
        case ' ':
        case 'k':
          if (el.paused) void el.play();
          else el.pause();
          break;
        case 'ArrowLeft':
          el.currentTime = Math.max(0, el.currentTime - 5);
          break;
        case 'ArrowRight':
          el.currentTime = Math.min(el.duration || Infinity, el.currentTime + 5);
          break;
        case 'f':
          if (document.fullscreenElement) void document.exitFullscreen();
          else void el.requestFullscreen();
          break;
        case 'm':
          el.muted = !el.muted;
          break;
        default:
          return;
      }
      e.preventDefault();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);

  return (
    <article class="player">
      <h1>{title || 'Player'}</h1>
      <ErrorText error={error} />
      {!ready && !error ? <Loading /> : null}
      <video
        ref={video}
        controls
        playsInline
        poster={poster}
        aria-label={`Video: ${title}`}
        data-ready={ready ? 'true' : 'false'}
      >
        {/* The captions slot: a <track kind="captions"> goes here once the content service serves WebVTT. */}
      </video>
      <div class="player-controls">
        <label>
          Quality
          <select
            value={String(level)}
            onChange={(e) => {
              const value = Number(e.currentTarget.value);
              setLevel(value);
              if (hlsRef.current) hlsRef.current.currentLevel = value;
            }}
          >
            <option value="-1">Auto</option>
            {levels.map((l) => (
              <option key={l.index} value={String(l.index)}>
                {l.height}p
              </option>
            ))}
          </select>
        </label>
        <p class="meta" aria-live="polite">
          {saved}
        </p>
        {encoded ? (
          <p class="meta encoded-extent" data-testid="encoded-extent">
            {encoded}
          </p>
        ) : null}
      </div>
      <details>
        <summary>Keyboard shortcuts</summary>
        <ul>
          <li>Space or K: play / pause</li>
          <li>← / →: back / forward 5 seconds</li>
          <li>F: full screen</li>
          <li>M: mute</li>
        </ul>
      </details>
      <p>
        <Link href={`/courses/${courseId}`}>Back to the course</Link>
      </p>
    </article>
  );
}
