import { describe, expect, it } from "vitest";
import type { components } from "../api/schema";
import { actorText, eventSentence } from "./events";

type LeaseEvent = components["schemas"]["LeaseEvent"];

const words = { time: (iso: string) => iso.slice(11, 16), gpu: (id: string) => `demo-h100 · GPU ${id.slice(-1)}` };
const at = "2026-11-24T09:00:00Z";
const ev = (kind: string, detail: object, from: string | null = null, to: string | null = null) =>
  ({ id: 1, at, actor: "system", kind, detail, from_state: from, to_state: to }) as LeaseEvent;
const placed = [{ gpu_id: "gpu-2", profile: "2g.20gb", start: 4, size: 2 }];

describe("eventSentence", () => {
  it.each([
    ["granted", { placements: placed }, "Slices reserved: 2g.20gb on demo-h100 · GPU 2 at memory slice 4."],
    ["queued", {}, "Nothing fitted, so it waits in the queue for capacity."],
    ["activated", { ends_at: "2026-11-24T11:00:00Z" }, "Active: every slice is ready; it runs until 11:00."],
    ["extended", { by_seconds: 3600, ends_at: "2026-11-24T12:00:00Z" }, "Extended by 1h 00m; it now ends 12:00."],
    ["expiring", { ends_at: "2026-11-24T12:00:00Z" }, "Ends soon, at 12:00."],
    ["released", { reason: "released" }, "Released by its owner."],
    ["revoked", { reason: "revoked" }, "Revoked by an admin."],
    ["expired", { reason: "expired" }, "It reached its end."],
    ["cancelled", { reason: "the tenant's policy no longer allows bookings" }, "Cancelled: the tenant's policy no longer allows bookings."],
    ["host_lost", { reason: "host_lost" }, "Its host stopped reporting."],
    [
      "idle_warning",
      { idle_seconds: 5760, idle_since: "2026-11-24T07:24:00Z", idle_timeout_seconds: 7200 },
      "Idle for 1h 36m (since 07:24); it is reclaimed after 2h 00m idle.",
    ],
    ["reclaimed_idle", { reason: "reclaimed_idle", idle_seconds: 7200, idle_timeout_seconds: 7200 }, "Reclaimed after 2h 00m idle (its idle timeout is 2h 00m)."],
    ["failed", { reason: "host_cordoned" }, "Failed: its host was cordoned."],
    ["failed", { reason: "nvml: insufficient resources", gpu_uuid: "GPU-1" }, "Failed: nvml: insufficient resources (GPU-1)."],
    ["teardown_error", { reason: "in use", gpu_uuid: "GPU-1" }, "The agent could not destroy a slice on GPU-1: in use; it tries again."],
    [
      "booked",
      { start: "2026-11-24T12:00:00Z", ends_at: "2026-11-24T13:00:00Z", placements: placed },
      "Booked from 12:00 to 13:00: 2g.20gb on demo-h100 · GPU 2 at memory slice 4.",
    ],
    ["starting", { start: "2026-11-24T12:00:00Z", ends_at: "2026-11-24T13:00:00Z" }, "Its start (12:00) is near: the agent is making its slices."],
    ["rebooked", { placements: placed }, "Moved to 2g.20gb on demo-h100 · GPU 2 at memory slice 4, free for its whole window."],
    ["at_risk", { reason: "gpu_cordoned" }, expect.stringMatching(/^At risk \(its GPU was cordoned\): its place is unusable/)],
    ["instance_error", { xid: 94, gpu_uuid: "GPU-1", gpu_instance_id: 3, compute_instance_id: 0 }, expect.stringMatching(/^Fatal XID 94 on GPU instance 3 of GPU-1/)],
  ])("%s reads as a sentence", (kind, detail, sentence) => {
    expect(eventSentence(ev(kind, detail), words)).toEqual(sentence);
  });

  it("an ended lease says why and what it used", () => {
    const usage = { busy_share: 0.35, peak_memory_mib: 1229, profile_memory_mib: 20480, held_seconds: 60, idle_held_seconds: 39, idle_held_hours: 0.01, idle_share: 0.65 };
    expect(eventSentence(ev("ended", { reason: "released", usage }), words)).toBe(
      "Ended (released by its owner); its slices are gone. Used: peak 1.2 GiB of 20 GiB, busy 35 %.",
    );
    expect(eventSentence(ev("ended", { reason: "cancelled", usage: { ...usage, busy_share: null } }), words)).toBe("Ended (cancelled); its slices are gone.");
  });

  it("a kind it does not know yet still reads as key: value pairs", () => {
    expect(eventSentence(ev("migrated", { to: "GPU-2", slices: [1, 2] }), words)).toBe('migrated: to: GPU-2, slices: [1,2]');
    expect(eventSentence(ev("paused", {}), words)).toBe("paused");
  });

  it("names the broker when no one acted", () => {
    expect(actorText("system")).toBe("the broker");
    expect(actorText("key:0193")).toBe("key:0193");
  });
});
