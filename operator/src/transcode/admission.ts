// Which pending TranscodeJobs get a Job now. Pure logic; the AdmissionController feeds it from the
// caches.
//
// Concurrency bounds:
//   maxConcurrency  Jobs in flight (created and not finished) never exceed it.
//   minConcurrency  slots kept for urgent work: requests of priority > 0 may use all max slots,
//                   the others at most max − min. A Job is one request, so there is nothing to
//                   pre-start when idle (the operator scales to zero); a lower bound only makes
//                   sense as capacity an urgent request never has to wait for behind a backlog.
// Order: higher priority first, then the oldest request (requestedAt), then the name.
import type { TranscodeJob } from '../api/v1alpha1';

export interface ConcurrencyBounds {
  min: number;
  max: number;
}

export function compareForAdmission(a: TranscodeJob, b: TranscodeJob): number {
  const byPriority = (b.spec.priority ?? 0) - (a.spec.priority ?? 0);
  if (byPriority !== 0) return byPriority;
  const byAge = requestTime(a) - requestTime(b);
  if (byAge !== 0) return byAge;
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** The TranscodeJobs to admit now, in order, given how many Jobs are in flight. */
export function selectForAdmission(
  pending: readonly TranscodeJob[],
  inFlight: number,
  bounds: ConcurrencyBounds,
): TranscodeJob[] {
  const selected: TranscodeJob[] = [];
  let running = inFlight;
  const normalCap = Math.max(0, bounds.max - bounds.min);
  for (const tj of [...pending].sort(compareForAdmission)) {
    if (running >= bounds.max) break;
    const urgent = (tj.spec.priority ?? 0) > 0;
    // Sorted by priority: once a normal request does not fit, no later one does either.
    if (!urgent && running >= normalCap) break;
    selected.push(tj);
    running++;
  }
  return selected;
}

/**
 * How many Jobs the queue asks for (reported as a metric): what runs plus what waits, pending
 * TranscodeJobs and requests not yet taken in by the intake, within the bounds.
 */
export function desiredConcurrency(
  inFlight: number,
  pending: number,
  intakeLag: number,
  bounds: ConcurrencyBounds,
): number {
  return Math.min(bounds.max, inFlight + pending + intakeLag);
}

function requestTime(tj: TranscodeJob): number {
  const t = Date.parse(tj.spec.request?.requestedAt ?? tj.metadata.creationTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
}
