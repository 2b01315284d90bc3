import { describe, expect, it } from "vitest";
import { isSessionKey, releaseQuestion, revokeQuestion, shortId, whenText, whereText } from "./lease";

describe("shortId", () => {
  it("shows the distinguishing end of UUIDv7s made together", () => {
    const a = shortId("01a20e68-719d-76b6-a3b1-b1e8b5224d46");
    const b = shortId("01a20e68-f8cd-735b-818e-161c16c41ac2");
    expect(a).toBe("…b5224d46");
    expect(a).not.toBe(b);
  });
});

describe("whereText", () => {
  it("names host, GPU index and profile at its memory slice", () => {
    const s = { host: "demo-h100", gpu_id: "g1", profile: "1g.10gb", start: 4 };
    expect(whereText(s, new Map([["g1", 2]]))).toBe("demo-h100 · GPU 2 · 1g.10gb@4");
    expect(whereText(s, new Map())).toBe("demo-h100 · GPU ? · 1g.10gb@4");
  });
});

describe("whenText", () => {
  const now = Date.parse("2026-11-24T12:00:00Z");
  it("says when a booking starts and a live lease ends", () => {
    expect(whenText({ state: "booked", granted_at: "2026-11-24T15:00:00Z", ends_at: "2026-11-24T16:00:00Z" }, now)).toBe("starts in 3h 00m");
    expect(whenText({ state: "active", granted_at: "2026-11-24T11:00:00Z", ends_at: "2026-11-24T13:30:00Z" }, now)).toBe("ends in 1h 30m");
    expect(whenText({ state: "pending", granted_at: null, ends_at: null }, now)).toBe("—");
    expect(whenText({ state: "ended", granted_at: null, ends_at: null }, now)).toBe("ended");
  });
});

describe("confirmations", () => {
  it("name the lease or booking", () => {
    expect(releaseQuestion({ id: "L1", state: "active", request: "2g.20gb", count: 1 })).toMatch(/^Release lease L1 \(2g\.20gb\)\?/);
    expect(releaseQuestion({ id: "L2", state: "booked", request: "1g.10gb", count: 2 })).toMatch(/^Cancel booking L2 \(2 × 1g\.10gb\)\?/);
  });
  it("warn more strongly about the session's own key", () => {
    const k = { id: "k1", name: "ci", prefix: "sbk_ab12" };
    expect(isSessionKey(k, { sub: "k1" })).toBe(true);
    expect(isSessionKey(k, { sub: "key:k1" })).toBe(true);
    expect(isSessionKey(k, { sub: "k2" })).toBe(false);
    expect(isSessionKey(k, { sub: "k1", sso: true })).toBe(false);
    expect(revokeQuestion(k, false)).toContain('"ci" (sbk_ab12…)');
    expect(revokeQuestion(k, false)).not.toContain("signs you out");
    expect(revokeQuestion(k, true)).toContain("signs you out");
  });
});
