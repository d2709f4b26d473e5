// The few API calls the kind checks make beyond the learning flow (flows.ts): more uploads, enrollments, the
// inbox. Plain fetch against the port-forwarded Services.
import type { ApiEndpoints } from './flows';
import { eventually } from './kube';

export interface Answer<T = unknown> {
  status: number;
  body: T;
  text: string;
}

export class Api {
  constructor(private readonly endpoints: () => ApiEndpoints) {}

  async call<T = unknown>(
    service: keyof ApiEndpoints,
    method: string,
    path: string,
    token?: string,
    body?: unknown,
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: string | FormData | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const suffix = !path ? '' : path.startsWith('?') ? path : `/${path}`;
    const url = `${this.endpoints()[service]}/api/v1/${service}${suffix}`;
    const response = await fetch(url, {
      method,
      headers,
      body: payload,
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed as T, text };
  }

  async expect<T = unknown>(status: number, ...args: Parameters<Api['call']>): Promise<T> {
    const answer = await this.call<T>(...args);
    if (answer.status !== status) {
      throw new Error(
        `${args[1]} ${args[0]}/${args[2]}: expected ${status}, got ${answer.status}: ${answer.text.slice(0, 300)}`,
      );
    }
    return answer.body;
  }

  /** Uploads a video to a course and asks for its transcode; returns its id. */
  async uploadAndTranscode(
    token: string,
    courseId: string,
    video: Uint8Array,
    title: string,
  ): Promise<string> {
    const form = new FormData();
    form.set('courseId', courseId);
    form.set('title', title);
    form.set('file', new Blob([video], { type: 'video/mp4' }), 'e2e.mp4');
    const uploaded = await this.expect<{ videoId: string }>(201, 'content', 'POST', 'upload', token, form);
    await this.expect(202, 'content', 'POST', `${uploaded.videoId}/transcode`, token);
    return uploaded.videoId;
  }

  /** Waits for a video to be ready (fails at once when it failed). */
  async videoReady(token: string, videoId: string, timeoutMs: number): Promise<{ renditions: unknown[] }> {
    return eventually(
      `video ${videoId} ready`,
      async () => {
        const video = await this.expect<{ status: string; error?: unknown; renditions: unknown[] }>(
          200,
          'content',
          'GET',
          videoId,
          token,
        );
        if (video.status === 'failed')
          throw Object.assign(new Error(`video failed: ${JSON.stringify(video.error)}`), { fatal: true });
        return video.status === 'ready' ? video : undefined;
      },
      timeoutMs,
      2000,
    );
  }

  /** A new student account, signed in: returns its access token. */
  async newStudent(name: string): Promise<string> {
    const email = `${name.toLowerCase()}-${Date.now().toString(36)}@moocflix.test`;
    const password = `correct horse battery ${email}`;
    await this.expect(201, 'users', 'POST', 'signup', undefined, { email, password, name, role: 'student' });
    const login = await this.expect<{ accessToken: string }>(200, 'users', 'POST', 'login', undefined, {
      email,
      password,
    });
    return login.accessToken;
  }

  /** A published course of the instructor's; returns its id. */
  async course(token: string, title: string): Promise<string> {
    const course = await this.expect<{ id: string }>(201, 'courses', 'POST', '', token, {
      title,
      description: 'kind e2e',
      published: true,
    });
    return course.id;
  }

  async notificationTypes(token: string): Promise<string[]> {
    const types: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const inbox = await this.expect<{ items: { type: string }[]; nextCursor?: string | null }>(
        200,
        'notifications',
        'GET',
        `?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        token,
      );
      types.push(...inbox.items.map((n) => n.type));
      if (!inbox.nextCursor) break;
      cursor = inbox.nextCursor;
    }
    return types;
  }
}
