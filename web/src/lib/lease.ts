// How a lease and an API key are named on screen: short ids that tell UUIDv7s apart, where a
// lease's slices are, when it starts or ends, and the questions asked before destructive acts.
import type { components } from "../api/schema";
import { countdown } from "./time";

type Lease = components["schemas"]["Lease"];
type Slice = Lease["slices"][number];
type ApiKey = components["schemas"]["ApiKeySummary"];

/** UUIDv7s made close together share their first (time) characters: show the random end. */
export function shortId(id: string): string {
  return id.length > 8 ? `…${id.slice(-8)}` : id;
}

/** `demo-h100 · GPU 2 · 1g.10gb@4`; the GPU's index where known (from `GET /v1/gpus`). */
export function whereText(s: Pick<Slice, "host" | "gpu_id" | "profile" | "start">, gpuIndex: Map<string, number>): string {
  const i = gpuIndex.get(s.gpu_id);
  return `${s.host} · ${i === undefined ? "GPU ?" : `GPU ${i}`} · ${s.profile}@${s.start}`;
}

/** The "When" column: a booking's start, a live lease's end, or that it ended. */
export function whenText(l: Pick<Lease, "state" | "granted_at" | "ends_at">, now: number): string {
  if (l.state === "ended") return "ended";
  if (l.state === "booked") return `starts in ${countdown(l.granted_at, now)}`;
  if (!l.ends_at) return "—";
  return `ends in ${countdown(l.ends_at, now)}`;
}

/** The confirmation asked before releasing a lease or cancelling a booking. */
export function releaseQuestion(l: Pick<Lease, "id" | "state" | "request" | "count">): string {
  const what = `${l.count > 1 ? `${l.count} × ` : ""}${l.request}`;
  return l.state === "booked"
    ? `Cancel booking ${l.id} (${what})? Its reserved slices are given up.`
    : `Release lease ${l.id} (${what})? Its MIG devices are destroyed and anything running on them stops.`;
}

/** Whether `key` is the one this session signed in with (a key's token names it in `sub`). */
export function isSessionKey(key: Pick<ApiKey, "id">, session: { sub: string; sso?: boolean }): boolean {
  if (session.sso) return false;
  const sub = session.sub.startsWith("key:") ? session.sub.slice(4) : session.sub;
  return sub === key.id;
}

/** The confirmation asked before revoking a key; stronger for the session's own key. */
export function revokeQuestion(key: Pick<ApiKey, "name" | "prefix">, own: boolean): string {
  const base = `Revoke API key "${key.name}" (${key.prefix}…)? Anything using it stops working.`;
  return own ? `${base}\n\nThis is the key this session signed in with: revoking it signs you out at once.` : base;
}
