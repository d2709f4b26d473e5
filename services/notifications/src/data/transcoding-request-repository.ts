import type { Queryable } from '@moocflix/platform-db';
import type { EventData, Topics } from '@moocflix/platform-bus';

type Completion = EventData<typeof Topics.TranscodingCompleted>;

/** A transcoding request once both halves are known: who asked, and how it ended (with that event's id). */
export interface CompletedRequest {
  requestedBy: string;
  completion: Completion;
  completionEventId: string;
}

interface RequestRow {
  requested_by: string | null;
  completion: Completion | null;
  completion_event_id: string | null;
}

const completed = (row: RequestRow | undefined): CompletedRequest | undefined =>
  row?.requested_by && row.completion && row.completion_event_id
    ? {
        requestedBy: row.requested_by,
        completion: row.completion,
        completionEventId: row.completion_event_id,
      }
    : undefined;

/**
 * Records who asked for a transcoding; returns the request if its completion is already here.
 * ON CONFLICT waits for a concurrent upsert of the same request, so one of the two always sees both halves.
 */
export async function saveRequester(
  db: Queryable,
  requestId: string,
  videoId: string,
  requestedBy: string,
): Promise<CompletedRequest | undefined> {
  const { rows } = await db.query<RequestRow>(
    `INSERT INTO transcoding_requests (request_id, video_id, requested_by) VALUES ($1, $2, $3)
     ON CONFLICT (request_id) DO UPDATE SET requested_by = EXCLUDED.requested_by, updated_at = now()
     RETURNING requested_by, completion, completion_event_id`,
    [requestId, videoId, requestedBy],
  );
  return completed(rows[0]);
}

/**
 * Records how a transcoding ended; returns the request if its requester is already known. The first
 * completion of a request stays (a late duplicate, e.g. an operator's terminal event, adds nothing),
 * and it is the one notified about, so the uploader hears once per request.
 */
export async function saveCompletion(
  db: Queryable,
  completion: Completion,
  eventId: string,
): Promise<CompletedRequest | undefined> {
  const { rows } = await db.query<RequestRow>(
    `INSERT INTO transcoding_requests (request_id, video_id, completion, completion_event_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (request_id) DO UPDATE
       SET completion = coalesce(transcoding_requests.completion, EXCLUDED.completion),
           completion_event_id = coalesce(transcoding_requests.completion_event_id, EXCLUDED.completion_event_id),
           updated_at = now()
     RETURNING requested_by, completion, completion_event_id`,
    [completion.requestId, completion.videoId, JSON.stringify(completion), eventId],
  );
  return completed(rows[0]);
}
