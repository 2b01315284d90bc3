// Live data by polling: `usePoll` loads now and then every `everyMs`, keeps the last good
// data while a later load fails, and `reload()` fetches at once (after an action). A 404 (the
// thing is gone, or never was) stops the polling and sets `gone`.

import { useCallback, useEffect, useRef, useState } from "preact/hooks";

export interface Polled<T> {
  data: T | undefined;
  error: string | undefined;
  /** The last load answered 404: polling has stopped. */
  gone: boolean;
  reload: () => void;
}

export function usePoll<T>(load: () => Promise<T>, everyMs: number, deps: unknown[] = []): Polled<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [gone, setGone] = useState(false);
  const timer = useRef<ReturnType<typeof setInterval>>();
  const loadRef = useRef(load);
  loadRef.current = load;
  const seq = useRef(0);
  const run = useCallback(() => {
    const mine = ++seq.current;
    loadRef.current().then(
      (d) => {
        if (mine !== seq.current) return;
        setData(d);
        setError(undefined);
        setGone(false);
      },
      (e: Error & { status?: number }) => {
        if (mine !== seq.current) return;
        setError(e.message);
        if (e.status === 404) {
          clearInterval(timer.current);
          setGone(true);
        }
      },
    );
  }, []);
  useEffect(() => {
    setData(undefined);
    setGone(false);
    run();
    const t = setInterval(run, everyMs);
    timer.current = t;
    return () => {
      clearInterval(t);
      seq.current++;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [everyMs, ...deps]);
  return { data, error, gone, reload: run };
}

/** The current time, ticking every `everyMs` (countdowns). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}
