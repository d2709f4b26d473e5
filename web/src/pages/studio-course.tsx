import { useEffect, useRef, useState } from 'preact/hooks';
import { assessmentsApi, contentApi, coursesApi, currentToken, must, problemText, settled, type Course, type Module, type Video } from '../api/client';
import { uploadForm, type UploadHandle, type UploadProgress } from '../lib/upload';
import { watchVideo } from '../lib/watch-video';
import { Link } from '../router';
import { ErrorText, Loading, useAction, useData } from '../ui';

/** One course in the studio: details, publish, modules with videos, assessments, grading, roster. */
export default function StudioCourse({ params }: { params: Record<string, string> }) {
  const id = params.id!;
  const course = useData(() => must(coursesApi.GET('/api/v1/courses/{id}', { params: { path: { id } } })), [id]);
  if (course.error) return <ErrorText error={course.error} />;
  if (!course.data) return <Loading />;
  return (
    <article class="studio">
      <h1>Studio: {course.data.title}</h1>
      <p>
        <Link href={`/courses/${id}`}>See the course page</Link>
      </p>
      <CourseDetails course={course.data} onSaved={course.reload} />
      <Modules courseId={id} />
      <Assessments courseId={id} />
      <Roster courseId={id} />
    </article>
  );
}

function CourseDetails({ course, onSaved }: { course: Course; onSaved: () => void }) {
  const [title, setTitle] = useState(course.title ?? '');
  const [description, setDescription] = useState(course.description ?? '');
  const [category, setCategory] = useState(course.category ?? '');
  const action = useAction();
  const update = (body: { title?: string; description?: string; category?: string | null; published?: boolean }) =>
    action.run(async () => {
      await must(coursesApi.PUT('/api/v1/courses/{id}', { params: { path: { id: course.id! } }, body }));
      onSaved();
    });
  return (
    <section>
      <h2>Details</h2>
      <p class="status">
        Status: <strong>{course.published ? 'published' : 'draft'}</strong>{' '}
        <button type="button" disabled={action.busy} onClick={() => update({ published: !course.published })}>
          {course.published ? 'Unpublish' : 'Publish'}
        </button>
      </p>
      <form
        class="narrow"
        onSubmit={(e) => {
          e.preventDefault();
          update({ title, description, category: category || null });
        }}
      >
        <label>
          Title
          <input required value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
        </label>
        <label>
          Description
          <textarea required rows={4} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        </label>
        <label>
          Category
          <input value={category} onInput={(e) => setCategory(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          Save details
        </button>
      </form>
      <ErrorText error={action.error} />
    </section>
  );
}

function Modules({ courseId }: { courseId: string }) {
  const modules = useData(
    () => must(coursesApi.GET('/api/v1/courses/{id}/modules', { params: { path: { id: courseId }, query: { limit: 100 } } })),
    [courseId],
  );
  const [title, setTitle] = useState('');
  const action = useAction();
  const items = modules.data?.items ?? [];
  const put = (m: Module, body: { title?: string; description?: string; position?: number; videoId?: string | null }) =>
    must(coursesApi.PUT('/api/v1/courses/{id}/modules/{moduleId}', { params: { path: { id: courseId, moduleId: m.id! } }, body }));
  return (
    <section>
      <h2>Modules</h2>
      <ErrorText error={modules.error ?? action.error} />
      <ol class="modules">
        {items.map((m, i) => (
          <li key={m.id}>
            <ModuleTitle module={m} onSave={(t) => action.run(async () => (await put(m, { title: t }), modules.reload()))} />
            <div class="row">
              <button type="button" disabled={i === 0 || action.busy} onClick={() => action.run(async () => (await put(m, { position: items[i - 1]!.position! }), modules.reload()))}>
                Move “{m.title}” up
              </button>
              <button
                type="button"
                disabled={i === items.length - 1 || action.busy}
                onClick={() => action.run(async () => (await put(m, { position: items[i + 1]!.position! }), modules.reload()))}
              >
                Move “{m.title}” down
              </button>
              <button
                type="button"
                class="danger"
                disabled={action.busy}
                onClick={() =>
                  confirm(`Delete the module “${m.title}”?`) &&
                  action.run(async () => {
                    await must(coursesApi.DELETE('/api/v1/courses/{id}/modules/{moduleId}', { params: { path: { id: courseId, moduleId: m.id! } } }));
                    modules.reload();
                  })
                }
              >
                Delete “{m.title}”
              </button>
            </div>
            <ModuleVideo courseId={courseId} module={m} onAttach={(videoId) => action.run(async () => (await put(m, { videoId }), modules.reload()))} />
          </li>
        ))}
      </ol>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          action.run(async () => {
            await must(coursesApi.POST('/api/v1/courses/{id}/modules', { params: { path: { id: courseId } }, body: { title } }));
            setTitle('');
            modules.reload();
          });
        }}
      >
        <label>
          New module title
          <input required value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          Add module
        </button>
      </form>
    </section>
  );
}

function ModuleTitle({ module, onSave }: { module: Module; onSave: (title: string) => void }) {
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(module.title ?? '');
  if (!editing)
    return (
      <h3>
        {module.title}{' '}
        <button type="button" class="link" onClick={() => setEditing(true)}>
          Rename “{module.title}”
        </button>
      </h3>
    );
  return (
    <form
      class="row"
      onSubmit={(e) => {
        e.preventDefault();
        setEditing(false);
        onSave(title);
      }}
    >
      <label>
        Module title
        <input required value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      </label>
      <button type="submit">Save title</button>
    </form>
  );
}

/** Upload (progress bar, cancel), live transcode progress, then attach the video to the module. */
function ModuleVideo({ courseId, module, onAttach }: { courseId: string; module: Module; onAttach: (videoId: string) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [upload, setUpload] = useState<UploadProgress | null>(null);
  const [video, setVideo] = useState<Video | null>(null);
  const [error, setError] = useState<string | null>(null);
  const handle = useRef<UploadHandle | null>(null);
  const watching = useRef<AbortController | null>(null);
  useEffect(() => () => {
    handle.current?.cancel();
    watching.current?.abort();
  }, []);
  const follow = (videoId: string) => {
    watching.current?.abort();
    const controller = new AbortController();
    watching.current = controller;
    watchVideo(videoId, setVideo, controller.signal).catch((err: unknown) => {
      if (!controller.signal.aborted) setError(err instanceof Error ? err.message : String(err));
    });
  };
  useEffect(() => {
    if (module.videoId) {
      void contentApi.GET('/api/v1/content/{videoId}', { params: { path: { videoId: module.videoId } } }).then(({ data }) => {
        if (!data) return;
        setVideo(data);
        if (data.status === 'queued' || data.status === 'transcoding') follow(data.videoId);
      });
    }
  }, [module.videoId]);
  const start = async () => {
    if (!file) return;
    setError(null);
    const form = new FormData();
    // The API wants the text fields first and the file last.
    form.append('courseId', courseId);
    form.append('title', module.title ?? file.name);
    form.append('file', file);
    try {
      let result: { status: number; body: unknown };
      // Content learns of a new course from its event a moment later: a 403/404 right after
      // creating the course is retried (it is refused before any of the file is stored).
      for (let attempt = 1; ; attempt++) {
        const h = uploadForm('/api/v1/content/upload', form, currentToken(), setUpload);
        handle.current = h;
        result = await h.done;
        if ((result.status !== 403 && result.status !== 404) || attempt >= 12) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      const { status, body } = result;
      if (status !== 201) throw new Error((body as { detail?: string } | null)?.detail ?? `Upload failed (HTTP ${status})`);
      const uploaded = body as Video;
      setVideo(uploaded);
      const res = await contentApi.POST('/api/v1/content/{videoId}/transcode', { params: { path: { videoId: uploaded.videoId } } });
      if (!res.response.ok) throw new Error(await problemText(res.response));
      follow(uploaded.videoId);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      handle.current = null;
      setUpload(null);
    }
  };
  const uploading = upload != null;
  const label = `Video file for “${module.title}”`;
  return (
    <div class="video-box">
      {video ? (
        <p class="status" aria-live="polite">
          Video “{video.title}”: <strong data-status={video.status}>{video.status}</strong>
          {video.status === 'transcoding' || video.status === 'queued' ? (
            <>
              {' '}
              <progress max={100} value={video.progress} aria-label={`Transcoding ${module.title}`} /> {video.progress}%
            </>
          ) : null}
          {video.status === 'failed' && video.error ? ` (${video.error})` : ''}
        </p>
      ) : null}
      {video?.status === 'ready' && module.videoId !== video.videoId ? (
        <button type="button" onClick={() => onAttach(video.videoId)}>
          Attach the video to “{module.title}”
        </button>
      ) : null}
      {module.videoId && video?.videoId === module.videoId ? <p class="meta">Attached.</p> : null}
      <div class="row">
        <label>
          {label}
          <input type="file" accept="video/*" disabled={uploading} onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
        </label>
        {uploading ? (
          <>
            <progress max={100} value={upload.percent ?? undefined} aria-label={`Uploading to ${module.title}`} /> {upload.percent ?? 0}%
            <button type="button" onClick={() => handle.current?.cancel()}>
              Cancel upload
            </button>
          </>
        ) : (
          <button type="button" disabled={!file} onClick={() => void start()}>
            Upload to “{module.title}”
          </button>
        )}
      </div>
      <ErrorText error={error} />
    </div>
  );
}

type Kind = 'single' | 'multiple' | 'boolean' | 'numeric' | 'text' | 'essay';
interface Draft {
  kind: Kind;
  prompt: string;
  points: number;
  options: string;
  correct: string;
}

/** Turns the form's strings into the API's question shape for each kind. */
function toQuestion(d: Draft) {
  const options = d.options.split('\n').map((o) => o.trim()).filter(Boolean);
  const base = { prompt: d.prompt, points: d.points };
  switch (d.kind) {
    case 'single':
      return { ...base, kind: 'single' as const, options, correct: Number(d.correct) - 1 };
    case 'multiple':
      return { ...base, kind: 'multiple' as const, options, correct: d.correct.split(',').map((n) => Number(n.trim()) - 1) };
    case 'boolean':
      return { ...base, kind: 'boolean' as const, correct: /^(true|yes|1)$/i.test(d.correct.trim()) };
    case 'numeric':
      return { ...base, kind: 'numeric' as const, correct: Number(d.correct) };
    case 'text':
      return { ...base, kind: 'text' as const, correct: d.correct };
    case 'essay':
      return { ...base, kind: 'essay' as const };
  }
}

const EMPTY: Draft = { kind: 'single', prompt: '', points: 1, options: '', correct: '1' };

function Assessments({ courseId }: { courseId: string }) {
  const list = useData(() => settled(() => must(assessmentsApi.GET('/api/v1/assessments', { params: { query: { courseId } } }))), [courseId]);
  const [title, setTitle] = useState('');
  const [minutes, setMinutes] = useState('');
  const [questions, setQuestions] = useState<Draft[]>([{ ...EMPTY }]);
  const action = useAction();
  const edit = (i: number, patch: Partial<Draft>) => setQuestions(questions.map((q, j) => (j === i ? { ...q, ...patch } : q)));
  return (
    <section>
      <h2>Assessments</h2>
      <ErrorText error={list.error} />
      <ul>
        {(list.data?.items ?? []).map((a) => (
          <li key={a.id}>
            {a.title} ({a.type}, {a.questionCount} questions) <Grading courseId={courseId} assessmentId={a.id!} title={a.title ?? ''} />
          </li>
        ))}
      </ul>
      <h3>New quiz</h3>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          action.run(async () => {
            await settled(() =>
              must(
              assessmentsApi.POST('/api/v1/assessments', {
                body: {
                  courseId,
                  title,
                  type: 'quiz',
                  questions: questions.map(toQuestion),
                  ...(minutes ? { timeLimitSeconds: Math.round(Number(minutes) * 60) } : {}),
                },
              }),
              ),
            );
            setTitle('');
            setMinutes('');
            setQuestions([{ ...EMPTY }]);
            list.reload();
          });
        }}
      >
        <label>
          Quiz title
          <input required value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
        </label>
        <label>
          Time limit in minutes (empty: none)
          <input type="number" min="1" value={minutes} onInput={(e) => setMinutes(e.currentTarget.value)} />
        </label>
        {questions.map((q, i) => (
          <fieldset key={i}>
            <legend>Question {i + 1}</legend>
            <label>
              Kind
              <select value={q.kind} onChange={(e) => edit(i, { kind: e.currentTarget.value as Kind })}>
                <option value="single">One choice</option>
                <option value="multiple">Several choices</option>
                <option value="boolean">True or false</option>
                <option value="numeric">Number</option>
                <option value="text">Short text</option>
                <option value="essay">Essay (graded by you)</option>
              </select>
            </label>
            <label>
              Prompt
              <input required value={q.prompt} onInput={(e) => edit(i, { prompt: e.currentTarget.value })} />
            </label>
            <label>
              Points
              <input type="number" min="1" required value={q.points} onInput={(e) => edit(i, { points: Number(e.currentTarget.value) })} />
            </label>
            {q.kind === 'single' || q.kind === 'multiple' ? (
              <label>
                Options, one a line
                <textarea rows={3} value={q.options} onInput={(e) => edit(i, { options: e.currentTarget.value })} />
              </label>
            ) : null}
            {q.kind !== 'essay' ? (
              <label>
                {q.kind === 'single' ? 'Correct option number' : q.kind === 'multiple' ? 'Correct option numbers, comma separated' : 'Correct answer'}
                <input required value={q.correct} onInput={(e) => edit(i, { correct: e.currentTarget.value })} />
              </label>
            ) : null}
            {questions.length > 1 ? (
              <button type="button" onClick={() => setQuestions(questions.filter((_, j) => j !== i))}>
                Remove question {i + 1}
              </button>
            ) : null}
          </fieldset>
        ))}
        <div class="row">
          <button type="button" onClick={() => setQuestions([...questions, { ...EMPTY }])}>
            Add a question
          </button>
          <button type="submit" disabled={action.busy}>
            Create quiz
          </button>
        </div>
        <ErrorText error={action.error} />
      </form>
    </section>
  );
}

/** Submissions of one assessment; essays waiting for a grade get a score and feedback form. */
function Grading({ courseId, assessmentId, title }: { courseId: string; assessmentId: string; title: string }) {
  const [open, setOpen] = useState(false);
  const results = useData(
    async () => (open ? must(assessmentsApi.GET('/api/v1/assessments/{id}/results', { params: { path: { id: assessmentId } } })) : null),
    [assessmentId, open],
  );
  // Assessments knows students by id only; the course's roster has their names.
  const names = useData(async () => (open ? studentNames(courseId) : null), [courseId, open]);
  const action = useAction();
  if (!open)
    return (
      <button type="button" class="link" onClick={() => setOpen(true)}>
        Submissions of “{title}”
      </button>
    );
  const data = results.data as { items?: { studentId?: string; submissions?: { id?: string; status?: string; score?: number | null; maxScore?: number; answers?: Record<string, unknown> }[] }[]; stats?: { mean?: number | null; submittedStudents?: number } } | null | undefined;
  return (
    <div class="grading">
      <ErrorText error={results.error ?? action.error} />
      {!data ? <Loading /> : <p>{data.stats?.submittedStudents ?? 0} students submitted; mean {data.stats?.mean ?? '—'}</p>}
      <ul>
        {(data?.items ?? []).flatMap((row) =>
          (row.submissions ?? []).map((s) => (
            <li key={s.id}>
              {names.data?.get(row.studentId ?? '') ?? `Student ${row.studentId}`}: {s.status}, {s.score ?? '—'} / {s.maxScore}
              {s.status === 'submitted' ? (
                <GradeForm
                  onGrade={(score, feedback) =>
                    action.run(async () => {
                      await must(
                        assessmentsApi.POST('/api/v1/assessments/{id}/submissions/{submissionId}/grade', {
                          params: { path: { id: assessmentId, submissionId: s.id! } },
                          body: { score, ...(feedback ? { feedback } : {}) },
                        }),
                      );
                      results.reload();
                    })
                  }
                />
              ) : null}
            </li>
          )),
        )}
      </ul>
    </div>
  );
}

function GradeForm({ onGrade }: { onGrade: (score: number, feedback: string) => void }) {
  const [score, setScore] = useState('');
  const [feedback, setFeedback] = useState('');
  return (
    <form
      class="row"
      onSubmit={(e) => {
        e.preventDefault();
        onGrade(Number(score), feedback);
      }}
    >
      <label>
        Score
        <input type="number" min="0" step="any" required value={score} onInput={(e) => setScore(e.currentTarget.value)} />
      </label>
      <label>
        Feedback
        <input value={feedback} onInput={(e) => setFeedback(e.currentTarget.value)} />
      </label>
      <button type="submit">Grade</button>
    </form>
  );
}

/** Student id → name, from the course's roster (its first 100, as the roster section shows). */
async function studentNames(courseId: string): Promise<Map<string, string>> {
  const roster = await must(coursesApi.GET('/api/v1/courses/{id}/enrollments', { params: { path: { id: courseId }, query: { limit: 100 } } }));
  return new Map(roster.items.flatMap((e) => (e.studentId && e.studentName ? [[e.studentId, e.studentName] as const] : [])));
}

function Roster({ courseId }: { courseId: string }) {
  const roster = useData(() => must(coursesApi.GET('/api/v1/courses/{id}/enrollments', { params: { path: { id: courseId }, query: { limit: 100 } } })), [courseId]);
  return (
    <section>
      <h2>Roster</h2>
      <ErrorText error={roster.error} />
      {!roster.data ? (
        <Loading />
      ) : roster.data.items.length === 0 ? (
        <p>Nobody enrolled yet.</p>
      ) : (
        <ul>
          {roster.data.items.map((e) => (
            <li key={e.studentId}>
              {e.studentName ?? e.studentId} — {e.status}, since {e.enrolledAt ? new Date(e.enrolledAt).toLocaleDateString() : '?'}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
