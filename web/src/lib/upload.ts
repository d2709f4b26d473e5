/**
 * Uploads with a progress bar and a cancel button: fetch() cannot report upload progress, so this
 * one request uses XMLHttpRequest and its upload.onprogress.
 */
export interface UploadProgress {
  loaded: number;
  total: number;
  /** 0..100, whole numbers; null while the total is unknown. */
  percent: number | null;
}

export function uploadProgress(loaded: number, total: number, lengthComputable: boolean): UploadProgress {
  if (!lengthComputable || total <= 0) return { loaded, total, percent: null };
  return { loaded, total, percent: Math.min(100, Math.floor((loaded / total) * 100)) };
}

export interface UploadHandle {
  done: Promise<{ status: number; body: unknown }>;
  cancel(): void;
}

/** POSTs a multipart form; resolves with the status and the parsed JSON body, rejects when cancelled. */
export function uploadForm(url: string, form: FormData, token: string | null, onProgress: (p: UploadProgress) => void): UploadHandle {
  const xhr = new XMLHttpRequest();
  const done = new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    xhr.open('POST', url);
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (e) => onProgress(uploadProgress(e.loaded, e.total, e.lengthComputable));
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = xhr.responseText;
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new Error('The upload failed (network error)'));
    xhr.onabort = () => reject(new Error('Upload cancelled'));
    xhr.send(form);
  });
  return { done, cancel: () => xhr.abort() };
}
