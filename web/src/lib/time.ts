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

/** The first whole minute at or after `at` (ms): what a `datetime-local` input can hold. */
export function ceilMinute(at: number): number {
  return Math.ceil(at / 60_000) * 60_000;
}

/** The soonest start the request form offers for a booking: five minutes ahead on a whole
 * minute, so it is still in the future when sent and its agent (told a minute before) has time. */
export function soonestBooking(now: number): number {
  return ceilMinute(now + 5 * 60_000);
}

/** An instant to the minute, as the booking form shows a start it fills in. */
export function minuteText(at: number): string {
  return new Date(at).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

/** A duration as the calendar's `duration` query takes it (at most seven digits of seconds,
 * about 115 days; a longer one gets no earliest start). */
export function calendarDuration(seconds: number): string | undefined {
  return seconds <= 9_999_999 ? String(seconds) : undefined;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Tick spacings for the calendar's time axis, finest first. */
const TICK_STEPS = [1, 2, 3, 4, 6, 12].map((h) => h * HOUR).concat([1, 2, 3, 7, 14].map((d) => d * DAY));
/** Room one tick label needs (px): `9 AM`, `21` or `Nov 24`, with a gap. */
export const TICK_LABEL_PX = 56;

/**
 * The calendar's time-axis ticks for a track `widthPx` wide showing [from, from + span): on
 * whole local hours (or midnights, once a day apart or more), as many as fit without their
 * labels overlapping, each label short (the hour, `9 AM`, or the date `Nov 24` at a midnight of a
 * view over days) and none running off the right end.
 */
export function axisTicks(from: number, span: number, widthPx: number): { left: number; label: string }[] {
  // The finest step whose ticks stand a label's room apart.
  const step = TICK_STEPS.find((s) => (s / span) * widthPx >= TICK_LABEL_PX) ?? TICK_STEPS[TICK_STEPS.length - 1]!;
  const days = step >= DAY ? step / DAY : 0;
  // From the first whole hour, or the first midnight, in the window.
  const t = new Date(from);
  if (days) t.setHours(0, 0, 0, 0);
  else t.setMinutes(0, 0, 0);
  if (t.getTime() < from && days) t.setDate(t.getDate() + 1);
  else if (t.getTime() < from) t.setHours(t.getHours() + 1);
  const out: { left: number; label: string }[] = [];
  for (let guard = 0; guard < 1000 && t.getTime() < from + span; guard++) {
    const left = ((t.getTime() - from) / span) * 100;
    // Local hours and dates step by the calendar, so a daylight-saving change keeps them whole.
    const onStep = days > 0 || t.getHours() % (step / HOUR) === 0;
    if (onStep && (left / 100) * widthPx + TICK_LABEL_PX <= widthPx) {
      out.push({
        left,
        // Over several days, midnights carry the date so hours do not repeat unplaced.
        label:
          days || (span > DAY && t.getHours() === 0)
            ? t.toLocaleDateString([], { month: "short", day: "numeric" })
            : t.toLocaleTimeString([], { hour: "numeric" }),
      });
    }
    if (days) t.setDate(t.getDate() + days);
    else t.setHours(t.getHours() + 1);
  }
  return out;
}
