// How many parts of a chunked transcode run at once: the Indexed Job's `parallelism`, decided once
// when admission creates the Job. Pure, so the rule is unit tested without a cluster.
//
// The rule: a TranscodeJob asks for `spec.parallelism`, or the operator's default
// (TRANSCODE_PART_PARALLELISM) when it says nothing. With Q other TranscodeJobs waiting for a slot
// when it is admitted, it gets max(1, floor(asked / (1 + Q))), never more than its parts.
//
// Why: the parts' pods share the cluster's nodes. One long lecture alone should get all the
// parallelism it asks for (that is what makes it playable in full quickly). When many transcodes
// wait, each gets a share of the same pods instead: otherwise the first Jobs admitted keep every
// node busy with their many parts while the rest wait on pods the scheduler never gets to, and a
// short lecture behind a long one waits for the long one's whole ladder. Dividing by 1 + Q gives
// each of the 1 + Q transcodes contending now roughly an equal share, and at least one pod, so
// the queue drains fairly. The spec's own ask (not the default) is what is divided: a TranscodeJob
// given more than the default keeps that proportion, and never gets more than it asked for.
//
// The share is fixed at admission: a Job admitted in a busy moment keeps its smaller parallelism
// after the queue drains (Indexed Jobs allow changing it; not done yet).

export interface PartParallelismInput {
  /** Parts of the chunked transcode: the preview, the chunks and the audio. */
  parts: number;
  /** The TranscodeJob's spec.parallelism, when set. */
  requested?: number;
  /** The operator's default (TRANSCODE_PART_PARALLELISM), when configured. */
  defaultParallelism?: number;
  /** Other TranscodeJobs waiting for a slot (Pending, no Job yet) when this one is admitted. */
  waiting: number;
}

export function partParallelismFor({
  parts,
  requested,
  defaultParallelism,
  waiting,
}: PartParallelismInput): number {
  const asked = requested ?? defaultParallelism ?? parts;
  const contenders = 1 + Math.max(0, Math.floor(waiting));
  const share = Math.max(1, Math.floor(asked / contenders));
  return Math.max(1, Math.min(parts, share));
}
