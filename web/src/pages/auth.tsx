import { useState } from 'preact/hooks';
import { must, signIn, usersApi } from '../api/client';
import { Link, navigate } from '../router';
import { ErrorText, useAction } from '../ui';

function afterSignIn(): void {
  const next = new URLSearchParams(location.search).get('next');
  // Only a path of ours: never an absolute URL someone put in a link.
  navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', true);
}

export function SignIn() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  return (
    <section class="narrow">
      <h1>Sign in</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          action.run(async () => {
            const problem = await signIn(email, password);
            if (problem) throw new Error(problem);
            afterSignIn();
          });
        }}
      >
        <label>
          Email
          <input type="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          Password
          <input type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          Sign in
        </button>
        <ErrorText error={action.error} />
      </form>
      <p>
        New here? <Link href="/signup">Create an account</Link>
      </p>
    </section>
  );
}

export function SignUp() {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<'student' | 'instructor'>('student');
  const action = useAction();
  return (
    <section class="narrow">
      <h1>Create an account</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          action.run(async () => {
            await must(usersApi.POST('/signup', { body: { name, email, password, role } }));
            const problem = await signIn(email, password);
            if (problem) throw new Error(problem);
            afterSignIn();
          });
        }}
      >
        <label>
          Name
          <input autoComplete="name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          Email
          <input type="email" autoComplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          Password
          <input type="password" autoComplete="new-password" required minLength={8} value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <fieldset>
          <legend>I want to</legend>
          <label class="inline">
            <input type="radio" name="role" checked={role === 'student'} onChange={() => setRole('student')} /> learn
          </label>
          <label class="inline">
            <input type="radio" name="role" checked={role === 'instructor'} onChange={() => setRole('instructor')} /> teach
          </label>
        </fieldset>
        <button type="submit" disabled={action.busy}>
          Sign up
        </button>
        <ErrorText error={action.error} />
      </form>
    </section>
  );
}
