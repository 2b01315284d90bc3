// One lease, followed live: its state from pending to active, how to use it (copy
// CUDA_VISIBLE_DEVICES or the slicectl line), its placement drawn, and its event timeline.
import { api, must, type Gpu, type Lease } from "../api/client";
import { Copy } from "../components/Copy";
import { GpuStrip } from "../components/GpuStrip";
import { LeaseActions } from "../components/LeaseActions";
import { ErrorNote } from "../components/Problem";
import { actorText, eventSentence } from "../lib/events";
import { healthSummary } from "../lib/health";
import { countdown, formatDuration } from "../lib/time";
import { useNow, usePoll } from "../poll";
import { onLinkClick } from "../router";
import { can, type Session } from "../session";
import { StateBadge, useTenant } from "./Leases";

const LATER = ["provisioning", "active", "releasing", "ended"] as const;

/** The health of the GPU a slice is on, with the XIDs that hit this lease. */
function SliceGpuHealth({ lease, gpuId, now }: { lease: Lease; gpuId: string; now: number }) {
  const g = (lease.health?.gpus ?? []).find((x) => x.gpu_id === gpuId);
  if (!g) return null;
  const h = healthSummary(g.health, now);
  return (
    <small class={h.fatal ? "health fatal" : h.warn ? "health warn" : "health"} data-testid="lease-gpu-health">
      GPU health: {h.text}
    </small>
  );
}

export function LeasePage({ id, session }: { id: string; session: Session }) {
  const lease = usePoll(() => must(api.GET("/v1/leases/{id}", { params: { path: { id } } })), 1000, [id]);
  const events = usePoll(() => must(api.GET("/v1/leases/{id}/events", { params: { path: { id } } })), 2000, [id]);
  const gpus = usePoll(() => must(api.GET("/v1/gpus")), 3000);
  const { data: tenant } = useTenant(session);
  const now = useNow();
  const l = lease.data;
  if (lease.gone) {
    return (
      <section data-testid="lease-not-found">
        <h1>Lease not found</h1>
        <p>
          There is no lease <code>{id}</code> that you can see: it may belong to another tenant, or the link is wrong.
        </p>
        <p>
          <a href="/leases" onClick={onLinkClick}>
            Back to Leases
          </a>
        </p>
      </section>
    );
  }
  if (!l) return <section aria-busy={!lease.error}>{lease.error ? <ErrorNote message={lease.error} /> : "Loading…"}</section>;
  // A booked lease waits as `booked` where an on-demand one may wait as `pending`.
  const booked = l.state === "booked" || (events.data ?? []).some((e) => e.kind === "booked");
  const steps = [booked ? "booked" : "pending", ...LATER] as const;
  const reached = (steps as readonly string[]).indexOf(l.state);
  const cuda = l.slices.map((s) => s.cuda_visible_devices).filter(Boolean) as string[];
  const gpuById = new Map((gpus.data ?? []).map((g) => [g.id, g] as [string, Gpu]));
  const gpuName = (id: string) => {
    const g = gpuById.get(id);
    return g ? `${g.host} · GPU ${g.device_index}` : `GPU …${id.slice(-8)}`;
  };
  return (
    <section class="lease">
      <h1>
        Lease <code>{l.id}</code>
      </h1>
      <ErrorNote message={lease.error} />
      <ol class="steps" aria-label="Lease progress">
        {steps.map((s, i) => (
          <li key={s} class={i < reached ? "done" : i === reached ? "current" : ""} aria-current={i === reached ? "step" : undefined}>
            {s}
          </li>
        ))}
      </ol>
      <div class="grid">
        <div>
          <p>
            <StateBadge lease={l} /> {l.count > 1 ? `${l.count} × ` : ""}
            <strong>{l.request}</strong> for {formatDuration(l.duration_seconds)}
            {l.extended_seconds ? ` (+${formatDuration(l.extended_seconds)} extended, ${l.extensions}×)` : ""}
          </p>
          <p>
            {l.state === "ended" ? (
              <>Ended {l.ended_at ? new Date(l.ended_at).toLocaleString() : ""}</>
            ) : l.state === "booked" && l.granted_at ? (
              <span data-testid="lease-starts">
                Starts in <strong data-testid="lease-countdown">{countdown(l.granted_at, now)}</strong> (
                {new Date(l.granted_at).toLocaleString()})
                {l.ends_at ? <>, ends {new Date(l.ends_at).toLocaleString()}</> : null}
              </span>
            ) : l.ends_at ? (
              <>
                Ends in <strong data-testid="lease-countdown">{countdown(l.ends_at, now)}</strong> ({new Date(l.ends_at).toLocaleString()})
              </>
            ) : l.state === "pending" ? (
              "Waiting in the queue for capacity."
            ) : (
              "The agent is making the MIG device."
            )}
          </p>
          {Object.keys(l.labels).length ? (
            <p data-testid="lease-labels">
              Labels:{" "}
              {Object.entries(l.labels).map(([k, v]) => (
                <mark class="label" key={k}>
                  {k}={v}
                </mark>
              ))}
            </p>
          ) : null}
          {l.usage?.busy_share != null ? (
            <p data-testid="lease-usage">
              Used: peak {l.usage.peak_memory_mib != null ? `${(l.usage.peak_memory_mib / 1024).toFixed(1)} GiB` : "–"}
              {l.usage.profile_memory_mib != null ? ` of ${Math.round(l.usage.profile_memory_mib / 1024)} GiB` : ""}, busy{" "}
              {Math.round(l.usage.busy_share * 100)} %, idle-held {l.usage.idle_held_hours.toFixed(2)} h
            </p>
          ) : null}
        </div>
        {can.lease(session.claims.role) ? (
          <LeaseActions lease={l} tenant={tenant} onDone={() => (lease.reload(), events.reload())} />
        ) : null}
      </div>
      {l.state === "active" && cuda.length ? (
        <article data-testid="use-it">
          <header>Use it</header>
          <Copy text={`CUDA_VISIBLE_DEVICES=${cuda.join(",")}`} label="CUDA_VISIBLE_DEVICES" />
          <Copy text={`eval "$(slicectl lease env ${l.id})"`} label="the slicectl line" />
        </article>
      ) : null}
      <h2>Placement</h2>
      {l.slices.length === 0 ? <p>Not placed yet.</p> : null}
      {l.slices.map((s) => {
        const g = gpuById.get(s.gpu_id);
        return (
          <div class="gpu" key={s.id} data-testid="lease-slice" data-mig={s.mig_device_uuid ?? ""}>
            <div class="gpu-name">
              <span>
                {s.host} · GPU {g?.device_index ?? "?"} · {s.model} · {s.profile} at memory slice {s.start} ({s.size} wide)
              </span>
              <small>{s.mig_device_uuid ?? "no MIG device yet"}</small>
              <SliceGpuHealth lease={l} gpuId={s.gpu_id} now={now} />
            </div>
            {g ? <GpuStrip gpu={g} now={now} highlight={l.id} /> : null}
          </div>
        );
      })}
      <h2>Events</h2>
      <ErrorNote message={events.error} />
      <ol class="timeline" data-testid="timeline">
        {(events.data ?? []).map((e) => (
          <li key={e.id} data-kind={e.kind}>
            <time dateTime={e.at} title={new Date(e.at).toLocaleString()}>
              {new Date(e.at).toLocaleTimeString()}
            </time>{" "}
            <span class={e.kind === "instance_error" ? "health fatal" : ""} data-testid="event-text">
              {eventSentence(e, { gpu: gpuName })}
            </span>{" "}
            <small>
              by {actorText(e.actor)}
              {e.from_state !== e.to_state ? ` · ${e.from_state ?? "—"} → ${e.to_state ?? "—"}` : ""}
            </small>
          </li>
        ))}
      </ol>
    </section>
  );
}
