// Durations and countdowns as people read them, and the duration grammar the API accepts.

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** The API's upper bound on any duration: 366 days. */
export const MAX_DURATION_SECONDS = 31_622_400;

/** `3725` → `1h 02m 05s`; the two largest units only past an hour (`2d 03h`, `1h 02m`). */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  if (d > 0) return `${d}d ${two(h)}h`;
  if (h > 0) return `${h}h ${two(m)}m`;
  if (m > 0) return `${m}m ${two(sec)}s`;
  return `${sec}s`;
}

/** Time left until `endsAt` (ISO) at `now` (ms): `ends in 1h 02m`, or `due` once past. */
export function countdown(endsAt: string | null | undefined, now: number): string {
  if (!endsAt) return "—";
  const end = Date.parse(endsAt);
  if (Number.isNaN(end)) return "—";
  const left = Math.floor((end - now) / 1000);
  return left <= 0 ? "due" : formatDuration(left);
}

/** How long ago `at` was: `12s ago`, `3m 04s ago`. */
export function ago(at: string | null | undefined, now: number): string {
  if (!at) return "never";
  const t = Date.parse(at);
  if (Number.isNaN(t)) return "—";
  return `${formatDuration(Math.max(0, (now - t) / 1000))} ago`;
}

/**
 * Parses a duration as the API does (`8h`, `1h30m`, `2d`, `90` seconds, or ISO 8601 `PT8H`,
 * `P1DT12H`): seconds, or an error message for a form field.
 */
export function parseDuration(input: string): { seconds: number } | { error: string } {
  const text = input.trim();
  if (!text) return { error: "enter a duration, e.g. 8h or 1h30m" };
  let seconds: number | undefined;
  if (/^\d+$/.test(text)) {
    seconds = Number(text);
  } else if (/^(\d+[smhdw])+$/i.test(text)) {
    seconds = 0;
    for (const [, n, u] of text.toLowerCase().matchAll(/(\d+)([smhdw])/g)) {
      seconds += Number(n) * UNITS[u!]!;
    }
  } else {
    const iso = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i.exec(text);
    if (iso && text.toUpperCase() !== "P" && !/T$/i.test(text)) {
      const [, w, d, h, m, s] = iso.map((v) => Number(v ?? 0));
      seconds = w! * 604800 + d! * 86400 + h! * 3600 + m! * 60 + s!;
    }
  }
  if (seconds === undefined) {
    return { error: `"${text}" is not a duration: use e.g. 8h, 1h30m, 2d or PT8H` };
  }
  if (seconds < 1) return { error: "must be at least 1 second" };
  if (seconds > MAX_DURATION_SECONDS) return { error: "must be at most 366 days" };
  return { seconds };
}

/** A bar's place (%) in the window [from, from + span), clipped; undefined when outside it. */
export function barIn(startMs: number, endMs: number, from: number, span: number) {
  const a = Math.max(startMs, from);
  const b = Math.min(endMs, from + span);
  if (b <= a) return undefined;
  return { left: ((a - from) / span) * 100, width: ((b - a) / span) * 100 };
}

/** The `datetime-local` input value (`2026-11-24T09:00`, this browser's zone) of an instant. */
export function localInput(at: string | number): string {
  const d = new Date(at);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
