import { PassThrough, type Readable } from 'node:stream';
import busboy from 'busboy';
import type { Request } from 'express';
import { problems, type HttpProblem } from '@moocflix/platform/errors';

/** An upload form read up to the start of its file part. */
export interface UploadForm {
  /** The text parts that came before the file, by name. */
  fields: Record<string, string>;
  /**
   * The file's bytes. It ends only once the whole form has been read, and fails with a 400
   * problem if anything follows the file: a form is accepted whole or not at all.
   */
  file: Readable;
  filename: string | null;
  /** Reads and discards whatever of the body was not consumed, so the connection is left usable. */
  discardRest(): void;
}

/** Field names and values are short; these bound what a hostile form can make us hold. */
const LIMITS = { fields: 8, fieldSize: 4 * 1024, fieldNameSize: 100, files: 1, parts: 10, headerPairs: 20 };
const MAX_FILENAME_LENGTH = 255;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

/**
 * Streams a multipart/form-data upload (busboy): resolves at the file part with the text fields
 * read so far, so they can be validated — and the caller's rights checked — before a byte of the
 * file is stored. That makes an order part of the contract: `courseId` and `title` first, then
 * `file`; a file before them is refused (400). Nothing is buffered beyond busboy's own chunks.
 */
export function readUploadForm(req: Request, requiredFields: readonly string[]): Promise<UploadForm> {
  if (!req.is('multipart/form-data')) {
    return Promise.reject(problems.unsupportedMediaType('Send the upload as multipart/form-data'));
  }
  return new Promise((resolve, reject) => {
    let form: busboy.Busboy;
    try {
      form = busboy({ headers: req.headers, limits: LIMITS });
    } catch (err) {
      reject(problems.badRequest(`Malformed multipart request: ${(err as Error).message}`));
      return;
    }
    const fields: Record<string, string> = {};
    let file: PassThrough | undefined;
    /** Why the form is refused although its file has started (reported when the form ends). */
    let afterFile: string | undefined;

    // Before the file: refuse the request. After: fail the file stream, which fails the upload.
    const fail = (problem: HttpProblem | Error) => (file ? file.destroy(problem) : reject(problem));

    form.on('field', (name: string, value: string, info: busboy.FieldInfo) => {
      if (file) {
        afterFile = `The file must be the last part of the form; "${name}" came after it`;
      } else if (info.nameTruncated || info.valueTruncated) {
        fail(problems.badRequest(`The field "${name.slice(0, 100)}" is too long`));
      } else if (Object.hasOwn(fields, name)) {
        fail(problems.badRequest(`The field "${name}" is sent twice`));
      } else {
        fields[name] = value;
      }
    });
    form.on('file', (name: string, stream: Readable, info: busboy.FileInfo) => {
      if (file) {
        stream.resume();
        afterFile = 'Send one file per upload';
        return;
      }
      const missing = requiredFields.filter((field) => !Object.hasOwn(fields, field));
      if (name !== 'file' || missing.length > 0) {
        stream.resume();
        fail(
          problems.badRequest(
            name !== 'file'
              ? `The file part must be named "file", not "${name}"`
              : `The fields ${requiredFields.join(' and ')} must come before the file part (missing: ${missing.join(', ')})`,
          ),
        );
        return;
      }
      const body = (file = new PassThrough());
      stream.on('error', (err) => body.destroy(err));
      stream.pipe(body, { end: false });
      // Once the upload stops reading (refused, too large, done), keep draining the form.
      body.on('close', () => stream.resume());
      resolve({
        fields,
        file: body,
        filename: info.filename
          ? info.filename.replace(CONTROL_CHARACTERS, '').slice(0, MAX_FILENAME_LENGTH)
          : null,
        discardRest: () => body.resume(),
      });
    });
    for (const limit of ['partsLimit', 'filesLimit', 'fieldsLimit'] as const) {
      form.on(limit, () => {
        if (file) afterFile = 'The form has more parts than an upload needs';
        else fail(problems.badRequest('The form has more parts than an upload needs'));
      });
    }
    form.on('error', (err: Error) => fail(problems.badRequest(`Malformed multipart body: ${err.message}`)));
    form.on('close', () => {
      if (!file) reject(problems.badRequest('The form has no "file" part'));
      else if (afterFile) file.destroy(problems.badRequest(afterFile));
      else file.end();
    });
    req.on('error', (err) => fail(err));
    req.pipe(form);
  });
}
