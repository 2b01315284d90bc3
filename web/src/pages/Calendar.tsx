// Calendar: the leases you can see over time, one row per GPU (1, 7 or 30 days ahead), so a
// free window is easy to spot: bookings (from their start) beside running leases.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, must, type Lease } from "../api/client";
import { ErrorNote } from "../components/Problem";
import { LIVE_STATES, leasesIn } from "../data";
import { colourFor, inkFor } from "../lib/geometry";
import { axisTicks, barIn, countdown } from "../lib/time";
import { onLinkClick } from "../router";
import { useNow, usePoll } from "../poll";
import type { Session } from "../session";

export function Calendar({ session }: { session: Session }) {
  const [days, setDays] = useState(1);
  const gpus = usePoll(() => must(api.GET("/v1/gpus")), 5000);
  const leases = usePoll(() => leasesIn(LIVE_STATES), 2000);
  const now = useNow(5000);
  const span = days * 86400_000;
  const from = now - span * 0.05;
  // x is time, y the GPU's memory slices: leases side by side on one GPU never overlap.
  const byGpu = new Map<string, { lease: Lease; start: number; end: number; at: number; size: number }[]>();
  for (const l of leases.data ?? []) {
    const start = Date.parse(l.activated_at ?? l.granted_at ?? l.created_at);
    const end = l.ends_at ? Date.parse(l.ends_at) : start + l.duration_seconds * 1000;
    for (const s of l.slices) {
      const list = byGpu.get(s.gpu_id) ?? [];
      list.push({ lease: l, start, end, at: s.start, size: s.size });
      byGpu.set(s.gpu_id, list);
    }
  }
  // As many ticks as the axis has room for (fewer on a phone), so their labels never overlap.
  const axis = useRef<HTMLDivElement>(null);
  const width = useWidth(axis);
  const admin = session.claims.role === "admin";
  return (
    <section class="calendar">
      <h1>Calendar</h1>
      <fieldset role="group" class="scope">
        {[1, 7, 30].map((d) => (
          <button type="button" key={d} class={d === days ? "" : "outline"} aria-pressed={d === days} onClick={() => setDays(d)}>
            {d === 1 ? "1 day" : `${d} days`}
          </button>
        ))}
      </fieldset>
      <p>
        <small>
          Bookings and running leases {admin ? "of every tenant" : "of your tenant"}, from their start until they end. To
          book a free window, request a slice at a start time.
        </small>
      </p>
      <ErrorNote message={gpus.error ?? leases.error} />
      <div class="cal">
        <div class="cal-row cal-axis" aria-hidden="true">
          <span class="cal-name" />
          <div class="cal-track" ref={axis} data-testid="cal-axis">
            {axisTicks(from, span, width).map((t) => (
              <span key={t.left} style={{ left: `${t.left}%` }}>
                {t.label}
              </span>
            ))}
            <i class="now" style={{ left: `${((now - from) / span) * 100}%` }} />
          </div>
        </div>
        {(gpus.data ?? []).map((g) => (
          <div class="cal-row" key={g.id}>
            <span class="cal-name">
              {g.host} · GPU {g.device_index} <small>{g.model}</small>
            </span>
            <div class="cal-track gpu-track" style={{ "--slices": g.memory_slices }}>
              <i class="now" style={{ left: `${((now - from) / span) * 100}%` }} />
              {(byGpu.get(g.id) ?? []).map(({ lease, start, end, at, size }) => {
                const bar = barIn(start, end, from, span);
                if (!bar) return null;
                const c = colourFor(admin ? lease.tenant_id : lease.id);
                const ink = inkFor(c);
                return (
                  <a
                    key={`${lease.id}-${at}`}
                    href={`/leases/${lease.id}`}
                    onClick={onLinkClick}
                    class={lease.state === "booked" ? "cal-bar booked" : "cal-bar"}
                    style={{
                      left: `${bar.left}%`,
                      width: `${bar.width}%`,
                      top: `${(at / g.memory_slices) * 100}%`,
                      height: `${(size / g.memory_slices) * 100}%`,
                      background: c,
                      color: ink,
                    }}
                    title={`${lease.request} · ${lease.state} · ${lease.state === "booked" ? `starts in ${countdown(lease.granted_at, now)}` : `ends in ${countdown(lease.ends_at, now)}`}`}
                  >
                    {lease.request}
                  </a>
                );
              })}
            </div>
          </div>
        ))}
      </div>
    </section>
  );
}

/** The width (px) of an element, kept up to date as it resizes. */
function useWidth(ref: { current: HTMLElement | null }): number {
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}
