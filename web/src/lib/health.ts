// A GPU's health as people read it: temperature, power, what holds its clocks down and its
// last XID, on one line, with whether it needs attention (hot, throttled for heat or power,
// a fatal XID). Pure, so it is unit-tested.
import type { Schemas } from "../api/client";
import { formatDuration } from "./time";

/** Above this (°C) a GPU is shown as hot, as the `SlicebrokerGpuHot` alert rule says. */
export const HOT_C = 85;

export interface HealthSummary {
  text: string;
  /** Hot, or its clocks held down by something other than idling or the application. */
  warn: boolean;
  /** Its newest XID is fatal. */
  fatal: boolean;
}

/** `71°C · 312 W · throttled: sw_power_cap · XID 94 (fatal) 5m 00s ago`; `—` when none. */
export function healthSummary(h: Schemas["GpuHealthRecord"] | null | undefined, now: number): HealthSummary {
  if (!h) return { text: "—", warn: false, fatal: false };
  const parts: string[] = [];
  if (h.temperature_c != null) parts.push(`${h.temperature_c}°C`);
  if (h.power_mw != null) parts.push(`${Math.round(h.power_mw / 1000)} W`);
  const throttled = (h.throttle_reasons ?? []).filter((r) => r !== "gpu_idle" && r !== "applications_clocks_setting");
  if (throttled.length) parts.push(`throttled: ${throttled.join(", ")}`);
  const last = h.xids[0];
  if (last) {
    const ago = Math.max(0, Math.floor((now - Date.parse(last.seen_at)) / 1000));
    parts.push(`XID ${last.xid}${last.fatal ? " (fatal)" : ""} ${formatDuration(ago)} ago`);
  }
  return {
    text: parts.length ? parts.join(" · ") : "—",
    warn: (h.temperature_c ?? 0) > HOT_C || throttled.length > 0,
    fatal: !!last?.fatal,
  };
}

/** An `instance_error` event's detail in words. */
export function instanceErrorText(detail: Record<string, unknown>): string {
  const where = detail.gpu_instance_id == null ? "the whole GPU" : `GPU instance ${detail.gpu_instance_id}`;
  return `Fatal XID ${detail.xid} on ${where} of ${detail.gpu_uuid}: the lease keeps running, but the instance may not compute correctly.`;
}
