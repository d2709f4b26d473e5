/**
 * The quiz countdown, pure: the server's `expiresAt` is the truth, the display derives from it and
 * the clock, so a slow tab or a sleeping laptop never shows more time than the server allows.
 */
export interface Countdown {
  remainingMs: number;
  expired: boolean;
  /** "m:ss", or "h:mm:ss" from one hour on. */
  label: string;
  /** Under a minute left: the page says so more loudly. */
  urgent: boolean;
}

export function countdown(expiresAtIso: string | null | undefined, nowMs: number, clockSkewMs = 0): Countdown | null {
  if (!expiresAtIso) return null;
  const expiresAt = Date.parse(expiresAtIso);
  if (Number.isNaN(expiresAt)) return null;
  const remainingMs = Math.max(0, expiresAt - (nowMs + clockSkewMs));
  return { remainingMs, expired: remainingMs === 0, label: formatDuration(remainingMs), urgent: remainingMs < 60_000 };
}

export function formatDuration(ms: number): string {
  const total = Math.ceil(Math.max(0, ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
