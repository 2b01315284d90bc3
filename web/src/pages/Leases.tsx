// Leases: mine (a tenant admin's: the tenant's; an admin's: everyone's), with state, countdown,
// extend and release.
import { useState } from "preact/hooks";
import { api, must, type Lease, type Tenant } from "../api/client";
import { ErrorNote } from "../components/Problem";
import { LeaseActions } from "../components/LeaseActions";
import { LIVE_STATES, leasesIn, recentLeases } from "../data";
import { shortId, whenText, whereText } from "../lib/lease";
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
  const admin = session.claims.role === "admin";
  const tenantNames = usePoll(async () => (admin ? must(api.GET("/v1/tenants")) : []), 30000, [admin]);
  const nameOf = new Map((tenantNames.data ?? []).map((t) => [t.id, t.display_name || t.name]));
  const { data, error, reload } = usePoll(
    () => (scope === "live" ? leasesIn(LIVE_STATES) : recentLeases(200)),
    // Live leases change state within seconds; the history (every page of it) can wait.
    scope === "live" ? 1500 : 5000,
    [scope],
  );
  // What each slice is doing (processes, last activity) comes with the fleet's view.
  const gpus = usePoll(() => must(api.GET("/v1/gpus")), 3000);
  const slicesOf = new Map<string, Gpu["slices"]>();
  const gpuIndex = new Map<string, number>();
  for (const g of gpus.data ?? []) {
    gpuIndex.set(g.id, g.device_index);
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
        error ? null : <p aria-busy="true">Loading…</p>
      ) : rows.length === 0 ? (
        <p>No {scope === "live" ? "live " : ""}leases.</p>
      ) : (
        <div class="overflow-auto">
          <table class="striped" data-testid="leases-table">
            <thead>
              <tr>
                <th scope="col">Lease</th>
                {admin ? <th scope="col">Tenant</th> : null}
                <th scope="col">Request</th>
                <th scope="col">State</th>
                <th scope="col">Where</th>
                <th scope="col">When</th>
                <th scope="col">Activity</th>
                <th scope="col">Labels</th>
                {mayAct ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {rows.map((l) => (
                <tr key={l.id} data-testid="lease-row" data-lease-id={l.id}>
                  <td>
                    <a href={`/leases/${l.id}`} onClick={onLinkClick} title={l.id}>
                      <code>{shortId(l.id)}</code>
                    </a>
                  </td>
                  {admin ? <td data-testid="lease-tenant">{nameOf.get(l.tenant_id) ?? shortId(l.tenant_id)}</td> : null}
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
                        <small title={s.model}>{whereText(s, gpuIndex)}</small>
                      </div>
                    ))}
                  </td>
                  <td data-testid="countdown">{whenText(l, now)}</td>
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
