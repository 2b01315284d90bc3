// A lease's history as sentences: each event kind of `GET /v1/leases/{id}/events` in words,
// with the times, places and reasons its `detail` holds; a kind this dashboard does not know
// yet still reads as its detail's `key: value` pairs. Pure, so it is unit-tested.
import type { components } from "../api/schema";
import { instanceErrorText } from "./health";
import { formatDuration } from "./time";

type LeaseEvent = components["schemas"]["LeaseEvent"];
type Placement = { gpu_id: string; profile: string; start: number; size: number };

export interface EventWords {
  /** An instant (RFC 3339) as people read it. */
  time: (iso: string) => string;
  /** A GPU (by id) as people know it: its host and index. */
  gpu: (id: string) => string;
}

const defaults: EventWords = {
  time: (iso) => new Date(iso).toLocaleString(),
  gpu: (id) => `GPU ${id.slice(-8)}`,
};

/** End and at-risk reasons the API names with a code, in words. */
const REASONS: Record<string, string> = {
  released: "released by its owner",
  expired: "it reached its end",
  reclaimed_idle: "reclaimed after sitting idle",
  revoked: "revoked by an admin",
  failed: "it failed",
  cancelled: "cancelled",
  host_lost: "its host stopped reporting",
  host_cordoned: "its host was cordoned",
  gpu_cordoned: "its GPU was cordoned",
};

const reasonText = (reason: string | undefined) => (reason ? (REASONS[reason] ?? reason) : "");

/** `2g.20gb on demo-h100 · GPU 1 at memory slice 2, …` */
function placements(list: Placement[] | undefined, w: EventWords): string {
  return (list ?? []).map((p) => `${p.profile} on ${w.gpu(p.gpu_id)} at memory slice ${p.start}`).join(", ") || "—";
}

/** Any detail as `key: value` pairs (nested objects in JSON). */
export function pairs(detail: Record<string, unknown> | undefined): string {
  return Object.entries(detail ?? {})
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(", ");
}

/** One event in a sentence. */
export function eventSentence(e: LeaseEvent, words: Partial<EventWords> = {}): string {
  const w = { ...defaults, ...words };
  switch (e.kind) {
    case "granted":
      return `Slices reserved: ${placements(e.detail.placements, w)}.`;
    case "queued":
      return "Nothing fitted, so it waits in the queue for capacity.";
    case "activated":
      return `Active: every slice is ready; it runs until ${w.time(e.detail.ends_at)}.`;
    case "extended":
      return `Extended by ${formatDuration(e.detail.by_seconds)}; it now ends ${w.time(e.detail.ends_at)}.`;
    case "expiring":
      return `Ends soon, at ${w.time(e.detail.ends_at)}.`;
    case "released":
    case "revoked":
    case "expired":
    case "cancelled":
    case "host_lost": {
      const why = e.detail.reason && e.detail.reason !== e.kind ? `: ${reasonText(e.detail.reason)}` : "";
      return `${capital(REASONS[e.kind]!)}${why}.`;
    }
    case "idle_warning": {
      const d = e.detail;
      const since = d.idle_since ? ` (since ${w.time(d.idle_since)})` : "";
      const limit = d.idle_timeout_seconds != null ? `; it is reclaimed after ${formatDuration(d.idle_timeout_seconds)} idle` : "";
      return `Idle${d.idle_seconds != null ? ` for ${formatDuration(d.idle_seconds)}` : ""}${since}${limit}.`;
    }
    case "reclaimed_idle": {
      const d = e.detail;
      const idle = d.idle_seconds != null ? ` after ${formatDuration(d.idle_seconds)} idle` : " after sitting idle";
      return `Reclaimed${idle}${d.idle_timeout_seconds != null ? ` (its idle timeout is ${formatDuration(d.idle_timeout_seconds)})` : ""}.`;
    }
    case "failed":
      return `Failed: ${reasonText(e.detail.reason)}${e.detail.gpu_uuid ? ` (${e.detail.gpu_uuid})` : ""}.`;
    case "ended": {
      const u = e.detail.usage;
      const used =
        u?.busy_share != null
          ? ` Used: peak ${u.peak_memory_mib != null ? `${(u.peak_memory_mib / 1024).toFixed(1)} GiB` : "–"}` +
            `${u.profile_memory_mib != null ? ` of ${Math.round(u.profile_memory_mib / 1024)} GiB` : ""}, busy ${Math.round(u.busy_share * 100)} %.`
          : "";
      return `Ended (${reasonText(e.detail.reason)}); its slices are gone.${used}${e.detail.note ? ` ${e.detail.note}` : ""}`;
    }
    case "teardown_error":
      return `The agent could not destroy a slice on ${e.detail.gpu_uuid}: ${e.detail.reason}; it tries again.`;
    case "booked":
      return `Booked from ${w.time(e.detail.start)} to ${w.time(e.detail.ends_at)}: ${placements(e.detail.placements, w)}.`;
    case "starting":
      return `Its start (${w.time(e.detail.start)}) is near: the agent is making its slices.`;
    case "rebooked":
      return `Moved to ${placements(e.detail.placements, w)}, free for its whole window.`;
    case "at_risk":
      return `At risk${e.detail.reason ? ` (${reasonText(e.detail.reason)})` : ""}: its place is unusable and no other is free for its window yet; it is tried again, and fails at its start if still none is.`;
    case "instance_error":
      return instanceErrorText(e.detail);
    default: {
      const other = e as { kind: string; detail?: Record<string, unknown> };
      const rest = pairs(other.detail);
      return `${other.kind}${rest ? `: ${rest}` : ""}`;
    }
  }
}

/** Who acted: a key, a person signed in through SSO, or the broker itself. */
export function actorText(actor: string): string {
  return actor === "system" ? "the broker" : actor;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
