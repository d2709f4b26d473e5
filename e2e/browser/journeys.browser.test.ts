import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { generateClip, launchBrowser, SCREENSHOTS, seriousA11yFindings, startLauncher, type Launcher } from './harness';

/**
 * Both journeys of issue 16 in a real browser against `make dev`'s process, one launcher for the
 * file: the instructor builds and publishes a course with a transcoded video and a timed quiz, then
 * a learner finds it, watches, leaves, comes back where they stopped, and takes the quiz. Every page
 * visited is scanned with axe (no serious or critical finding).
 */
// Each run has a fresh database (its own MOOCFLIX_HOME), so fixed names: stable screenshots.
const COURSE = 'Waves and Optics';
const PASSWORD = 'correct horse battery staple';

let launcher: Launcher | undefined;
let browser: Browser | undefined;
let workDir = '';
const findings: string[] = [];

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'moocflix-web-'));
  await mkdir(SCREENSHOTS, { recursive: true });
  // Both at once (each takes seconds); whichever started is stopped by afterAll if the other failed.
  const [started, launched] = await Promise.allSettled([startLauncher(), launchBrowser()]);
  if (started.status === 'fulfilled') launcher = started.value;
  if (launched.status === 'fulfilled') browser = launched.value;
  if (started.status === 'rejected') throw started.reason;
  if (launched.status === 'rejected') throw launched.reason;
}, 180_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await launcher?.stop();
  await rm(workDir, { recursive: true, force: true });
}, 60_000);

/** A phone-sized context (360 px wide): every journey runs where space is tightest. */
async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser!.newContext({ viewport: { width: 360, height: 780 }, baseURL: launcher!.url });
  const page = await context.newPage();
  page.on('pageerror', (err) => findings.push(`page error on ${page.url()}: ${err.message}`));
  return { context, page };
}

async function scan(page: Page): Promise<void> {
  findings.push(...(await seriousA11yFindings(page)));
  // Usable on a 360 px phone: nothing wider than the viewport (no sideways scrolling).
  const { width, viewport } = await page.locator('html').evaluate((html: { scrollWidth: number; clientWidth: number }) => ({
    width: html.scrollWidth,
    viewport: html.clientWidth,
  }));
  if (width > viewport) findings.push(`${page.url()}: ${width} px wide in a ${viewport} px viewport`);
}

async function signUp(page: Page, name: string, email: string, role: 'learn' | 'teach'): Promise<void> {
  await page.goto('/signup');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel(role).check();
  await scan(page);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await until(page, page.getByRole('heading', { name: 'Catalogue' }));
}

/** Waits for `target`, failing at once with the page's own error message when one shows up instead. */
async function until(page: Page, target: ReturnType<Page['locator']>, timeout = 30_000): Promise<void> {
  const alert = page.getByRole('alert').first();
  await Promise.race([
    target.waitFor({ timeout }),
    alert.waitFor({ timeout }).then(async () => {
      throw new Error(`the page says: ${await alert.textContent()} (at ${page.url()})`);
    }),
  ]);
}

interface VideoState {
  currentTime: number;
  readyState: number;
  paused: boolean;
}
const videoState = (page: Page): Promise<VideoState> =>
  page.locator('video').evaluate((v: VideoState) => ({ currentTime: v.currentTime, readyState: v.readyState, paused: v.paused }));
const videoTime = async (page: Page) => (await videoState(page)).currentTime;

/** Polls the player (waitForFunction would need eval, which the console's CSP rightly refuses). */
async function waitForVideo(page: Page, ok: (v: VideoState) => boolean, timeoutMs: number): Promise<VideoState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await videoState(page);
    if (ok(state)) return state;
    if (Date.now() > deadline) throw new Error(`the video never got there: ${JSON.stringify(state)}`);
    await page.waitForTimeout(250);
  }
}

test('the console is served at / with its CSP (no inline script) and routes in the browser', async () => {
  const res = await fetch(`${launcher!.url}/courses/anything`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  const html = await res.text();
  expect(html).toContain('<div id="app">');
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  // The API keeps its own answers.
  const api = await fetch(`${launcher!.url}/api/v1/courses`);
  expect(api.status).toBe(401);
  expect(api.headers.get('content-type')).toContain('application/problem+json');
});

test('instructor journey: create a course, upload a video, watch it transcode, attach, quiz, publish', async () => {
  const clip = await generateClip(join(workDir, 'lecture.mp4'), 12);
  const { context, page } = await newPage();
  await signUp(page, 'Ada Teacher', 'ada@example.com', 'teach');
  await page.getByRole('link', { name: 'Studio' }).click();
  await page.getByRole('heading', { name: 'Studio' }).waitFor();
  await page.getByLabel('Title').fill(COURSE);
  await page.getByLabel('Description').fill('Light, sound and the waves they ride on.');
  await page.getByLabel('Category').fill('physics');
  await scan(page);
  await page.getByRole('button', { name: 'Create course' }).click();
  await page.getByRole('heading', { name: `Studio: ${COURSE}` }).waitFor();

  await page.getByLabel('New module title').fill('Lecture 1');
  await page.getByRole('button', { name: 'Add module' }).click();
  await page.getByLabel('Video file for “Lecture 1”').setInputFiles(clip);

  // On a slow uplink the progress bar moves and Cancel stops the upload.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 20_000 });
  await page.getByRole('button', { name: 'Upload to “Lecture 1”' }).click();
  await page.getByRole('progressbar', { name: 'Uploading to Lecture 1' }).waitFor();
  await page.getByRole('button', { name: 'Cancel upload' }).click();
  await page.getByRole('alert').filter({ hasText: 'Upload cancelled' }).waitFor();
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

  const live = page.waitForRequest(/\/api\/v1\/content\/[^/]+\/events$/);
  await page.getByRole('button', { name: 'Upload to “Lecture 1”' }).click();
  // Live progress until it plays, over the content service's event stream.
  await live;
  await page.locator('[data-status="ready"]').waitFor({ timeout: 150_000 });
  await page.getByRole('button', { name: 'Attach the video to “Lecture 1”' }).click();
  await page.getByText('Attached.').waitFor();

  // A second module, moved before the first with the keyboard-friendly button.
  await page.getByLabel('New module title').fill('Introduction');
  await page.getByRole('button', { name: 'Add module' }).click();
  await page.getByRole('button', { name: 'Move “Introduction” up' }).click();
  await until(page, page.locator('ol.modules > li').first().getByRole('heading', { name: /^Introduction/ }));
  expect(await page.locator('ol.modules > li h3').allTextContents()).toEqual([
    expect.stringMatching(/^Introduction/),
    expect.stringMatching(/^Lecture 1/),
  ]);

  await page.getByLabel('Quiz title').fill('Check-in');
  await page.getByLabel('Time limit in minutes (empty: none)').fill('5');
  await page.getByLabel('Prompt').fill('How many crests does a full wave have?');
  await page.getByLabel('Options, one a line').fill('none\none\ntwo');
  await page.getByLabel('Correct option number').fill('2');
  await page.getByRole('button', { name: 'Create quiz' }).click();
  await page.getByText('Check-in (quiz, 1 questions)').waitFor();
  await page.getByLabel('Quiz title').fill('Reflection');
  await page.getByLabel('Kind').selectOption('essay');
  await page.getByLabel('Prompt').fill('Explain interference in two sentences.');
  await page.getByLabel('Points').fill('3');
  await page.getByRole('button', { name: 'Create quiz' }).click();
  await page.getByText('Reflection (quiz, 1 questions)').waitFor();

  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByText('published', { exact: true }).waitFor();
  await scan(page);
  await page.setViewportSize({ width: 1024, height: 900 });
  await page.screenshot({ path: join(SCREENSHOTS, 'studio.png'), fullPage: true });
  await context.close();
}, 240_000);

test('learner journey: find, enroll, watch 5 s, leave, come back where it stopped, take the quiz', async () => {
  const { context, page } = await newPage();
  await signUp(page, 'Lin Learner', 'lin@example.com', 'learn');
  await page.getByLabel('Search').fill(COURSE);
  await page.getByRole('button', { name: 'Search' }).click();
  await scan(page);
  await page.locator('.card', { has: page.getByRole('link', { name: COURSE }) }).getByText(/^by Ada Teacher/).waitFor();
  await page.getByRole('link', { name: COURSE }).click();
  await page.getByRole('heading', { name: COURSE }).waitFor();
  // The instructor by name (the courses service's users projection), not by id.
  await page.getByText('Instructor: Ada Teacher').waitFor();
  const courseUrl = page.url();
  await page.getByRole('button', { name: 'Enroll' }).click();
  await page.getByText('Enrolled ·').waitFor();
  await scan(page);

  await page.getByRole('link', { name: 'Watch Lecture 1' }).click();
  await page.locator('video[data-ready="true"]').waitFor();
  const playerUrl = page.url();
  await page.locator('video').focus();
  await page.keyboard.press('k'); // the player's play/pause shortcut
  await waitForVideo(page, (v) => v.currentTime >= 5, 30_000);
  await page.keyboard.press('k');
  await page.getByText('Position saved (pause)').waitFor();
  const stoppedAt = await videoTime(page);
  await scan(page);
  await page.setViewportSize({ width: 1024, height: 800 });
  await page.screenshot({ path: join(SCREENSHOTS, 'player.png') });
  await page.setViewportSize({ width: 360, height: 780 });

  // Leave, then come back with a fresh page load: the session comes from the refresh cookie and
  // the position from the API.
  await page.getByRole('link', { name: 'Back to the course' }).click();
  await page.getByRole('heading', { name: COURSE }).waitFor();
  await page.goto(playerUrl);
  await page.locator('video[data-ready="true"]').waitFor();
  await waitForVideo(page, (v) => v.readyState >= 1 && v.currentTime > 0, 30_000);
  const resumedAt = await videoTime(page);
  expect(Math.abs(resumedAt - stoppedAt)).toBeLessThanOrEqual(2);
  // The keyboard alone: ← seeks 5 s back, M mutes.
  await page.keyboard.press('ArrowLeft');
  const back = await waitForVideo(page, (v) => v.currentTime <= resumedAt - 4, 5_000);
  expect(back.currentTime).toBeGreaterThanOrEqual(resumedAt - 6);
  await page.keyboard.press('m');
  expect(await page.locator('video').evaluate((v: { muted: boolean }) => v.muted)).toBe(true);
  // → twice, then play to the end: past 90 % of the duration the module is completed.
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('k');
  await waitForVideo(page, (v) => v.paused && v.currentTime >= 11, 20_000);
  await page.getByText('Position saved (pause)').waitFor();

  await page.getByRole('link', { name: 'Back to the course' }).click();
  await page.getByRole('link', { name: 'Check-in' }).click();
  await page.getByRole('button', { name: 'Start' }).click();
  await page.getByRole('timer').waitFor();
  expect(await page.getByRole('timer').textContent()).toMatch(/Time left: [45]:\d\d/);
  await page.getByLabel('one', { exact: true }).check();
  await scan(page);
  await page.getByRole('button', { name: 'Submit' }).click();
  await page.getByText('Score: 1 / 1').waitFor();
  await page.getByText(/correct \(1 points\)/).waitFor();
  await scan(page);

  // An essay waits for the instructor (next test).
  await page.goto(courseUrl);
  await page.getByRole('link', { name: 'Reflection' }).click();
  await page.getByRole('button', { name: 'Start' }).click();
  await page.getByLabel(/^1\. Explain interference/).fill('Waves add where crests meet and cancel where a crest meets a trough.');
  await page.getByRole('button', { name: 'Submit' }).click();
  await page.getByText('Submitted: waiting for the instructor to grade').waitFor();

  await page.getByRole('link', { name: 'My courses' }).click();
  await page.getByRole('link', { name: COURSE }).waitFor();
  await page.getByText('1 of 2 modules completed').waitFor();
  await scan(page);
  await page.getByRole('link', { name: /^Notifications/ }).click();
  await page.getByRole('heading', { name: 'Notifications' }).waitFor();
  await scan(page);
  await page.getByRole('link', { name: 'Profile' }).click();
  await page.getByLabel('Name').fill('Lin L. Learner');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await until(page, page.getByRole('status').filter({ hasText: 'Saved.' }));
  await scan(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  // Signed out means the refresh cookie is gone too: a new page load is not signed in.
  await page.goto('/my');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await context.close();
}, 180_000);

test('instructor signs in again and grades the essay with feedback', async () => {
  const { context, page } = await newPage();
  await page.goto('/signin');
  await page.getByLabel('Email').fill('ada@example.com');
  await page.getByLabel('Password').fill(PASSWORD);
  await scan(page);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await until(page, page.getByRole('heading', { name: 'Catalogue' }));
  await page.getByRole('link', { name: 'Studio' }).click();
  await page.getByRole('link', { name: COURSE }).click();
  await page.getByRole('button', { name: 'Submissions of “Reflection”' }).click();
  // The learner by name (assessments knows ids only; the page takes names from the roster).
  await page.getByText(/^Lin L\. Learner: submitted, — \/ 3/).waitFor();
  await page.getByLabel('Score').fill('3');
  await page.getByLabel('Feedback').fill('Clear and right.');
  await page.getByRole('button', { name: 'Grade' }).click();
  await until(page, page.getByText(/: graded, 3 \/ 3/));
  await page.getByRole('heading', { name: 'Roster' }).waitFor();
  const roster = page.locator('section', { has: page.getByRole('heading', { name: 'Roster' }) }).getByRole('listitem');
  expect(await roster.count()).toBe(1);
  // By the name the learner gave in their profile (a User-Update event reached the courses service).
  await roster.filter({ hasText: /^Lin L\. Learner — active/ }).waitFor();
  await scan(page);
  await context.close();
}, 120_000);

test('tabs share one session: opened together they keep it (refreshes take turns), and sign-out and sign-in reach every tab', async () => {
  const { context, page } = await newPage();
  await signUp(page, 'Tam Tabs', 'tam@example.com', 'learn');
  // Every page load exchanges the refresh cookie, which the API rotates on each use and takes for a
  // stolen copy when a used one comes again (ending the session). Four loads at once, one cookie jar:
  const tabs = [page, ...(await Promise.all([1, 2, 3].map(() => context.newPage())))];
  await Promise.all(tabs.map((tab) => tab.goto('/my')));
  for (const tab of tabs) await until(tab, tab.getByRole('button', { name: 'Sign out' }), 15_000);
  // Still one live session afterwards (a detected reuse would have revoked the cookie the last tab got).
  await page.reload();
  await until(page, page.getByRole('button', { name: 'Sign out' }), 15_000);

  // Signing out in one tab signs every tab out at once: none goes on with its own access token.
  await page.getByRole('button', { name: 'Sign out' }).click();
  for (const tab of tabs.slice(1)) await tab.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 15_000 });
  // And signing in again in one tab reaches the others.
  await page.getByLabel('Email').fill('tam@example.com');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  for (const tab of tabs) await tab.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 15_000 });
  await context.close();
}, 120_000);

// Last, so both journeys run whatever axe says and every finding is listed at once.
test('axe: no serious or critical finding on any page of the journeys, and no script error', () => {
  expect(findings).toEqual([]);
});
