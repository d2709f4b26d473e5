import { render, type ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { currentUser, notificationsApi, onSessionChange, refreshSession, shareSessionWithOtherTabs, signOut } from './api/client';
import { Link, match, navigate, useLocation } from './router';
import { Catalogue, CoursePage, MyCourses } from './pages/learner';
import { SignIn, SignUp } from './pages/auth';
import { Notifications } from './pages/notifications';
import { Profile } from './pages/profile';
import './styles.css';

type Loader = () => Promise<{ default: ComponentType<{ params: Record<string, string> }> }>;

/** Pages outside the first screen load on demand: the player (and hls.js with it) and the studio. */
function lazyPage(load: Loader) {
  let loaded: ComponentType<{ params: Record<string, string> }> | null = null;
  return function LazyPage(props: { params: Record<string, string> }) {
    const [page, setPage] = useState(() => loaded);
    useEffect(() => {
      if (!page) void load().then((m) => setPage(() => (loaded = m.default)));
    }, [page]);
    const Page = page;
    return Page ? <Page {...props} /> : <p aria-live="polite">Loading…</p>;
  };
}

const Player = lazyPage(() => import('./pages/player'));
const Quiz = lazyPage(() => import('./pages/quiz'));
const Studio = lazyPage(() => import('./pages/studio'));
const StudioCourse = lazyPage(() => import('./pages/studio-course'));

const ROUTES: [string, ComponentType<{ params: Record<string, string> }>, boolean][] = [
  // [pattern, page, needs a session]
  ['/', Catalogue, true],
  ['/signin', SignIn, false],
  ['/signup', SignUp, false],
  ['/courses/:id', CoursePage, true],
  ['/courses/:id/watch/:moduleId', Player, true],
  ['/quizzes/:id', Quiz, true],
  ['/my', MyCourses, true],
  ['/notifications', Notifications, true],
  ['/profile', Profile, true],
  ['/studio', Studio, true],
  ['/studio/courses/:id', StudioCourse, true],
];

function UnreadBadge() {
  const [count, setCount] = useState<number | null>(null);
  const url = useLocation();
  useEffect(() => {
    void notificationsApi.GET('/api/v1/notifications', { params: { query: { limit: 1, unread: 'true' } } }).then(({ data }) => {
      if (data) setCount(data.unreadCount);
    });
  }, [url.pathname]);
  return (
    <Link href="/notifications">
      Notifications{count ? <span class="badge" aria-label={`${count} unread`}>{count}</span> : null}
    </Link>
  );
}

function App() {
  const url = useLocation();
  const [ready, setReady] = useState(false);
  const [, setVersion] = useState(0);
  useEffect(() => onSessionChange(() => setVersion((v) => v + 1)), []);
  useEffect(() => {
    // The access token lives in memory: a new page load gets one from the refresh cookie.
    void refreshSession().finally(() => setReady(true));
  }, []);
  useEffect(() => {
    document.getElementById('main')?.focus();
  }, [url.pathname]);
  const me = currentUser();
  let page = <h1>Page not found</h1>;
  for (const [pattern, Page, needsSession] of ROUTES) {
    const params = match(pattern, url.pathname);
    if (!params) continue;
    if (needsSession && ready && !me) {
      navigate(`/signin?next=${encodeURIComponent(url.pathname + url.search)}`, true);
      page = <p>Redirecting to sign in…</p>;
    } else page = ready ? <Page params={params} /> : <p aria-live="polite">Loading…</p>;
    break;
  }
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <nav aria-label="Main">
          <Link href="/" class="brand">
            MoocFlix
          </Link>
          {me ? (
            <>
              <Link href="/">Catalogue</Link>
              {me.role === 'student' ? <Link href="/my">My courses</Link> : <Link href="/studio">Studio</Link>}
              <UnreadBadge />
              <Link href="/profile">Profile</Link>
              <button type="button" class="link" onClick={() => void signOut().then(() => navigate('/signin'))}>
                Sign out
              </button>
            </>
          ) : (
            <>
              <Link href="/signin">Sign in</Link>
              <Link href="/signup">Sign up</Link>
            </>
          )}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </>
  );
}

shareSessionWithOtherTabs();
render(<App />, document.getElementById('app')!);
