import { PassThrough, type Readable } from 'node:stream';
import busboy from 'busboy';
import type { Request } from 'express';
import { problems, type HttpProblem } from '@moocflix/platform-core/errors';
import { requestBody } from '@moocflix/platform-http';

/** An upload form read up to the start of its file part. */
export interface UploadForm {
  /** The text parts that came before the file, by name. */
  fields: Record<string, string>;
  /**
   * The file's bytes. It ends only once the whole form has been read, and fails with a 400
   * problem if the form ends badly or anything follows the file: a form is accepted whole or not
   * at all. It fails with the kit's problem when the body is cut (413 over the limit, 408 too
   * slow) and with a 400 when the client leaves mid-body, so its reader always learns the end.
   */
  file: Readable;
  filename: string | null;
  /**
   * Stops reading the form (call it on every path once the upload is over): the parser lets go of
   * the body; whatever of it is left, the kit drains briefly after the answer and then closes.
   */
  discardRest(): void;
}

/** Field names and values are short; these bound what a hostile form can make us hold. */
const LIMITS = { fields: 8, fieldSize: 4 * 1024, fieldNameSize: 100, files: 1, parts: 10, headerPairs: 20 };
const MAX_FILENAME_LENGTH = 255;
/**
 * How much of the file each stage of the upload's pipeline may hold: about a megabyte, so the
 * parser, the checksum and the storage's writes overlap instead of taking turns chunk by chunk.
 */
const BUFFER_BYTES = 1024 * 1024;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

const noop = () => undefined;

/**
 * Streams a multipart/form-data upload (busboy): resolves at the file part with the text fields
 * read so far, so they can be validated — and the caller's rights checked — before a byte of the
 * file is stored. That makes an order part of the contract: `courseId` and `title` first, then
 * `file`; a file before them is refused (400). Nothing is buffered beyond busboy's own chunks.
 *
 * A form can end badly anywhere (in a part's headers, in a field, in the file, before the closing
 * boundary) or the client can leave. Every stream here (the body, the parser, each file part, the
 * file handed out) has an 'error' listener from the moment it exists, because an 'error' nobody
 * listens for ends the whole process; each such ending becomes one HttpProblem, delivered exactly
 * once: a rejection before the file, the file stream's error after it.
 */
export function readUploadForm(req: Request, requiredFields: readonly string[]): Promise<UploadForm> {
  if (!req.is('multipart/form-data')) {
    return Promise.reject(problems.unsupportedMediaType('Send the upload as multipart/form-data'));
  }
  return new Promise((resolve, reject) => {
    let form: busboy.Busboy;
    try {
      form = busboy({
        headers: req.headers,
        limits: LIMITS,
        highWaterMark: BUFFER_BYTES,
        fileHwm: BUFFER_BYTES,
      });
    } catch (err) {
      reject(problems.badRequest(`Malformed multipart request: ${(err as Error).message}`));
      return;
    }
    const body = requestBody(req);
    const fields: Record<string, string> = {};
    let file: PassThrough | undefined;
    let stopped = false;

    // From here on the parser's and the body's endings are ours to report, and only once.
    form.on('error', (err: Error) => fail(problems.badRequest(`Malformed multipart body: ${err.message}`)));
    body.on('error', (err: Error) => fail(asProblem(err)));
    body.on('close', () => {
      if (!body.readableEnded)
        fail(problems.badRequest('The request body ended before the form was complete'));
    });

    /** Lets go of the body and the parser; what is left of the body is not read here. */
    function stop(): void {
      if (stopped) return;
      stopped = true;
      body.unpipe(form);
      // The kit's body stream is ours to drop; the raw request (no kit guard) is drained instead,
      // as destroying it would hang up on the client before the answer.
      if (body === req) req.resume();
      else body.destroy();
      form.destroy();
    }

    // Before the file: refuse the request. After: fail the file stream, which fails the upload.
    function fail(problem: HttpProblem | Error): void {
      if (file) file.destroy(problem);
      else reject(problem);
      stop();
    }

    form.on('field', (name: string | undefined, value: string, info: busboy.FieldInfo) => {
      if (stopped) return;
      if (!name) fail(problems.badRequest('A part of the form has no name'));
      else if (file)
        fail(problems.badRequest(`The file must be the last part of the form; "${name}" came after it`));
      else if (info.nameTruncated || info.valueTruncated) {
        fail(problems.badRequest(`The field "${name.slice(0, 100)}" is too long`));
      } else if (Object.hasOwn(fields, name)) fail(problems.badRequest(`The field "${name}" is sent twice`));
      else fields[name] = value;
    });

    form.on('file', (name: string | undefined, stream: Readable, info: busboy.FileInfo) => {
      // Busboy destroys a part that ends early with an error; unheard, it would end the process.
      stream.on('error', noop);
      if (
        stopped ||
        file ||
        !name ||
        name !== 'file' ||
        requiredFields.some((f) => !Object.hasOwn(fields, f))
      ) {
        stream.resume();
        if (!stopped) fail(problems.badRequest(refusedFilePart(name, Boolean(file), fields, requiredFields)));
        return;
      }
      const out = (file = new PassThrough({ highWaterMark: BUFFER_BYTES }));
      // Its reader attaches later (after the caller's checks); until then an error must not be unheard.
      out.on('error', noop);
      stream.on('error', (err: Error) =>
        out.destroy(problems.badRequest(`Malformed multipart body: ${err.message}`)),
      );
      // The file ends with the form (see 'close'), not with its part: whatever follows may still refuse it.
      stream.pipe(out, { end: false });
      // Its reader gave up (refused, too large, failed): nothing more of the form is needed.
      out.on('close', () => {
        if (!out.writableEnded) stop();
      });
      resolve({
        fields,
        file: out,
        filename: info.filename
          ? info.filename.replace(CONTROL_CHARACTERS, '').slice(0, MAX_FILENAME_LENGTH)
          : null,
        discardRest: stop,
      });
    });
    for (const limit of ['partsLimit', 'filesLimit', 'fieldsLimit'] as const) {
      form.on(limit, () => fail(problems.badRequest('The form has more parts than an upload needs')));
    }
    form.on('close', () => {
      if (stopped) return;
      if (!file) fail(problems.badRequest('The form has no "file" part'));
      else file.end();
    });
    body.pipe(form);
  });
}

function refusedFilePart(
  name: string | undefined,
  secondFile: boolean,
  fields: Record<string, string>,
  requiredFields: readonly string[],
): string {
  if (secondFile) return 'Send one file per upload';
  if (!name) return 'A part of the form has no name';
  if (name !== 'file') return `The file part must be named "file", not "${name.slice(0, 100)}"`;
  const missing = requiredFields.filter((field) => !Object.hasOwn(fields, field));
  return `The fields ${requiredFields.join(' and ')} must come before the file part (missing: ${missing.join(', ')})`;
}

/** The kit's body stream fails with an HttpProblem (413, 408, client gone); anything else is a 400. */
function asProblem(err: Error): HttpProblem | Error {
  return 'status' in err ? err : problems.badRequest(`The request body failed: ${err.message}`);
}
