import { describe, expect, it } from "vitest";
import { activityOf, describeProcess } from "./activity";

const now = Date.parse("2026-11-24T10:00:00Z");

describe("activityOf", () => {
  it("is busy while any slice has compute processes", () => {
    const a = activityOf(
      [{ processes: [], last_active_at: null }, { processes: [{ pid: 7, command: "python", memory_mib: 512 }] }],
      "2026-11-24T09:00:00Z",
      now,
    );
    expect(a).toMatchObject({ state: "busy", text: "busy: 1 process" });
  });

  it("is idle since the last activity, or since activation when never used", () => {
    expect(activityOf([{ processes: [], last_active_at: "2026-11-24T09:55:00Z" }], "2026-11-24T09:00:00Z", now)).toEqual({
      state: "idle",
      idleSeconds: 300,
      text: "idle 5m 00s",
    });
    expect(activityOf([{ processes: [], last_active_at: null }], "2026-11-24T08:30:00Z", now)).toMatchObject({
      idleSeconds: 5400,
      text: "idle 1h 30m",
    });
    // The most recent activity of any slice counts.
    expect(
      activityOf(
        [
          { processes: [], last_active_at: "2026-11-24T09:00:00Z" },
          { processes: [], last_active_at: "2026-11-24T09:59:30Z" },
        ],
        null,
        now,
      ),
    ).toMatchObject({ idleSeconds: 30 });
  });

  it("is unknown where the API shows no activity (another tenant's slice)", () => {
    expect(activityOf([{ processes: null }], null, now)).toEqual({ state: "unknown", text: "—" });
    expect(activityOf([], null, now).state).toBe("unknown");
  });

  it("describes a process", () => {
    expect(describeProcess({ pid: 42, command: "python train.py", memory_mib: 2048 })).toBe("42 python train.py (2048 MiB)");
    expect(describeProcess({ pid: 42 })).toBe("42");
  });
});
