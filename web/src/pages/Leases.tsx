// Leases: mine (a tenant admin's: the tenant's; an admin's: everyone's), with state, countdown,
// extend and release.
import { useState } from "preact/hooks";
import { api, must, type Lease, type Tenant } from "../api/client";
import { ErrorNote } from "../components/Problem";
import { LeaseActions } from "../components/LeaseActions";
import { LIVE_STATES, leasesIn, recentLeases } from "../data";
import { countdown } from "../lib/time";
import { activityOf } from "../lib/activity";
import type { Gpu } from "../api/client";
import { onLinkClick } from "../router";
import { useNow, usePoll } from "../poll";
import { can, type Session } from "../session";

export function StateBadge({ lease }: { lease: Lease }) {
  return (
    <mark class={`state state-${lease.state}`} data-testid="lease-state">
      {lease.state}
      {lease.end_reason ? ` (${lease.end_reason})` : ""}
    </mark>
  );
}

export function useTenant(session: Session) {
  return usePoll<Tenant | undefined>(
    async () =>
      session.claims.tenant
        ? must(api.GET("/v1/tenants/{id}", { params: { path: { id: session.claims.tenant } } }))
        : undefined,
    15000,
    [session.claims.tenant],
  );
}

export function Leases({ session }: { session: Session }) {
  const [scope, setScope] = useState<"live" | "all">("live");
  const { data, error, reload } = usePoll(
    () => (scope === "live" ? leasesIn(LIVE_STATES) : recentLeases(200)),
    // Live leases change state within seconds; the history (every page of it) can wait.
    scope === "live" ? 1500 : 5000,
    [scope],
  );
  // What each slice is doing (processes, last activity) comes with the fleet's view.
  const gpus = usePoll(() => must(api.GET("/v1/gpus")), 3000);
  const slicesOf = new Map<string, Gpu["slices"]>();
  for (const g of gpus.data ?? []) {
    for (const s of g.slices) if (s.lease_id) slicesOf.set(s.lease_id, [...(slicesOf.get(s.lease_id) ?? []), s]);
  }
  const { data: tenant } = useTenant(session);
  const now = useNow();
  const mayAct = can.lease(session.claims.role);
  const rows = (data ?? []).sort((a, b) => b.created_at.localeCompare(a.created_at));
  return (
    <section>
      <h1>Leases</h1>
      <fieldset role="group" class="scope">
        <button type="button" class={scope === "live" ? "" : "outline"} onClick={() => setScope("live")} aria-pressed={scope === "live"}>
          Live
        </button>
        <button type="button" class={scope === "all" ? "" : "outline"} onClick={() => setScope("all")} aria-pressed={scope === "all"}>
          Recent, ended too
        </button>
      </fieldset>
      <ErrorNote message={error} />
      {!data ? (
        <p aria-busy="true">Loading…</p>
      ) : rows.length === 0 ? (
        <p>No {scope === "live" ? "live " : ""}leases.</p>
      ) : (
        <div class="overflow-auto">
          <table class="striped" data-testid="leases-table">
            <thead>
              <tr>
                <th scope="col">Lease</th>
                <th scope="col">Request</th>
                <th scope="col">State</th>
                <th scope="col">Where</th>
                <th scope="col">Ends in</th>
                <th scope="col">Activity</th>
                <th scope="col">Labels</th>
                {mayAct ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {rows.map((l) => (
                <tr key={l.id} data-testid="lease-row" data-lease-id={l.id}>
                  <td>
                    <a href={`/leases/${l.id}`} onClick={onLinkClick}>
                      <code>{l.id.slice(0, 8)}</code>
                    </a>
                  </td>
                  <td>
                    {l.count > 1 ? `${l.count} × ` : ""}
                    {l.request}
                  </td>
                  <td>
                    <StateBadge lease={l} />
                  </td>
                  <td>
                    {l.slices.map((s) => (
                      <div key={s.id}>
                        <small>
                          {s.host} · {s.model} · {s.profile}@{s.start}
                        </small>
                      </div>
                    ))}
                  </td>
                  <td data-testid="countdown">{l.state === "ended" ? "ended" : l.state === "booked" ? `starts in ${countdown(l.granted_at, now)}` : countdown(l.ends_at, now)}</td>
                  <td data-testid="activity">
                    {(() => {
                      if (l.state !== "active") return "—";
                      const a = activityOf(slicesOf.get(l.id) ?? [], l.activated_at, now);
                      return <span class={`act-${a.state}`}>{a.text}</span>;
                    })()}
                  </td>
                  <td>
                    {Object.entries(l.labels).map(([k, v]) => (
                      <mark class="label" key={k}>
                        {k}={v}
                      </mark>
                    ))}
                  </td>
                  {mayAct ? (
                    <td>
                      <LeaseActions lease={l} tenant={tenant} onDone={reload} />
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
