// Usage: slice-hours per day stacked by profile and model (uPlot), the monthly budget used
// against its limit, per tenant and profile the hours held, how many of them idle, and their
// cost, and the rows as CSV; below, the right-sizing report for the same days (what the slices
// really used against their profile, and a smaller profile where the evidence is strong).
import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { api, must } from "../api/client";
import { ErrorNote } from "../components/Problem";
import { PALETTE } from "../lib/geometry";
import { usePoll } from "../poll";
import type { Session } from "../session";
import { useTenant } from "./Leases";
import { idleShare, legendValue, stackByDay, toCsv, totals, type UsageRow as Row } from "../lib/usage";
import type { components } from "../api/schema";

type RightsizingRow = components["schemas"]["RightsizingRow"];

const DAY = 86400_000;

export function Usage({ session }: { session: Session }) {
  const [days, setDays] = useState(14);
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  const from = today - (days - 1) * DAY;
  const monthStart = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1);
  const start = Math.min(from, monthStart);
  const { data, error } = usePoll(
    () =>
      // JSON (the operation also answers CSV, so its typed body is a union of the two).
      must(
        api.GET("/v1/usage", {
          params: { query: { from: new Date(start).toISOString(), to: new Date(today + DAY).toISOString(), format: "json" } },
        }),
      ) as Promise<Row[]>,
    30000,
    [days],
  );
  const { data: tenant, error: tenantError } = useTenant(session);
  const chart = useRef<HTMLDivElement>(null);
  const rows = (data ?? []).filter((r) => Date.parse(`${r.day}T00:00:00Z`) >= from);
  useEffect(() => {
    if (!chart.current || !data) return;
    const { keys, xs, values, stacked, total } = stackByDay(rows, from, days);
    const bars = uPlot.paths.bars!({ size: [0.7, 40] });
    // Later (taller) sums drawn first, so each series shows as its own band of the bar.
    const order = keys.map((_, i) => i).reverse();
    const plot = new uPlot(
      {
        width: Math.max(320, chart.current.clientWidth),
        height: 280,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
        axes: [{}, { label: "slice-hours" }],
        series: [
          {},
          ...order.map((k) => ({
            label: keys[k],
            fill: PALETTE[k % PALETTE.length],
            stroke: PALETTE[k % PALETTE.length],
            paths: bars,
            points: { show: false },
            // Drawn at its stacked height, but the legend tells its own hours.
            value: (_u: uPlot, _v: number, _s: number, d: number | null) => legendValue(values, k, d),
          })),
          // The day's total, in the legend only (it is the top of the stack).
          {
            label: "Total",
            stroke: "transparent",
            paths: () => null,
            points: { show: false },
            value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? "—" : v.toFixed(2)),
          },
        ],
      },
      [xs, ...order.map((k) => stacked[k]!), total] as uPlot.AlignedData,
      chart.current,
    );
    return () => plot.destroy();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data, days]);
  const monthRows = (data ?? []).filter((r) => Date.parse(`${r.day}T00:00:00Z`) >= monthStart);
  const used = monthRows.reduce((s, r) => s + r.compute_slice_hours, 0);
  const budget = tenant?.policy.monthly_budget_slice_hours;
  const download = () => {
    const url = URL.createObjectURL(new Blob([toCsv(rows)], { type: "text/csv" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `slicebroker-usage-${new Date(from).toISOString().slice(0, 10)}.csv`;
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <section>
      <h1>Usage</h1>
      <ErrorNote message={error} />
      <div class="inline">
        <label for="usage-days">
          Days
          <select id="usage-days" value={days} onChange={(e) => setDays(Number((e.target as HTMLSelectElement).value))}>
            <option value={7}>7</option>
            <option value={14}>14</option>
            <option value={30}>30</option>
          </select>
        </label>
        <button type="button" class="outline" onClick={download} disabled={!data}>
          Download CSV
        </button>
      </div>
      {session.claims.tenant ? (
        <div class="budget" data-testid="budget">
          {data ? (
            <p>
              This month: <strong>{used.toFixed(1)}</strong> compute-slice-hours
              {tenant
                ? budget !== null && budget !== undefined
                  ? ` of ${budget}`
                  : " (no budget limit)"
                : tenantError
                  ? " (the budget could not be loaded)"
                  : ""}
            </p>
          ) : (
            <p aria-busy={!error}>This month: {error ? "not loaded" : "loading…"}</p>
          )}
          {data && budget ? <progress value={Math.min(used, budget)} max={budget} aria-label="Monthly budget used" /> : null}
        </div>
      ) : null}
      <div ref={chart} class="chart" data-testid="usage-chart" aria-label="Slice-hours per day, stacked by profile and model" />
      {data && rows.length === 0 ? <p>No usage in these days.</p> : null}
      {rows.length > 0 ? <UsageTable rows={rows} /> : null}
      <Rightsizing from={from} to={today + DAY} />
    </section>
  );
}

/** Per tenant and profile over the days shown: hours held, compute-slice-hours, idle-held
 * hours (and their share) and cost, with a total line. */
function UsageTable({ rows }: { rows: Row[] }) {
  const lines = totals(rows);
  const sum = lines.reduce(
    (s, t) => ({
      sliceHours: s.sliceHours + t.sliceHours,
      computeSliceHours: s.computeSliceHours + t.computeSliceHours,
      idleHeldSliceHours: s.idleHeldSliceHours + t.idleHeldSliceHours,
      cost: t.cost === null ? s.cost : (s.cost ?? 0) + t.cost,
    }),
    { sliceHours: 0, computeSliceHours: 0, idleHeldSliceHours: 0, cost: null as number | null },
  );
  const money = (c: number | null) => (c === null ? "—" : c.toFixed(2));
  return (
    <div class="overflow-auto">
      <table class="striped" data-testid="usage-table">
        <thead>
          <tr>
            <th scope="col">Tenant</th>
            <th scope="col">Model</th>
            <th scope="col">Profile</th>
            <th scope="col">Slice-hours</th>
            <th scope="col">Compute-slice-hours</th>
            <th scope="col">Idle-held slice-hours</th>
            <th scope="col">Cost</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((t) => (
            <tr key={`${t.tenant} ${t.model} ${t.profile}`} data-testid="usage-row">
              <td>{t.tenant}</td>
              <td>{t.model}</td>
              <td>{t.profile}</td>
              <td>{t.sliceHours.toFixed(2)}</td>
              <td>{t.computeSliceHours.toFixed(2)}</td>
              <td>
                {t.idleHeldSliceHours.toFixed(2)} <small>({idleShare(t)})</small>
              </td>
              <td>{money(t.cost)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={3}>
              Total
            </th>
            <td>{sum.sliceHours.toFixed(2)}</td>
            <td>{sum.computeSliceHours.toFixed(2)}</td>
            <td>
              {sum.idleHeldSliceHours.toFixed(2)} <small>({idleShare(sum)})</small>
            </td>
            <td>{money(sum.cost)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

const gib = (mib: number | null | undefined) => (mib == null ? "–" : `${(mib / 1024).toFixed(1)} GiB`);

/** The right-sizing report over the days shown: per tenant, class and profile, the leases'
 * memory peaks against the profile, busy share, idle-held hours, and the recommendation or why
 * there is none. */
function Rightsizing({ from, to }: { from: number; to: number }) {
  const { data, error } = usePoll(
    () =>
      must(
        api.GET("/v1/usage/rightsizing", {
          params: { query: { from: new Date(from).toISOString(), to: new Date(to).toISOString() } },
        }),
      ),
    60000,
    [from, to],
  );
  return (
    <section data-testid="rightsizing">
      <h2>Right-sizing</h2>
      <ErrorNote message={error} />
      {data && data.length === 0 ? <p>No lease ended in these days.</p> : null}
      {data && data.length > 0 ? (
        <div class="overflow-auto">
          <table class="striped">
            <thead>
              <tr>
                <th scope="col">Tenant</th>
                <th scope="col">Class / profile</th>
                <th scope="col">Leases</th>
                <th scope="col">Peak memory: median / highest, of the profile's</th>
                <th scope="col">Busy</th>
                <th scope="col">Idle-held slice-hours</th>
                <th scope="col">Advice</th>
              </tr>
            </thead>
            <tbody>
              {data.map((r: RightsizingRow) => (
                <tr key={`${r.tenant_id} ${r.class ?? ""} ${r.model} ${r.profile}`} data-testid="rightsizing-row">
                  <td>{r.tenant}</td>
                  <td>
                    {r.class ? <strong>{r.class}</strong> : null} {r.profile} <small>on {r.model}</small>
                  </td>
                  <td>{r.leases}</td>
                  <td>
                    {gib(r.median_peak_memory_mib)} / {gib(r.peak_memory_mib)} of {gib(r.profile_memory_mib)}
                  </td>
                  <td>{r.busy_share == null ? "–" : `${Math.round(r.busy_share * 100)} %`}</td>
                  <td>{r.idle_held_slice_hours.toFixed(2)}</td>
                  <td data-testid="rightsizing-advice">
                    {r.recommendation ? (
                      <>
                        <mark>{r.recommendation.profile}</mark> {r.recommendation.text}
                      </>
                    ) : (
                      <small>{r.recommendation_note ?? "—"}</small>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
