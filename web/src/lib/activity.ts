// Busy or idle, as DESIGN.md §5 defines it: a slice is busy while it has compute processes
// (or recent activity, which `last_active_at` carries); idle otherwise, since its last
// activity or, never used, since the lease went active. Pure, so it is unit-tested.
import { formatDuration } from "./time";

export interface ProcessLike {
  pid: number;
  command?: string | null;
  memory_mib?: number | null;
}

export interface SliceActivity {
  processes?: ProcessLike[] | null;
  last_active_at?: string | null;
}

export type Activity =
  | { state: "busy"; processes: ProcessLike[]; text: string }
  | { state: "idle"; idleSeconds: number | undefined; text: string }
  | { state: "unknown"; text: string };

/** The activity of one lease's slices (busy if any is), `activeSince` its activation. */
export function activityOf(
  slices: readonly SliceActivity[],
  activeSince: string | null | undefined,
  now: number,
): Activity {
  const seen = slices.filter((s) => Array.isArray(s.processes));
  if (seen.length === 0) return { state: "unknown", text: "—" };
  const processes = seen.flatMap((s) => s.processes ?? []);
  if (processes.length > 0) {
    const n = processes.length;
    return { state: "busy", processes, text: `busy: ${n} process${n === 1 ? "" : "es"}` };
  }
  const times = seen
    .map((s) => s.last_active_at ?? activeSince)
    .filter((t): t is string => !!t)
    .map((t) => Date.parse(t))
    .filter((t) => !Number.isNaN(t));
  if (times.length === 0) return { state: "idle", idleSeconds: undefined, text: "idle" };
  const idleSeconds = Math.max(0, Math.floor((now - Math.max(...times)) / 1000));
  return { state: "idle", idleSeconds, text: `idle ${formatDuration(idleSeconds)}` };
}

/** `1234 python train.py (20480 MiB)` for a tooltip. */
export function describeProcess(p: ProcessLike): string {
  const mem = p.memory_mib !== null && p.memory_mib !== undefined ? ` (${p.memory_mib} MiB)` : "";
  return `${p.pid}${p.command ? ` ${p.command}` : ""}${mem}`;
}
