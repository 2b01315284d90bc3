import { describe, expect, it } from "vitest";
import { healthSummary, instanceErrorText } from "./health";

const now = Date.parse("2026-11-24T10:00:00Z");
const base = {
  reported_at: "2026-11-24T09:59:50Z",
  temperature_c: 71,
  power_mw: 312_400,
  ecc: null,
  throttle_reasons: ["gpu_idle" as const],
  xids: [],
  xids_dropped: 0,
};

describe("healthSummary", () => {
  it("says what was measured and nothing else", () => {
    expect(healthSummary(base, now)).toEqual({ text: "71°C · 312 W", warn: false, fatal: false });
    expect(healthSummary({ ...base, temperature_c: null, power_mw: null, throttle_reasons: null }, now).text).toBe("—");
    expect(healthSummary(null, now).text).toBe("—");
  });

  it("warns when hot or throttled, and flags a fatal last XID", () => {
    expect(healthSummary({ ...base, temperature_c: 90 }, now).warn).toBe(true);
    const s = healthSummary(
      {
        ...base,
        throttle_reasons: ["hw_thermal_slowdown"],
        xids: [{ xid: 94, fatal: true, gpu_instance_id: 3, compute_instance_id: 0, lease_ids: [], seen_at: "2026-11-24T09:55:00Z" }],
      },
      now,
    );
    expect(s).toEqual({
      text: "71°C · 312 W · throttled: hw_thermal_slowdown · XID 94 (fatal) 5m 00s ago",
      warn: true,
      fatal: true,
    });
  });
});

describe("instanceErrorText", () => {
  it("names the instance, or the whole GPU", () => {
    expect(instanceErrorText({ xid: 94, gpu_instance_id: 3, gpu_uuid: "GPU-1" })).toMatch(/^Fatal XID 94 on GPU instance 3 of GPU-1/);
    expect(instanceErrorText({ xid: 79, gpu_instance_id: null, gpu_uuid: "GPU-1" })).toMatch(/the whole GPU/);
  });
});
