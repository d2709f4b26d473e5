import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/** Loads data for a page; `reload()` fetches again. Errors become a sentence shown to the person. */
export function useData<T>(load: () => Promise<T>, deps: unknown[]): { data: T | undefined; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setError(null);
    load().then(
      (value) => live && setData(value),
      (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { data, error, reload: () => setTick((t) => t + 1) };
}

export function ErrorText({ error }: { error: string | null }) {
  return error ? (
    <p class="error" role="alert">
      {error}
    </p>
  ) : null;
}

export function Loading({ children }: { children?: ComponentChildren }) {
  return <p aria-live="polite">{children ?? 'Loading…'}</p>;
}

/** Runs an action from a button: busy while it runs, its error shown. */
export function useAction(): { busy: boolean; error: string | null; run: (fn: () => Promise<void>) => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return {
    busy,
    error,
    run: (fn) => {
      setBusy(true);
      setError(null);
      fn().then(
        () => setBusy(false),
        (err: unknown) => {
          setBusy(false);
          setError(err instanceof Error ? err.message : String(err));
        },
      );
    },
  };
}
