/**
 * The player's resume and completion rules, pure so they are unit tested without a browser.
 */

/** Past this share of the duration a module counts as watched. */
export const COMPLETE_FRACTION = 0.9;
/** How often the player writes the position while playing. */
export const SAVE_EVERY_MS = 5000;
/** A saved position this close to the end starts from the beginning instead (the learner finished). */
const RESTART_WITHIN_SECONDS = 3;

/** Where to start playing: the saved position, unless it is unknown, invalid or at the very end. */
export function resumePosition(savedSeconds: number | null | undefined, durationSeconds: number | null | undefined): number {
  if (savedSeconds == null || !Number.isFinite(savedSeconds) || savedSeconds <= 0) return 0;
  if (durationSeconds != null && Number.isFinite(durationSeconds) && durationSeconds > 0) {
    if (savedSeconds >= durationSeconds - RESTART_WITHIN_SECONDS) return 0;
    return Math.min(savedSeconds, durationSeconds);
  }
  return savedSeconds;
}

/** Whether the position has passed the completion threshold of the duration. */
export function isComplete(positionSeconds: number, durationSeconds: number | null | undefined): boolean {
  if (durationSeconds == null || !Number.isFinite(durationSeconds) || durationSeconds <= 0) return false;
  return positionSeconds >= durationSeconds * COMPLETE_FRACTION;
}

/** The body of a progress write: a whole non-negative number of seconds; completion never goes back. */
export function progressBody(
  positionSeconds: number,
  durationSeconds: number | null | undefined,
  alreadyCompleted: boolean,
): { positionSeconds: number; completed: boolean } {
  const position = Number.isFinite(positionSeconds) && positionSeconds > 0 ? Math.floor(positionSeconds) : 0;
  return { positionSeconds: position, completed: alreadyCompleted || isComplete(positionSeconds, durationSeconds) };
}

/** Whether enough time passed since the last write to write again while playing. */
export function dueForSave(lastSavedAtMs: number | null, nowMs: number): boolean {
  return lastSavedAtMs == null || nowMs - lastSavedAtMs >= SAVE_EVERY_MS;
}
