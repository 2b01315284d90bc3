// Usage rows for the usage page: totals per tenant and profile over the days shown, and the
// same CSV the server exports (`GET /v1/usage?format=csv`), built from the rows on screen.
import type { components } from "../api/schema";

export type UsageRow = components["schemas"]["UsageRow"];

export const CSV_HEADER = "day,tenant_id,tenant,model,profile,slice_hours,compute_slice_hours,idle_held_slice_hours,cost";

/** One line of the usage table: a tenant's profile on a model, summed over the days shown. */
export interface UsageTotal {
  tenant: string;
  model: string;
  profile: string;
  sliceHours: number;
  computeSliceHours: number;
  idleHeldSliceHours: number;
  /** Null when no rate priced any of its days. */
  cost: number | null;
}

/** Rows summed per tenant, model and profile, sorted by tenant then cost (highest first). */
export function totals(rows: UsageRow[]): UsageTotal[] {
  const by = new Map<string, UsageTotal>();
  for (const r of rows) {
    const key = `${r.tenant}\u0000${r.model}\u0000${r.profile}`;
    const t = by.get(key) ?? { tenant: r.tenant, model: r.model, profile: r.profile, sliceHours: 0, computeSliceHours: 0, idleHeldSliceHours: 0, cost: null };
    t.sliceHours += r.slice_hours;
    t.computeSliceHours += r.compute_slice_hours;
    t.idleHeldSliceHours += r.idle_held_slice_hours ?? 0;
    if (r.cost !== null && r.cost !== undefined) t.cost = (t.cost ?? 0) + r.cost;
    by.set(key, t);
  }
  return [...by.values()].sort((a, b) => a.tenant.localeCompare(b.tenant) || (b.cost ?? -1) - (a.cost ?? -1) || b.sliceHours - a.sliceHours);
}

/** The share of held time that was idle, as a whole percentage; "—" when nothing was held. */
export function idleShare(t: Pick<UsageTotal, "sliceHours" | "idleHeldSliceHours">): string {
  return t.sliceHours > 0 ? `${Math.round((100 * t.idleHeldSliceHours) / t.sliceHours)}%` : "—";
}

function field(s: string): string {
  const v = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** RFC 4180 CSV with the server's header; an unpriced row has an empty cost. */
export function toCsv(rows: UsageRow[]): string {
  const lines = rows.map((r) =>
    [r.day, r.tenant_id, field(r.tenant), field(r.model), field(r.profile), r.slice_hours, r.compute_slice_hours, r.idle_held_slice_hours ?? 0, r.cost ?? ""].join(","),
  );
  return [CSV_HEADER, ...lines].map((l) => `${l}\r\n`).join("");
}

const DAY = 86400_000;

/** Days × (profile on model) slice-hours: `values[k][d]` each series' own hours, `stacked[k][d]`
 * the sum of series 0..k (the top of its band in the stacked chart), `total[d]` the day's sum. */
export function stackByDay(rows: UsageRow[], from: number, days: number) {
  const keys = [...new Set(rows.map((r) => `${r.profile} on ${r.model}`))].sort();
  const xs = Array.from({ length: days }, (_, i) => (from + i * DAY) / 1000);
  const values = keys.map(() => new Array(days).fill(0) as number[]);
  for (const r of rows) {
    const d = Math.round((Date.parse(`${r.day}T00:00:00Z`) - from) / DAY);
    const k = keys.indexOf(`${r.profile} on ${r.model}`);
    if (d >= 0 && d < days && k >= 0) values[k]![d]! += r.slice_hours;
  }
  const stacked = values.map((_, k) => xs.map((_, d) => values.slice(0, k + 1).reduce((s, v) => s + v[d]!, 0)));
  const total = xs.map((_, d) => values.reduce((s, v) => s + v[d]!, 0));
  return { keys, xs, values, stacked, total };
}

/** What the chart's hover legend shows for series `k` on day `d`: its own slice-hours (not
 * the stacked sum it is drawn up to); "—" when no day is hovered. */
export function legendValue(values: number[][], k: number, d: number | null | undefined): string {
  if (d === null || d === undefined) return "—";
  const v = values[k]?.[d];
  return v === undefined ? "—" : v.toFixed(2);
}
