import { useState } from 'preact/hooks';
import { assessmentsApi, coursesApi, currentUser, must, type Course } from '../api/client';
import { Link } from '../router';
import { ErrorText, Loading, useAction, useData } from '../ui';

const PAGE_SIZE = 10;

/** The catalogue: search, a category filter and keyset paging (the API's cursor, never an offset). */
export function Catalogue() {
  const [q, setQ] = useState('');
  const [category, setCategory] = useState('');
  const [applied, setApplied] = useState({ q: '', category: '' });
  // Cursors of the pages before this one, so "Previous" goes back without offsets.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const { data, error } = useData(
    () =>
      must(
        coursesApi.GET('/api/v1/courses', {
          params: {
            query: {
              limit: PAGE_SIZE,
              published: 'true',
              ...(applied.q ? { q: applied.q } : {}),
              ...(applied.category ? { category: applied.category } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      ),
    [applied.q, applied.category, cursor],
  );
  return (
    <section>
      <h1>Catalogue</h1>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setCursors([undefined]);
          setApplied({ q: q.trim(), category: category.trim() });
        }}
      >
        <label>
          Search
          <input type="search" name="q" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </label>
        <label>
          Category
          <input name="category" value={category} onInput={(e) => setCategory(e.currentTarget.value)} />
        </label>
        <button type="submit">Search</button>
      </form>
      <ErrorText error={error} />
      {!data ? (
        <Loading />
      ) : data.items.length === 0 ? (
        <p>No course matches.</p>
      ) : (
        <ul class="cards">
          {data.items.map((c) => (
            <li key={c.id}>
              <CourseCard course={c} />
            </li>
          ))}
        </ul>
      )}
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous
        </button>
        <button type="button" disabled={!data?.nextCursor} onClick={() => data?.nextCursor && setCursors([...cursors, data.nextCursor])}>
          Next
        </button>
      </nav>
    </section>
  );
}

function CourseCard({ course }: { course: Course }) {
  return (
    <article class="card">
      <h2>
        <Link href={`/courses/${course.id}`}>{course.title}</Link>
      </h2>
      <p class="meta">
        {[course.instructorName && `by ${course.instructorName}`, course.category, course.level, course.language].filter(Boolean).join(' · ')}
      </p>
      <p>{course.description?.slice(0, 160)}</p>
    </article>
  );
}

/** Who teaches: "you", their name, or nothing while the courses service has not heard of them yet. */
function instructorLine(course: { instructorId?: string; instructorName?: string | null }, myId: string | undefined): string | null {
  if (course.instructorId === myId) return 'Instructor: you';
  return course.instructorName ? `Instructor: ${course.instructorName}` : null;
}

/** A course: description, modules, instructor; enroll; the learner's progress and the quizzes. */
export function CoursePage({ params }: { params: Record<string, string> }) {
  const id = params.id!;
  const me = currentUser();
  const course = useData(() => must(coursesApi.GET('/api/v1/courses/{id}', { params: { path: { id } } })), [id]);
  const modules = useData(
    () => must(coursesApi.GET('/api/v1/courses/{id}/modules', { params: { path: { id }, query: { limit: 100 } } })),
    [id],
  );
  // 403 when not enrolled: then there is simply no progress to show.
  const progress = useData(async () => (await coursesApi.GET('/api/v1/courses/{id}/progress', { params: { path: { id } } })).data ?? null, [id]);
  const quizzes = useData(async () => (await assessmentsApi.GET('/api/v1/assessments', { params: { query: { courseId: id } } })).data ?? null, [id]);
  const enroll = useAction();
  if (course.error) return <ErrorText error={course.error} />;
  const c = course.data;
  if (!c) return <Loading />;
  const enrolled = progress.data != null;
  const done = new Map((progress.data?.modules ?? []).map((m) => [m.moduleId, m]));
  return (
    <article>
      <h1>{c.title}</h1>
      <p class="meta">
        {[instructorLine(c, me?.id), c.category, c.level].filter(Boolean).join(' · ')}
      </p>
      <p class="description">{c.description}</p>
      {me?.role === 'student' && !enrolled ? (
        <p>
          <button
            type="button"
            disabled={enroll.busy}
            onClick={() =>
              enroll.run(async () => {
                await must(coursesApi.POST('/api/v1/courses/{id}/enroll', { params: { path: { id } } }));
                progress.reload();
              })
            }
          >
            Enroll
          </button>
        </p>
      ) : null}
      {enrolled ? (
        <p class="status">
          Enrolled · {progress.data?.modulesCompleted ?? 0} of {progress.data?.modulesTotal ?? 0} modules completed
        </p>
      ) : null}
      {c.instructorId === me?.id ? (
        <p>
          <Link href={`/studio/courses/${id}`}>Edit in the studio</Link>
        </p>
      ) : null}
      <ErrorText error={enroll.error} />
      <h2>Modules</h2>
      <ErrorText error={modules.error} />
      <ol class="modules">
        {(modules.data?.items ?? []).map((m) => {
          const p = done.get(m.id);
          return (
            <li key={m.id}>
              <span class="title">{m.title}</span>
              {p?.completed ? <span class="done"> · completed</span> : p?.positionSeconds ? <span> · started</span> : null}
              {m.description ? <p>{m.description}</p> : null}
              {m.videoId && (enrolled || c.instructorId === me?.id) ? (
                <Link href={`/courses/${id}/watch/${m.id}`} class="button">
                  Watch {m.title}
                </Link>
              ) : null}
            </li>
          );
        })}
      </ol>
      {quizzes.data?.items?.length ? (
        <>
          <h2>Quizzes and assignments</h2>
          <ul>
            {quizzes.data.items.map((a) => (
              <li key={a.id}>
                <Link href={`/quizzes/${a.id}`}>{a.title}</Link> ({a.questionCount} questions
                {a.timeLimitSeconds ? `, ${Math.round(a.timeLimitSeconds / 60)} min` : ''})
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </article>
  );
}

/** The learner's courses with progress per course. */
export function MyCourses() {
  // Each enrollment carries the learner's modules completed out of the course's: one request.
  const { data, error } = useData(async () => {
    const page = await must(coursesApi.GET('/api/v1/courses/enrolled', { params: { query: { limit: 50 } } }));
    return page.items.map((e) => ({
      id: e.courseId ?? e.course.id ?? '',
      title: e.course.title ?? e.courseId ?? '',
      done: e.progress.completedModules,
      total: e.progress.totalModules,
    }));
  }, []);
  return (
    <section>
      <h1>My courses</h1>
      <ErrorText error={error} />
      {!data ? (
        <Loading />
      ) : data.length === 0 ? (
        <p>
          You are not enrolled in any course yet. <Link href="/">Browse the catalogue</Link>.
        </p>
      ) : (
        <ul class="cards">
          {data.map((c) => (
            <li key={c.id} class="card">
              <h2>
                <Link href={`/courses/${c.id}`}>{c.title}</Link>
              </h2>
              <label>
                {c.done} of {c.total} modules completed
                <progress max={Math.max(1, c.total)} value={c.done} />
              </label>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
