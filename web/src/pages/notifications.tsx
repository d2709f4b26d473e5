import { must, notificationsApi } from '../api/client';
import { ErrorText, Loading, useAction, useData } from '../ui';

export function Notifications() {
  const { data, error, reload } = useData(() => must(notificationsApi.GET('/api/v1/notifications', { params: { query: { limit: 50 } } })), []);
  const action = useAction();
  return (
    <section>
      <h1>Notifications</h1>
      <ErrorText error={error ?? action.error} />
      {!data ? (
        <Loading />
      ) : (
        <>
          <p>{data.unreadCount} unread</p>
          {data.unreadCount > 0 ? (
            <button type="button" onClick={() => action.run(async () => (await must(notificationsApi.POST('/api/v1/notifications/read-all')), reload()))}>
              Mark all as read
            </button>
          ) : null}
          <ul class="inbox">
            {data.items.map((n) => (
              <li key={n.id} class={n.read ? 'read' : 'unread'}>
                <h2>{n.title}</h2>
                <p>{n.body}</p>
                <p class="meta">{n.createdAt ? new Date(n.createdAt).toLocaleString() : ''}</p>
                {!n.read && n.id ? (
                  <button
                    type="button"
                    onClick={() =>
                      action.run(async () => {
                        await must(notificationsApi.POST('/api/v1/notifications/{id}/read', { params: { path: { id: n.id! } } }));
                        reload();
                      })
                    }
                  >
                    Mark “{n.title}” as read
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
