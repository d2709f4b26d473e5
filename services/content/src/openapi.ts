import {
  commonProblems,
  kitProblems,
  dateTime,
  json,
  jsonSchema,
  nullable,
  problem,
  problemSchema,
  ref,
  uuidPathParam,
} from '@moocflix/platform-http';
import { VIDEO_STATUSES } from './domain/video';
import { uploadFields } from './http/request-schemas';

const playlist = (description: string) => ({
  description,
  content: { 'application/vnd.apple.mpegurl': { schema: { type: 'string' } } },
});
const binary = { type: 'string', contentMediaType: 'application/octet-stream' };

const videoId = uuidPathParam('videoId');
const range = {
  name: 'Range',
  in: 'header',
  required: false,
  schema: { type: 'string', examples: ['bytes=0-1023'] },
  description: 'One byte range (fMP4 players use them); several ranges get the whole file',
};
// A deleted course's videos are gone for everyone, admins included (their files are purged).
const notFound = { '404': problem('No such video, or its course was deleted') };
const watchers = 'the course’s owner, admins and students with an active enrollment in the course';
const fileResponses = {
  '200': { description: 'The whole file', content: { '*/*': { schema: binary } } },
  '206': { description: 'The requested byte range', content: { '*/*': { schema: binary } } },
  '416': problem('The range starts past the end of the file'),
};

/**
 * The OpenAPI 3.1 document served at /api/v1/content/openapi.json. The upload fields' schema is
 * generated from the zod schema that validates them, so the two cannot drift apart.
 */
export const contentOpenApi = {
  openapi: '3.1.0',
  info: {
    title: 'MoocFlix Content Delivery',
    version: '1.0.0',
    description:
      'Video uploads, metadata, transcoding requests and HLS playback. Upload and transcode are for the course’s owner and admins; ' +
      `metadata, stream and poster for ${watchers}. Course ownership and enrollments come from the courses service’s events, so a ` +
      'course created a moment ago may be unknown here for a second: the upload answers 404 and the client retries. ' +
      'Events: produces Transcoding-Request; consumes Transcoding-Progress, Transcoding-Completed, Course-Creation, Course-Update, ' +
      'Course-Deletion and Student-Enrolled.',
  },
  servers: [{ url: '/' }],
  security: [{ bearer: [] }],
  paths: {
    '/api/v1/content/upload': {
      post: {
        summary: 'Upload a video to a course (the course’s owner or an admin)',
        description:
          'multipart/form-data with the text fields `courseId` and `title` FIRST and the `file` part LAST: the fields are checked ' +
          '(and the caller’s right to upload to the course) before any of the file is stored, so a file part before them is refused ' +
          'with 400. The file is streamed to object storage, never held in memory, then probed: only real video containers ' +
          '(mp4/mov, matroska/webm, avi, MPEG-TS, flv, MPEG-PS, asf) with a video stream are accepted. Anything refused leaves ' +
          'nothing behind (no object, no metadata).',
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: {
                ...jsonSchema(uploadFields),
                required: ['courseId', 'title', 'file'],
                properties: {
                  ...(jsonSchema(uploadFields).properties as object),
                  file: {
                    type: 'string',
                    contentMediaType: 'application/octet-stream',
                    description: 'The video; the last part',
                  },
                },
              },
              encoding: { file: { contentType: 'application/octet-stream' } },
            },
          },
        },
        responses: {
          '201': {
            description: 'Stored and probed; status "uploaded"',
            headers: { Location: { schema: { type: 'string' } } },
            ...json(ref('Video')),
          },
          ...commonProblems,
          '400': problem(
            'Invalid fields, or a malformed form: a part without a name, parts out of order or too many, a body that ends before the closing boundary',
          ),
          '403': problem('The caller is a student, or the course is someone else’s'),
          '404': problem(
            'The course is unknown to this service (or deleted); if it was just created, retry shortly',
          ),
          '408': problem(
            'The body stopped coming, or came too slowly (HTTP_BODY_* settings); the connection is closed',
          ),
          '413': problem(
            'The file is larger than UPLOAD_MAX_BYTES (default 2 GiB): refused from a declared Content-Length before reading, else when the limit is crossed',
          ),
          '415': problem(
            'Not multipart/form-data, or the file is not a video we accept (not media, no video stream, a playlist…)',
          ),
        },
      },
    },
    '/api/v1/content/{videoId}/transcode': {
      post: {
        summary: 'Request the HLS renditions (the course’s owner or an admin)',
        description:
          'Queues a Transcoding-Request (status "queued"). While a request is queued or transcoding, asking again returns that ' +
          'request (same requestId) and queues nothing. After "ready" or "failed", asking again starts a new request. No body.',
        parameters: [videoId],
        responses: {
          '202': {
            description: 'Queued, or the request already in flight',
            ...json(ref('TranscodeAccepted')),
          },
          ...commonProblems,
          '403': problem('Not the course’s owner or an admin'),
          ...notFound,
        },
      },
    },
    '/api/v1/content/{videoId}': {
      get: {
        summary: `A video’s metadata, status, progress and renditions (${watchers})`,
        parameters: [videoId],
        responses: {
          '200': { description: 'The video', ...json(ref('Video')) },
          ...commonProblems,
          '403': problem('Not allowed to watch this video'),
          ...notFound,
        },
      },
    },
    '/api/v1/content/{videoId}/events': {
      get: {
        summary: `Live status and transcode progress of a video, as Server-Sent Events (${watchers})`,
        description:
          'text/event-stream: an `event: video` whose data is the same JSON as GET /{videoId}, at once and on every change of status ' +
          'or progress (read from the database about once a second, so it works whichever replica consumed the progress), a ' +
          '`: keepalive` comment after 15 s without an event, and the end of the stream after a terminal status (ready or failed) ' +
          'or when the video is deleted. Send the bearer token (read the stream with fetch(); EventSource cannot send headers). ' +
          'Access is decided when the stream opens, as for GET /{videoId}.',
        parameters: [videoId],
        responses: {
          '200': {
            description: 'The event stream',
            content: {
              'text/event-stream': {
                schema: { type: 'string' },
                example: 'event: video\ndata: {"videoId":"…","status":"transcoding","progress":40,…}\n\n',
              },
            },
          },
          ...commonProblems,
          '403': problem('Not allowed to watch this video'),
          ...notFound,
          '503': problem('Too many open event streams on this server; retry shortly or poll GET /{videoId}'),
        },
      },
    },
    '/api/v1/content/{videoId}/stream': {
      get: {
        summary: `The HLS master playlist (${watchers})`,
        description:
          'Every URI in it points back at /api/v1/content/{videoId}/hls/… with a short-lived playback token (scoped to the video and ' +
          'the caller), because players cannot send the bearer token with the playlist and segment requests they make themselves.',
        parameters: [videoId],
        responses: {
          '200': playlist('The master playlist, URIs rewritten'),
          ...commonProblems,
          '403': problem('Not allowed to watch this video'),
          ...notFound,
          '409': problem('Not transcoded yet (reason "not-ready")'),
        },
      },
    },
    '/api/v1/content/{videoId}/hls/{path}': {
      get: {
        summary:
          'A file the served playlists name: variant playlist (rewritten), init segment or media segment',
        security: [],
        parameters: [
          videoId,
          {
            name: 'path',
            in: 'path',
            required: true,
            schema: { type: 'string', examples: ['720p/index.m3u8', '720p/seg_001.m4s'] },
          },
          {
            name: 'token',
            in: 'query',
            required: true,
            schema: { type: 'string' },
            description: 'The playback token from the playlist',
          },
          range,
        ],
        responses: {
          ...fileResponses,
          '200': {
            description: 'The file (playlists rewritten like the master)',
            content: {
              'application/vnd.apple.mpegurl': { schema: { type: 'string' } },
              '*/*': { schema: binary },
            },
          },
          ...kitProblems,
          '403': problem('Playback token missing, malformed, forged, expired, or for another video'),
          '404': problem('No such video (or its course was deleted), or a file its playlists do not name'),
        },
      },
    },
    '/api/v1/content/{videoId}/poster': {
      get: {
        summary: `The poster image (${watchers})`,
        description:
          'With the bearer token, or without one through the video’s posterUrl, whose playback token ' +
          '(short-lived, for this video) is the permission: an <img> or <video poster> sends no headers.',
        security: [{ bearer: [] }, {}],
        parameters: [
          videoId,
          {
            name: 'token',
            in: 'query',
            required: false,
            schema: { type: 'string' },
            description: 'The playback token of the video’s posterUrl (then no bearer token is needed)',
          },
          range,
        ],
        responses: {
          ...fileResponses,
          ...commonProblems,
          '403': problem(
            'Not allowed to watch this video, or a playback token malformed, forged, expired or for another video',
          ),
          '404': problem('No such video (or its course was deleted), or no poster'),
          '409': problem('Not transcoded yet (reason "not-ready")'),
        },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    schemas: {
      Video: {
        type: 'object',
        required: [
          'videoId',
          'courseId',
          'title',
          'status',
          'progress',
          'renditions',
          'error',
          'createdAt',
          'updatedAt',
        ],
        properties: {
          videoId: { type: 'string', format: 'uuid' },
          courseId: { type: 'string', format: 'uuid' },
          title: { type: 'string' },
          status: { type: 'string', enum: [...VIDEO_STATUSES] },
          progress: { type: 'integer', minimum: 0, maximum: 100 },
          durationSeconds: nullable('number'),
          width: { type: 'integer' },
          height: { type: 'integer' },
          sizeBytes: { type: 'integer' },
          checksum: { type: 'string', description: 'sha256 of the uploaded file, hex' },
          container: { type: 'string', description: 'The demuxer the probe identified (mov, matroska, ...)' },
          videoCodec: { type: 'string' },
          audioCodec: nullable('string'),
          originalFilename: nullable('string'),
          renditions: {
            type: 'array',
            items: {
              type: 'object',
              required: ['name', 'width', 'height', 'bandwidth'],
              properties: {
                name: { type: 'string' },
                width: { type: 'integer' },
                height: { type: 'integer' },
                bandwidth: { type: 'integer' },
              },
            },
          },
          requestId: {
            ...nullable('string', { format: 'uuid' }),
            description: 'The current (or last) transcoding request',
          },
          error: { ...nullable('string'), description: 'Why the last transcode failed' },
          posterUrl: {
            ...nullable('string'),
            description:
              'The poster, fetchable without a bearer token while its playback token lives ' +
              '(PLAYBACK_TOKEN_TTL_SECONDS); null before the first transcode and in upload answers',
          },
          createdAt: dateTime,
          updatedAt: dateTime,
        },
      },
      TranscodeAccepted: {
        type: 'object',
        required: ['videoId', 'status', 'requestId'],
        properties: {
          videoId: { type: 'string', format: 'uuid' },
          status: { type: 'string', enum: ['queued', 'transcoding', 'playable'] },
          requestId: { type: 'string', format: 'uuid' },
        },
      },
      Problem: problemSchema(),
    },
  },
};
