import createClient from 'openapi-fetch';
import type { paths as UsersPaths, components as UsersComponents } from './generated/users';
import type { paths as CoursesPaths, components as CoursesComponents } from './generated/courses';
import type { paths as ContentPaths, components as ContentComponents } from './generated/content';
import type { paths as AssessmentsPaths, components as AssessmentsComponents } from './generated/assessments';
import type { paths as NotificationsPaths, components as NotificationsComponents } from './generated/notifications';

export type Course = CoursesComponents['schemas']['Course'];
export type Module = CoursesComponents['schemas']['Module'];
export type CourseProgress = CoursesComponents['schemas']['CourseProgress'];
export type Video = ContentComponents['schemas']['Video'];
export type User = UsersComponents['schemas']['User'];
export type Problem = UsersComponents['schemas']['Problem'];
export type StudentAssessment = AssessmentsComponents['schemas']['StudentAssessment'];
export type AssessmentSummary = AssessmentsComponents['schemas']['AssessmentSummary'];
export type Submission = AssessmentsComponents['schemas']['Submission'];
export type OwnResults = AssessmentsComponents['schemas']['OwnResults'];
export type Notification = NotificationsComponents['schemas']['Notification'];

/** What the console knows about who is signed in: read from the access token's claims. */
export interface Me {
  id: string;
  role: 'student' | 'instructor' | 'admin';
}

const SESSION = '/api/v1/users/session';
// The cookie routes refuse a request without it: a cross-site form cannot send a custom header.
const CSRF = { 'X-MoocFlix-CSRF': '1' };

/**
 * The access token lives in this module's memory only (never localStorage, where any script could
 * read it). The long-lived credential is the HttpOnly refresh cookie, scoped to the session path;
 * a page load exchanges it for a new access token.
 */
let accessToken: string | null = null;
let me: Me | null = null;
const listeners = new Set<() => void>();
let refreshing: Promise<boolean> | null = null;

export function currentUser(): Me | null {
  return me;
}
export function currentToken(): string | null {
  return accessToken;
}
export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function setToken(token: string | null): void {
  accessToken = token;
  me = token ? claimsOf(token) : null;
  for (const listener of listeners) listener();
}

/** The JWT's payload (no verification: the API verifies; this only picks the menu to show). */
export function claimsOf(token: string): Me | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: unknown; role?: unknown };
    if (typeof json.sub !== 'string') return null;
    const role = json.role === 'instructor' || json.role === 'admin' ? json.role : 'student';
    return { id: json.sub, role };
  } catch {
    return null;
  }
}

async function readToken(res: Response): Promise<boolean> {
  if (!res.ok) {
    setToken(null);
    return false;
  }
  const body = (await res.json()) as { accessToken: string };
  setToken(body.accessToken);
  return true;
}

/**
 * Exchanges the refresh cookie for an access token: one request at a time in this tab (its callers
 * share it) and across this origin's tabs. The API rotates the cookie on every use and takes a used
 * one presented again for a stolen copy, ending the session everywhere; two tabs sending the same
 * cookie at once (several tabs opened together, each loading) would do just that. Under the lock the
 * second tab's request carries the cookie the first one's answer set.
 */
export function refreshSession(): Promise<boolean> {
  refreshing ??= oneTabAtATime(() =>
    fetch(`${SESSION}/refresh`, { method: 'POST', headers: CSRF, credentials: 'same-origin' }).then(readToken),
  )
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/**
 * Runs `task` holding the origin-wide session lock (Web Locks: every current browser, in a secure
 * context — https or localhost, where the Secure refresh cookie works at all). Without it, in this tab only.
 */
function oneTabAtATime(task: () => Promise<boolean>): Promise<boolean> {
  const locks = (navigator as Partial<Navigator>).locks;
  if (!locks) return task();
  // The DOM typings say Promise<Promise<boolean>>; the lock's promise resolves with the task's result.
  return locks.request('moocflix-session-refresh', task).then((answer) => answer);
}

/**
 * This origin's tabs tell each other of a sign-in and a sign-out. Each tab holds its own access
 * token, valid until it expires: a tab left open after signing out in another must drop its token
 * at once rather than go on as the user, and one signed out picks up a sign-in made elsewhere.
 */
let otherTabs: BroadcastChannel | null = null;

/**
 * Joins the tabs' channel: called once by the app at start (main.tsx), not on import, so code that
 * only imports this module (the unit tests under Node, which has BroadcastChannel too) opens no
 * channel that would keep its process alive.
 */
export function shareSessionWithOtherTabs(): void {
  if (otherTabs || typeof BroadcastChannel === 'undefined') return;
  otherTabs = new BroadcastChannel('moocflix-session');
  otherTabs.addEventListener('message', (event: MessageEvent) => {
    if (event.data === 'signed-out') setToken(null);
    else if (event.data === 'signed-in' && !accessToken) void refreshSession();
  });
}

/** Signs in; returns the API's problem detail on failure. */
export async function signIn(email: string, password: string): Promise<string | null> {
  const res = await fetch(SESSION, {
    method: 'POST',
    headers: { ...CSRF, 'Content-Type': 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify({ email, password }),
  });
  if (await readToken(res.clone())) {
    otherTabs?.postMessage('signed-in');
    return null;
  }
  return problemText(res);
}

export async function signOut(): Promise<void> {
  const headers: Record<string, string> = { ...CSRF };
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
  try {
    await fetch(SESSION, { method: 'DELETE', headers, credentials: 'same-origin' });
  } finally {
    setToken(null);
    otherTabs?.postMessage('signed-out');
  }
}

/** A readable sentence from a problem+json answer (or the status line). */
export async function problemText(res: Response): Promise<string> {
  try {
    const problem = (await res.json()) as Partial<Problem>;
    const fields = problem.errors?.map((e) => `${e.path}: ${e.message}`).join('; ');
    return [problem.detail ?? problem.title, fields].filter(Boolean).join(' — ') || `HTTP ${res.status}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}

/**
 * fetch with the bearer token; on a 401 it refreshes the session once and retries, so an expired
 * access token is invisible to the pages.
 */
export async function authFetch(input: Request | string, init?: RequestInit): Promise<Response> {
  const request = typeof input === 'string' ? new Request(input, init) : input;
  const retry = request.clone();
  if (accessToken) request.headers.set('Authorization', `Bearer ${accessToken}`);
  const res = await fetch(request);
  if (res.status !== 401 || !(await refreshSession())) return res;
  retry.headers.set('Authorization', `Bearer ${accessToken ?? ''}`);
  return fetch(retry);
}

const fetchWithAuth = (request: Request): Promise<Response> => authFetch(request);
export const usersApi = createClient<UsersPaths>({ baseUrl: '/api/v1/users', fetch: fetchWithAuth });
export const coursesApi = createClient<CoursesPaths>({ fetch: fetchWithAuth });
export const contentApi = createClient<ContentPaths>({ fetch: fetchWithAuth });
export const assessmentsApi = createClient<AssessmentsPaths>({ fetch: fetchWithAuth });
export const notificationsApi = createClient<NotificationsPaths>({ fetch: fetchWithAuth });

/** A failed API call: the problem's sentence, and the status for callers that decide on it. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Throws the problem's sentence when an openapi-fetch call failed; returns its data otherwise. */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    // openapi-fetch has already read the body: `error` is the parsed problem+json.
    const problem = (error ?? {}) as Partial<Problem>;
    const fields = problem.errors?.map((e) => `${e.path}: ${e.message}`).join('; ');
    throw new ApiError([problem.detail ?? problem.title, fields].filter(Boolean).join(' — ') || `HTTP ${response.status}`, response.status);
  }
  return data as T;
}

/**
 * Services learn of courses and enrollments from events, a moment after the write: right after
 * creating a course or enrolling, another service may still answer 404 or 403. Such answers are
 * retried for a few seconds before they are shown.
 */
export async function settled<T>(load: () => Promise<T>, { attempts = 12, delayMs = 500 } = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await load();
    } catch (err) {
      const lagging = err instanceof ApiError && (err.status === 403 || err.status === 404);
      if (!lagging || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}
