// Fleet: every host and GPU drawn as its memory slices, and above them what is free.
import { api, must, type Capacity, type Gpu, type Host, type Lease } from "../api/client";
import { GpuStrip } from "../components/GpuStrip";
import { ErrorNote } from "../components/Problem";
import { leasesIn } from "../data";
import { colourFor, setColourKeys } from "../lib/geometry";
import { healthSummary } from "../lib/health";
import { ago } from "../lib/time";
import { useNow, usePoll } from "../poll";
import type { Session } from "../session";

/** Per model: GPUs, and the largest profile with how many still fit (fragmentation at a glance). */
export function modelSummary(gpus: Gpu[], capacity: Capacity[]) {
  const models = [...new Set(gpus.map((g) => g.model))].sort();
  return models.map((model) => {
    const mine = capacity.filter((c) => c.model === model);
    const largest = [...mine].sort((a, b) => b.compute_slices - a.compute_slices || b.memory_gib - a.memory_gib)[0];
    const ofModel = gpus.filter((g) => g.model === model);
    return {
      model,
      gpus: ofModel.length,
      free: ofModel.reduce((n, g) => n + [...g.layout].filter((c) => c === ".").length, 0),
      total: ofModel.reduce((n, g) => n + g.memory_slices, 0),
      largest,
      profiles: mine,
    };
  });
}

/** A GPU's temperature, power, throttling and last XID, marked when it needs attention. */
export function GpuHealth({ gpu, now }: { gpu: Gpu; now: number }) {
  if (!gpu.health) return null;
  const h = healthSummary(gpu.health, now);
  const cls = h.fatal ? "health fatal" : h.warn ? "health warn" : "health";
  return (
    <small class={cls} data-testid="gpu-health" title={`reported ${new Date(gpu.health.reported_at).toLocaleString()}`}>
      {h.text}
    </small>
  );
}

export function Fleet({ session }: { session: Session }) {
  const admin = session.claims.role === "admin";
  // Each source on its own: one failed call marks its own section and keeps the last good data.
  const gpusPoll = usePoll(() => must(api.GET("/v1/gpus")), 2000);
  const hostsPoll = usePoll(() => must(api.GET("/v1/hosts")), 2000);
  const capacityPoll = usePoll(() => must(api.GET("/v1/capacity")), 2000);
  const leasesPoll = usePoll(() => leasesIn(["provisioning", "active", "releasing"]), 2000);
  const tenantsPoll = usePoll(async () => (admin ? must(api.GET("/v1/tenants")) : []), 10000, [admin]);
  const now = useNow();
  const gpus = gpusPoll.data;
  const capacity = capacityPoll.data;
  const tenants = new Map((tenantsPoll.data ?? []).map((t) => [t.id, t.name]));
  const leases = new Map((leasesPoll.data ?? []).map((l) => [l.id, l] as [string, Lease]));
  const summary = gpus ? modelSummary(gpus, capacity ?? []) : [];
  const liveLeases = leasesPoll.data ? leasesPoll.data.filter((l) => l.state !== "releasing").length : undefined;
  const hostGpus = (h: Host) => (gpus ?? []).filter((g) => g.host_id === h.id).sort((a, b) => a.device_index - b.device_index);
  const profiles = [...new Set((capacity ?? []).map((c) => c.profile))];
  // Every tenant its own colour (on this page and the calendar), whatever their ids hash to.
  if (admin && tenantsPoll.data) setColourKeys([...tenants.keys()]);
  const usedTenants = [...new Set((gpus ?? []).flatMap((g) => g.slices.map((s) => s.tenant_id)).filter(Boolean))] as string[];
  const loading = <span aria-busy="true">…</span>;
  return (
    <section class="fleet">
      <h1>Fleet</h1>
      <ErrorNote message={gpusPoll.error && `GPUs: ${gpusPoll.error}`} testid="error-gpus" />
      <ErrorNote message={capacityPoll.error && `Free capacity: ${capacityPoll.error}`} testid="error-capacity" />
      <ErrorNote message={leasesPoll.error && `Leases: ${leasesPoll.error}`} testid="error-leases" />
      <ErrorNote message={tenantsPoll.error && `Tenant names: ${tenantsPoll.error}`} testid="error-tenants" />
      <div class="summary" data-testid="fleet-summary">
        <article>
          <small>GPUs</small>
          <strong data-testid="gpu-count">{gpus ? gpus.length : gpusPoll.error ? "—" : loading}</strong>
          <small>{hostsPoll.data ? `${hostsPoll.data.length} hosts` : "hosts —"}</small>
        </article>
        <article>
          <small>{admin ? "Live leases" : "Your tenant's live leases"}</small>
          <strong data-testid="live-leases">{liveLeases ?? (leasesPoll.error ? "—" : loading)}</strong>
        </article>
        {summary.map((m) => (
          <article key={m.model}>
            <small>{m.model}</small>
            <strong>
              {m.free}/{m.total}
            </strong>
            <small>memory slices free on {m.gpus} GPUs</small>
            {m.largest ? (
              <small data-testid={`largest-${m.model}`}>
                {m.largest.available} × {m.largest.profile} still fit
              </small>
            ) : null}
          </article>
        ))}
      </div>
      <details class="capacity">
        <summary>Free capacity per profile and model</summary>
        <div class="overflow-auto">
          <table class="striped" data-testid="capacity-table">
            <thead>
              <tr>
                <th scope="col">Profile</th>
                {summary.map((m) => (
                  <th scope="col" key={m.model}>
                    {m.model}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {profiles.map((p) => (
                <tr key={p}>
                  <th scope="row">{p}</th>
                  {summary.map((m) => {
                    const c = m.profiles.find((x) => x.profile === p);
                    return <td key={m.model}>{c ? c.available : "—"}</td>;
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
      <div class="legend" aria-label="Legend">
        {admin ? (
          usedTenants.map((t) => (
            <span key={t}>
              <i style={{ background: colourFor(t) }} /> {tenants.get(t) ?? t.slice(0, 8)}
            </span>
          ))
        ) : (
          <>
            <span>
              <i style={{ background: "#0072B2" }} /> mine
            </span>
            <span>
              <i style={{ background: "#9aa3ad" }} /> others
            </span>
          </>
        )}
        <span>
          <i class="hatch" /> made by hand (unmanaged)
        </span>
        <span>
          <i class="free" /> free
        </span>
      </div>
      <ErrorNote message={hostsPoll.error && `Hosts: ${hostsPoll.error}`} testid="error-hosts" />
      {!hostsPoll.data && !hostsPoll.error ? <p aria-busy="true">Loading the fleet…</p> : null}
      {(hostsPoll.data ?? []).map((h) => {
        const unreachable = !!h.unreachable_since;
        return (
          <article
            key={h.id}
            class={`host${unreachable ? " unreachable" : ""}${h.schedulable ? "" : " cordoned"}`}
            data-testid="host"
            data-host={h.name}
          >
            <header>
              <strong>{h.name}</strong> <small>{h.gpu_count} GPUs</small>{" "}
              {!h.schedulable ? <mark class="badge cordoned">cordoned</mark> : null}{" "}
              {unreachable ? (
                <mark class="badge unreachable">unreachable since {ago(h.unreachable_since, now)}</mark>
              ) : (
                <small>seen {ago(h.last_seen_at, now)}</small>
              )}
            </header>
            {hostGpus(h).map((g) => (
              <div class={`gpu${g.schedulable ? "" : " cordoned"}`} key={g.id}>
                <div class="gpu-name">
                  <span>
                    GPU {g.device_index} · {g.model}
                  </span>
                  <small title={g.uuid}>{g.uuid.slice(0, 12)}…</small>
                  {!g.schedulable && h.schedulable ? <mark class="badge cordoned">cordoned</mark> : null}
                  {g.schedulable && !unreachable && !g.placeable ? (
                    <mark class="badge cordoned" title="MIG is off, or its profile table differs from the catalog's">
                      not placed on
                    </mark>
                  ) : null}
                  <GpuHealth gpu={g} now={now} />
                </div>
                <GpuStrip
                  gpu={g}
                  leases={leases}
                  byTenant={admin}
                  tenantNames={tenants}
                  now={now}
                  dimmed={unreachable || !g.placeable}
                />
              </div>
            ))}
          </article>
        );
      })}
    </section>
  );
}
