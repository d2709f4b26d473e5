import { useEffect, useState } from 'preact/hooks';
import { assessmentsApi, must, settled, type OwnResults, type StudentAssessment, type Submission } from '../api/client';
import { countdown } from '../lib/timer';
import { ErrorText, Loading, useAction, useData } from '../ui';

type Answers = Record<string, unknown>;
type Question = NonNullable<StudentAssessment['questions']>[number];

/** Answers are kept in this tab's sessionStorage as they are typed (save-as-you-go): a reload keeps them. */
function draftKey(id: string, attempt: number | undefined): string {
  return `moocflix.quiz.${id}.${attempt ?? 'untimed'}`;
}

export default function Quiz({ params }: { params: Record<string, string> }) {
  const id = params.id!;
  const quiz = useData(() => settled(() => must(assessmentsApi.GET('/api/v1/assessments/{id}', { params: { path: { id } } }))) as Promise<StudentAssessment>, [id]);
  const results = useData(async () => ((await assessmentsApi.GET('/api/v1/assessments/{id}/results', { params: { path: { id } } })).data ?? null) as OwnResults | null, [id]);
  const [attempt, setAttempt] = useState<{ attempt?: number; expiresAt?: string | null } | null>(null);
  const [answers, setAnswers] = useState<Answers>({});
  const [result, setResult] = useState<Submission | null>(null);
  const [now, setNow] = useState(Date.now());
  const action = useAction();
  const q = quiz.data;

  useEffect(() => {
    if (!attempt?.expiresAt) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [attempt?.expiresAt]);

  const setAnswer = (questionId: string, value: unknown) => {
    const next = { ...answers, [questionId]: value };
    setAnswers(next);
    sessionStorage.setItem(draftKey(id, attempt?.attempt), JSON.stringify(next));
  };

  if (quiz.error) return <ErrorText error={quiz.error} />;
  if (!q) return <Loading />;
  const clock = countdown(attempt?.expiresAt, now);
  const submit = () =>
    action.run(async () => {
      const submission = await must(assessmentsApi.POST('/api/v1/assessments/{id}/submit', { params: { path: { id } }, body: { answers } }));
      sessionStorage.removeItem(draftKey(id, attempt?.attempt));
      setResult(submission);
      setAttempt(null);
      results.reload();
    });

  return (
    <article>
      <h1>{q.title}</h1>
      <p class="meta">
        {q.questions?.length ?? 0} questions · {q.maxScore} points
        {q.timeLimitSeconds ? ` · time limit ${Math.round(q.timeLimitSeconds / 60)} min` : ''}
        {q.maxAttempts ? ` · ${q.maxAttempts} attempts` : ''}
      </p>
      <ErrorText error={action.error} />
      {result ? <Feedback quiz={q} submission={result} /> : null}
      {!attempt ? (
        <button
          type="button"
          disabled={action.busy}
          onClick={() =>
            action.run(async () => {
              const started = await settled(() => must(assessmentsApi.POST('/api/v1/assessments/{id}/attempts', { params: { path: { id } } })));
              setResult(null);
              setAttempt(started);
              const draft = sessionStorage.getItem(draftKey(id, started.attempt));
              setAnswers(draft ? (JSON.parse(draft) as Answers) : {});
            })
          }
        >
          {result ? 'Try again' : 'Start'}
        </button>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          {clock ? (
            <p class={clock.urgent ? 'timer urgent' : 'timer'} role="timer" aria-live={clock.urgent ? 'assertive' : 'off'}>
              Time left: {clock.expired ? 'time is up' : clock.label}
            </p>
          ) : null}
          {(q.questions ?? []).map((question, i) => (
            <QuestionField key={question.id} index={i} question={question} value={answers[question.id ?? '']} onChange={(v) => setAnswer(question.id ?? '', v)} />
          ))}
          <p class="meta">Your answers are saved in this tab as you go.</p>
          <button type="submit" disabled={action.busy || clock?.expired}>
            Submit
          </button>
        </form>
      )}
      {results.data?.items?.length ? (
        <section>
          <h2>Your submissions</h2>
          <p>
            Grade: {results.data.grade?.score ?? '—'} / {results.data.grade?.maxScore}
            {results.data.grade?.pendingGrading ? ' (some answers wait for the instructor)' : ''}
          </p>
          <ul>
            {results.data.items.map((s) => (
              <li key={s.id}>
                Attempt {s.attempt}: {s.score ?? 'not graded yet'} / {s.maxScore}
                {s.feedback ? ` — ${s.feedback}` : ''}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </article>
  );
}

function QuestionField({ question, index, value, onChange }: { question: Question; index: number; value: unknown; onChange: (v: unknown) => void }) {
  const name = `q-${question.id}`;
  const legend = `${index + 1}. ${question.prompt} (${question.points} points)`;
  switch (question.kind) {
    case 'single':
    case 'multiple': {
      const multiple = question.kind === 'multiple';
      const chosen = multiple ? ((value as number[] | undefined) ?? []) : value;
      return (
        <fieldset>
          <legend>{legend}</legend>
          {(question.options ?? []).map((option, i) => (
            <label class="inline" key={i}>
              <input
                type={multiple ? 'checkbox' : 'radio'}
                name={name}
                checked={multiple ? (chosen as number[]).includes(i) : chosen === i}
                onChange={(e) =>
                  onChange(multiple ? (e.currentTarget.checked ? [...(chosen as number[]), i] : (chosen as number[]).filter((x) => x !== i)) : i)
                }
              />{' '}
              {option}
            </label>
          ))}
        </fieldset>
      );
    }
    case 'boolean':
      return (
        <fieldset>
          <legend>{legend}</legend>
          <label class="inline">
            <input type="radio" name={name} checked={value === true} onChange={() => onChange(true)} /> True
          </label>
          <label class="inline">
            <input type="radio" name={name} checked={value === false} onChange={() => onChange(false)} /> False
          </label>
        </fieldset>
      );
    case 'numeric':
      return (
        <label>
          {legend}
          <input type="number" step="any" value={value == null ? '' : String(value)} onInput={(e) => onChange(e.currentTarget.value === '' ? undefined : Number(e.currentTarget.value))} />
        </label>
      );
    default:
      return (
        <label>
          {legend}
          {question.kind === 'essay' ? (
            <textarea rows={6} value={(value as string | undefined) ?? ''} onInput={(e) => onChange(e.currentTarget.value)} />
          ) : (
            <input value={(value as string | undefined) ?? ''} onInput={(e) => onChange(e.currentTarget.value)} />
          )}
        </label>
      );
  }
}

function Feedback({ quiz, submission }: { quiz: StudentAssessment; submission: Submission }) {
  return (
    <section class="result" aria-live="polite">
      <h2>Result</h2>
      <p class="score">
        {submission.score == null ? 'Submitted: waiting for the instructor to grade' : `Score: ${submission.score} / ${submission.maxScore}`}
      </p>
      <ol>
        {(quiz.questions ?? []).map((question) => {
          const got = submission.questionScores?.[question.id ?? ''];
          return (
            <li key={question.id}>
              {question.prompt} —{' '}
              {got == null ? 'to be graded' : got >= (question.points ?? 0) ? `correct (${got} points)` : got > 0 ? `partly correct (${got} of ${question.points})` : `incorrect (0 of ${question.points})`}
            </li>
          );
        })}
      </ol>
      {submission.feedback ? <p>Feedback: {submission.feedback}</p> : null}
    </section>
  );
}
