import { kitProblems, problemSchema } from '@moocflix/platform-http';

/**
 * The OpenAPI 3.1 document served at /api/v1/transcoder/openapi.json. The transcoder has no public
 * routes: its interface is events. /healthz, /readyz and /metrics are served at the root.
 */
export const transcoderOpenApi = {
  openapi: '3.1.0',
  info: {
    title: 'MoocFlix Transcoder',
    version: '1.0.0',
    description:
      'Turns an uploaded video into an HLS ladder (fMP4 segments, keyframes every 2 s aligned across renditions, ' +
      'a master playlist with BANDWIDTH/RESOLUTION/CODECS) and a poster, with one ffmpeg process per request. ' +
      'Worker mode consumes `Transcoding-Request` (consumer group `transcoder`) and publishes `Transcoding-Progress` ' +
      'ticks and one `Transcoding-Completed` {requestId, attemptId, attempt, videoId, status: succeeded|failed, renditions, ' +
      'masterPlaylistKey, posterKey, durationSeconds, error} per request attempt; every event carries the attempt of the ' +
      'request it answers. A progress tick goes out as soon as a request is taken up and is repeated every ' +
      '`TRANSCODER_HEARTBEAT_MS` while it runs: the heartbeat that keeps the attempt leased in the content service. One-shot mode (`main.ts one-shot --request <json>` or ' +
      '`TRANSCODE_REQUEST`, the Transcoding-Request data or its CloudEvent) runs one request and exits 0 (succeeded), ' +
      '1 (failed), 2 (invalid request or configuration) or 3 (the completion could not be published).',
  },
  servers: [{ url: '/api/v1/transcoder' }],
  paths: {
    '/openapi.json': {
      get: {
        summary: 'This document',
        responses: {
          '200': {
            description: 'The OpenAPI document',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          ...kitProblems,
        },
      },
    },
  },
  components: { schemas: { Problem: problemSchema() } },
};
