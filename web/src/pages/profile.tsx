import { useEffect, useState } from 'preact/hooks';
import { must, usersApi } from '../api/client';
import { ErrorText, Loading, useAction, useData } from '../ui';

/** The signed-in person's name and email; a new email or password needs the current password. */
export function Profile() {
  const profile = useData(() => must(usersApi.GET('/profile')), []);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [currentPassword, setCurrentPassword] = useState('');
  const [saved, setSaved] = useState(false);
  const action = useAction();
  useEffect(() => {
    if (profile.data) {
      setName(profile.data.name);
      setEmail(profile.data.email);
    }
  }, [profile.data]);
  if (profile.error) return <ErrorText error={profile.error} />;
  const me = profile.data;
  if (!me) return <Loading />;
  const sensitive = email !== me.email || password !== '';
  return (
    <section class="narrow">
      <h1>Profile</h1>
      <p class="meta">
        {me.role} since {new Date(me.createdAt).toLocaleDateString()}
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          action.run(async () => {
            await must(
              usersApi.PUT('/profile/update', {
                body: {
                  ...(name !== me.name ? { name } : {}),
                  ...(email !== me.email ? { email } : {}),
                  ...(password ? { password } : {}),
                  ...(sensitive ? { currentPassword } : {}),
                },
              }),
            );
            setPassword('');
            setCurrentPassword('');
            setSaved(true);
            profile.reload();
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
          New password (empty: keep)
          <input type="password" autoComplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {sensitive ? (
          <label>
            Current password
            <input type="password" autoComplete="current-password" required value={currentPassword} onInput={(e) => setCurrentPassword(e.currentTarget.value)} />
          </label>
        ) : null}
        <button type="submit" disabled={action.busy}>
          Save profile
        </button>
        <ErrorText error={action.error} />
        {saved ? <p role="status">Saved.</p> : null}
      </form>
    </section>
  );
}
