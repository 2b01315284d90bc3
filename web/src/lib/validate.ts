// Form validation done before a request is sent, with the same rules the API applies, so a
// mistake is named next to its field at once. The API stays the judge: its problem `detail`
// is shown for anything these rules let through.

import type { components } from "../api/schema";
import { parseDuration } from "./time";

type LeaseCreate = components["schemas"]["LeaseCreate"];
type TenantPolicyPatch = components["schemas"]["TenantPolicyPatch"];
/** The document lists catalog keys; the server also reads names and aliases, and names a bad
 * one in its answer, so what people type is sent as it is. */
type GpuModelKey = components["schemas"]["GpuModelKey"];

export type FieldErrors = Record<string, string>;

export interface LeaseForm {
  /** `class` (a slice class, its terms), `profile` (a name or compute size) or `need` (memory
   * and compute). */
  mode: "class" | "profile" | "need";
  /** With `class`: the class's name. */
  className?: string;
  profile: string;
  minMemoryGib: string;
  minComputeSlices: string;
  gpuModel: string;
  duration: string;
  count: string;
  labels: string;
  wait: boolean;
  /** `now`, or `at` a start time: a booking. */
  when?: "now" | "at";
  /** The start of a booking as a `datetime-local` input gives it (local time, no zone). */
  start?: string;
}

/** How far ahead a booking may start at most (the API's bound; a tenant's policy may be lower). */
export const MAX_BOOKING_AHEAD_MS = 30 * 24 * 3600 * 1000;

/** A booking's start from a `datetime-local` value: RFC 3339 in UTC, or what is wrong with it. */
export function bookingStart(local: string, now: number): { start: string } | { error: string } {
  const t = local.trim();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(t)) return { error: "choose a date and time" };
  const at = new Date(t).getTime();
  if (Number.isNaN(at)) return { error: "choose a date and time" };
  if (at <= now) return { error: "must be in the future" };
  if (at - now > MAX_BOOKING_AHEAD_MS) return { error: "at most 30 days ahead" };
  return { start: new Date(at).toISOString() };
}

/** The API's label rules (`LeaseCreate.labels`). */
const LABEL_KEY = /^[A-Za-z0-9._/-]{1,63}$/;
const MAX_LABELS = 32;
const MAX_LABEL_VALUE = 256;
/** A comma that starts the next label: one followed by `key=`. Any other comma is in a value. */
const NEXT_LABEL = /,\s*(?=[A-Za-z0-9._/-]+\s*=)/;

/** Labels, one `key=value` per line or comma separated (`team=vision, run=42`); a comma not
 * followed by `key=` stays in its value (`note=a, b`). An error names the label and the rule. */
export function parseLabels(text: string): { labels: Record<string, string> } | { error: string } {
  const labels: Record<string, string> = {};
  for (const raw of text.split("\n").flatMap((line) => line.split(NEXT_LABEL))) {
    const entry = raw.trim();
    if (!entry) continue;
    const eq = entry.indexOf("=");
    if (eq <= 0) return { error: `"${entry}" is not key=value` };
    const key = entry.slice(0, eq).trim();
    const value = entry.slice(eq + 1).trim();
    if (!LABEL_KEY.test(key)) return { error: `label key "${key}": 1-63 letters, digits, . _ / or -` };
    if (key in labels) return { error: `label "${key}" is given twice` };
    const length = [...value].length;
    if (length > MAX_LABEL_VALUE) return { error: `label "${key}": the value is ${length} characters, at most ${MAX_LABEL_VALUE}` };
    if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) return { error: `label "${key}": the value holds a control character (a tab?)` };
    labels[key] = value;
  }
  const n = Object.keys(labels).length;
  if (n > MAX_LABELS) return { error: `at most ${MAX_LABELS} labels (these are ${n})` };
  return { labels };
}

function wholeNumber(text: string, min: number, max: number): number | string {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return `a whole number from ${min} to ${max}`;
  const n = Number(t);
  if (n < min || n > max) return `a whole number from ${min} to ${max}`;
  return n;
}

/** The body of `POST /v1/leases`, or the errors by form field. */
export function leaseRequest(form: LeaseForm, now: number = Date.now()): { body: LeaseCreate } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  const body: LeaseCreate = {};
  if (form.mode === "class") {
    const c = (form.className ?? "").trim();
    if (!c) errors.className = "choose a class";
    else body.class = c;
  } else if (form.mode === "profile") {
    const p = form.profile.trim();
    if (!p) errors.profile = "choose a profile";
    else if (!/^\d+g(\.\d+gb)?(\+[a-z.]+|-me)?$/.test(p)) {
      errors.profile = `"${p}" is not a profile name (2g.20gb) or compute size (3g)`;
    } else body.profile = p;
  } else {
    const mem = wholeNumber(form.minMemoryGib, 1, 1024);
    if (typeof mem === "string") errors.minMemoryGib = mem;
    else body.min_memory_gib = mem;
    if (form.minComputeSlices.trim()) {
      const c = wholeNumber(form.minComputeSlices, 1, 8);
      if (typeof c === "string") errors.minComputeSlices = c;
      else body.min_compute_slices = c;
    }
  }
  // A class has a default duration: an empty one means that; any other may only be shorter.
  if (form.mode !== "class" || form.duration.trim()) {
    const d = parseDuration(form.duration);
    if ("error" in d) errors.duration = d.error;
    else body.duration = form.duration.trim();
  }
  const count = wholeNumber(form.count || "1", 1, 64);
  if (typeof count === "string") errors.count = count;
  else body.count = count;
  const labels = parseLabels(form.labels);
  if ("error" in labels) errors.labels = labels.error;
  else if (Object.keys(labels.labels).length) body.labels = labels.labels;
  if (form.gpuModel) body.gpu_models = [form.gpuModel as GpuModelKey];
  if (form.when === "at") {
    const b = bookingStart(form.start ?? "", now);
    if ("error" in b) errors.start = b.error;
    else body.start = b.start;
    // A booking has its place already; it does not wait in the queue.
    body.wait = false;
  } else body.wait = form.wait;
  return Object.keys(errors).length ? { errors } : { body };
}

/** A policy form: every field as text; empty means unlimited where the API allows `null`. */
export type PolicyForm = Record<keyof TenantPolicyPatch, string>;

const QUOTAS = ["max_live_compute_slices", "max_live_leases", "max_live_memory_gib"] as const;
const SECONDS = ["max_lease_seconds", "default_idle_timeout_seconds", "max_total_extension_seconds"] as const;

/** The `policy` of `PATCH /v1/tenants/{id}` from a form, only the fields that changed. */
export function policyPatch(
  form: Partial<PolicyForm>,
  current: Partial<PolicyForm> = {},
): { patch: TenantPolicyPatch } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  const patch: TenantPolicyPatch = {};
  const changed = (k: keyof PolicyForm) =>
    form[k] !== undefined && (form[k] ?? "").trim() !== (current[k] ?? "").trim();
  for (const k of QUOTAS) {
    if (!changed(k)) continue;
    const t = form[k]!.trim();
    if (!t) patch[k] = null;
    else {
      const n = wholeNumber(t, 0, 10_000_000);
      if (typeof n === "string") errors[k] = `${n}, or empty for unlimited`;
      else patch[k] = n;
    }
  }
  for (const k of SECONDS) {
    if (!changed(k)) continue;
    const min = k === "max_total_extension_seconds" ? 0 : 1;
    const n = wholeNumber(form[k]!, min, 31_622_400);
    if (typeof n === "string") errors[k] = `seconds: ${n}`;
    else patch[k] = n;
  }
  if (changed("monthly_budget_slice_hours")) {
    const t = form.monthly_budget_slice_hours!.trim();
    if (!t) patch.monthly_budget_slice_hours = null;
    else {
      const n = wholeNumber(t, 0, 1_000_000_000);
      if (typeof n === "string") errors.monthly_budget_slice_hours = `${n}, or empty for unlimited`;
      else patch.monthly_budget_slice_hours = n;
    }
  }
  if (changed("max_booking_ahead_seconds")) {
    const n = wholeNumber(form.max_booking_ahead_seconds!, 0, 2_592_000);
    if (typeof n === "string") errors.max_booking_ahead_seconds = `seconds: ${n}`;
    else patch.max_booking_ahead_seconds = n;
  }
  if (changed("max_bookings")) {
    const t = form.max_bookings!.trim();
    if (!t) patch.max_bookings = null;
    else {
      const n = wholeNumber(t, 0, 10_000_000);
      if (typeof n === "string") errors.max_bookings = `${n}, or empty for unlimited`;
      else patch.max_bookings = n;
    }
  }
  if (changed("max_booking_seconds")) {
    const t = form.max_booking_seconds!.trim();
    if (!t) patch.max_booking_seconds = null;
    else {
      const n = wholeNumber(t, 1, 31_622_400);
      if (typeof n === "string") errors.max_booking_seconds = `seconds: ${n}, or empty for the longest lease`;
      else patch.max_booking_seconds = n;
    }
  }
  if (changed("max_compute_slices_outside_classes")) {
    const t = form.max_compute_slices_outside_classes!.trim();
    if (!t) patch.max_compute_slices_outside_classes = null;
    else {
      const n = wholeNumber(t, 0, 8);
      if (typeof n === "string") errors.max_compute_slices_outside_classes = `${n}, or empty for any`;
      else patch.max_compute_slices_outside_classes = n;
    }
  }
  if (changed("allowed_gpu_models")) {
    const models = form.allowed_gpu_models!.split(/[\s,]+/).filter(Boolean);
    if (models.length > 32) errors.allowed_gpu_models = "at most 32 models";
    else patch.allowed_gpu_models = models as GpuModelKey[];
  }
  return Object.keys(errors).length ? { errors } : { patch };
}

/** The policy form field a problem's `field` names (`/policy/max_live_leases`,
 * `/policy/allowed_gpu_models/1`), if it names one. */
export function policyFieldOf(field: string | null | undefined): keyof PolicyForm | undefined {
  const parts = (field ?? "").replace(/^\//, "").split("/");
  const name = parts[0] === "policy" ? parts[1] : parts[0];
  return name && POLICY_KEYS.has(name) ? (name as keyof PolicyForm) : undefined;
}

const POLICY_KEYS = new Set<string>([
  ...QUOTAS,
  ...SECONDS,
  "monthly_budget_slice_hours",
  "max_booking_ahead_seconds",
  "max_bookings",
  "max_booking_seconds",
  "max_compute_slices_outside_classes",
  "allowed_gpu_models",
]);

/** What is wrong with a new tenant's name (`TenantCreate.name`: 1-63 of a-z, 0-9 and `-`, not
 * starting with `-`); undefined when it is fine or still empty. */
export function tenantNameError(name: string): string | undefined {
  const t = name.trim();
  if (!t) return undefined;
  if (t.length > 63) return `at most 63 characters (this is ${t.length})`;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(t)) return "lower-case letters, digits and -, not starting with -";
  return undefined;
}
