// One GPU drawn to scale: a strip of its memory slices, each MIG instance a block at its real
// placement (data-start/data-size carry the API's numbers, which the end-to-end test checks
// against the drawn boxes), hand-made instances hatched, a tooltip on hover or focus.
import { useState } from "preact/hooks";
import type { Gpu, Lease } from "../api/client";
import { colourFor, drawGpu, GeometryError, inkFor, type Block } from "../lib/geometry";
import { countdown } from "../lib/time";
import { activityOf, describeProcess } from "../lib/activity";

type Slice = Gpu["slices"][number];

export interface StripProps {
  gpu: Pick<Gpu, "id" | "memory_slices" | "slices" | "model"> & Partial<Pick<Gpu, "uuid" | "device_index">>;
  /** Live leases by id, for what the tooltip says. */
  leases?: Map<string, Lease>;
  /** Admins colour by tenant; tenants see theirs (ids they can see) against others'. */
  byTenant?: boolean;
  tenantNames?: Map<string, string>;
  now: number;
  /** Only this lease's slices stand out (the lease page). */
  highlight?: string;
  dimmed?: boolean;
}

const MINE = "#0072B2";
const OTHER = "#9aa3ad";

function fill(b: Block<Slice>, props: StripProps): { background: string; color: string } {
  if (b.holder === "unmanaged") return { background: "", color: "#000" };
  if (props.highlight) {
    return b.slice.lease_id === props.highlight
      ? { background: "#D55E00", color: "#fff" }
      : { background: OTHER, color: "#000" };
  }
  if (b.holder === "tenant") {
    const c = b.slice.tenant_id ? colourFor(b.slice.tenant_id) : OTHER;
    return { background: c, color: inkFor(c) };
  }
  return b.holder === "mine" ? { background: MINE, color: "#fff" } : { background: OTHER, color: "#000" };
}

function describe(b: Block<Slice>, props: StripProps): string[] {
  const s = b.slice;
  const lines = [`${s.profile} · memory slices ${s.start}–${s.start + s.size - 1} of ${props.gpu.memory_slices}`];
  if (s.unmanaged) lines.push("made by hand (unmanaged): never placed on, never destroyed");
  if (s.tenant_id) lines.push(`tenant ${props.tenantNames?.get(s.tenant_id) ?? s.tenant_id}`);
  if (s.lease_id) {
    lines.push(`lease ${s.lease_id}`);
    const l = props.leases?.get(s.lease_id);
    if (l) {
      lines.push(`${l.state}${l.ends_at ? ` · ends in ${countdown(l.ends_at, props.now)}` : ""}`);
      const mig = l.slices.find((x) => x.gpu_id === props.gpu.id && x.start === s.start)?.mig_device_uuid;
      if (mig) lines.push(mig);
    }
  } else if (!s.unmanaged) {
    lines.push("another tenant's lease");
  }
  const act = activityOf([s], s.lease_id ? props.leases?.get(s.lease_id)?.activated_at : null, props.now);
  if (act.state !== "unknown") {
    lines.push(act.text + (s.memory_used_mib !== null && s.memory_used_mib !== undefined ? ` · ${s.memory_used_mib} MiB used` : ""));
  }
  if (act.state === "busy") {
    for (const p of act.processes.slice(0, 4)) lines.push(`  ${describeProcess(p)}`);
    if (act.processes.length > 4) lines.push(`  … ${act.processes.length - 4} more`);
  }
  return lines;
}

export function GpuStrip(props: StripProps) {
  const { gpu } = props;
  const [tip, setTip] = useState<number | null>(null);
  let drawing;
  try {
    drawing = drawGpu(gpu.memory_slices, gpu.slices, { byTenant: props.byTenant, mine: (s) => !!s.lease_id });
  } catch (e) {
    if (e instanceof GeometryError) return <p role="alert" class="error-note">GPU {gpu.id}: {e.message}</p>;
    throw e;
  }
  const cells = Array.from({ length: gpu.memory_slices }, (_, i) => i);
  return (
    <div
      class={`strip${props.dimmed ? " dimmed" : ""}`}
      data-testid="gpu-strip"
      data-gpu-id={gpu.id}
      data-memory-slices={gpu.memory_slices}
      role="group"
      aria-label={`GPU ${gpu.device_index ?? ""} ${gpu.model}: ${drawing.used} of ${gpu.memory_slices} memory slices in use`}
    >
      <div class="cells" aria-hidden="true">
        {cells.map((i) => (
          <span key={i} style={{ left: `${(i / gpu.memory_slices) * 100}%`, width: `${100 / gpu.memory_slices}%` }}>
            {i}
          </span>
        ))}
      </div>
      {drawing.blocks.map((b, i) => {
        const f = fill(b, props);
        const lines = describe(b, props);
        return (
          <button
            type="button"
            key={`${b.start}`}
            class={`block holder-${b.holder} activity-${activityOf([b.slice], null, props.now).state}`}
            data-testid="slice-block"
            data-start={b.start}
            data-size={b.size}
            data-profile={b.slice.profile}
            data-lease-id={b.slice.lease_id ?? ""}
            style={{ left: `${b.left}%`, width: `${b.width}%`, background: f.background || undefined, color: f.color }}
            aria-label={lines.join("; ")}
            onMouseEnter={() => setTip(i)}
            onMouseLeave={() => setTip(null)}
            onFocus={() => setTip(i)}
            onBlur={() => setTip(null)}
          >
            <span class="label">
              {b.slice.processes?.length ? <i class="dot" aria-hidden="true" title="busy" /> : null}
              {b.slice.profile}
            </span>
          </button>
        );
      })}
      {tip !== null && drawing.blocks[tip] ? (
        <div
          class="tooltip"
          role="tooltip"
          data-testid="slice-tooltip"
          style={{ left: `${Math.min(drawing.blocks[tip]!.left, 60)}%` }}
        >
          {describe(drawing.blocks[tip]!, props).map((l) => (
            <div key={l}>{l}</div>
          ))}
        </div>
      ) : null}
    </div>
  );
}
