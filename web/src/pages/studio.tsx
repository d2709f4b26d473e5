import { useState } from 'preact/hooks';
import { coursesApi, currentUser, must } from '../api/client';
import { Link, navigate } from '../router';
import { ErrorText, Loading, useAction, useData } from '../ui';

/** The instructor's courses and a form to create one. */
export default function Studio() {
  const me = currentUser();
  const { data, error } = useData(
    () => must(coursesApi.GET('/api/v1/courses', { params: { query: { instructorId: me?.id ?? '', limit: 50 } } })),
    [me?.id],
  );
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [category, setCategory] = useState('');
  const action = useAction();
  return (
    <section>
      <h1>Studio</h1>
      <h2>Your courses</h2>
      <ErrorText error={error} />
      {!data ? (
        <Loading />
      ) : data.items.length === 0 ? (
        <p>No course yet.</p>
      ) : (
        <ul>
          {data.items.map((c) => (
            <li key={c.id}>
              <Link href={`/studio/courses/${c.id}`}>{c.title}</Link> {c.published ? '(published)' : '(draft)'}
            </li>
          ))}
        </ul>
      )}
      <h2>New course</h2>
      <form
        class="narrow"
        onSubmit={(e) => {
          e.preventDefault();
          action.run(async () => {
            const course = await must(
              coursesApi.POST('/api/v1/courses', { body: { title, description, ...(category ? { category } : {}) } }),
            );
            navigate(`/studio/courses/${course.id}`);
          });
        }}
      >
        <label>
          Title
          <input name="title" required value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
        </label>
        <label>
          Description
          <textarea name="description" required rows={4} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        </label>
        <label>
          Category
          <input name="category" value={category} onInput={(e) => setCategory(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          Create course
        </button>
        <ErrorText error={action.error} />
      </form>
    </section>
  );
}
