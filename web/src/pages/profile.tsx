import { useState } from 'preact/hooks';
import { must, usersApi, type User } from '../api/client';
import { ErrorText, Loading, useAction, useData } from '../ui';

/** The signed-in person's name and email; a new email or password needs the current password. */
export function Profile() {
  const profile = useData(() => must(usersApi.GET('/profile')), []);
  if (profile.error) return <ErrorText error={profile.error} />;
  // The form mounts with the loaded values, so nothing typed early is overwritten when they arrive.
  return profile.data ? <ProfileForm loaded={profile.data} /> : <Loading />;
}

function ProfileForm({ loaded }: { loaded: User }) {
  const [me, setMe] = useState(loaded);
  const [name, setName] = useState(me.name);
  const [email, setEmail] = useState(me.email);
  const [password, setPassword] = useState('');
  const [currentPassword, setCurrentPassword] = useState('');
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const changed = name !== me.name || email !== me.email || password !== '';
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
          if (!changed) return;
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
            setMe({ ...me, name, email });
            setSaved(true);
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
        <button type="submit" disabled={action.busy || !changed}>
          Save profile
        </button>
        <ErrorText error={action.error} />
        {saved ? <p role="status">Saved.</p> : null}
      </form>
    </section>
  );
}
