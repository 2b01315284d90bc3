import { describe, expect, it } from "vitest";
import { localInput } from "./time";
import { type LeaseForm, leaseRequest, parseLabels, policyFieldOf, policyPatch, tenantNameError } from "./validate";

const form = (over: Partial<LeaseForm> = {}): LeaseForm => ({
  mode: "profile",
  profile: "2g.20gb",
  minMemoryGib: "",
  minComputeSlices: "",
  gpuModel: "",
  duration: "8h",
  count: "1",
  labels: "",
  wait: false,
  ...over,
});

describe("leaseRequest", () => {
  it("builds the API body from a valid form", () => {
    expect(leaseRequest(form({ labels: "team=vision\nrun = 42", wait: true, gpuModel: "h100-80gb" }))).toEqual({
      body: {
        profile: "2g.20gb",
        duration: "8h",
        count: 1,
        labels: { team: "vision", run: "42" },
        gpu_models: ["h100-80gb"],
        wait: true,
      },
    });
  });

  it("a class sends its name and leaves the duration to it unless one is given", () => {
    const r = leaseRequest(form({ mode: "class", className: "notebook", profile: "", duration: "" }));
    expect(r).toEqual({ body: { class: "notebook", count: 1, wait: false } });
    expect(leaseRequest(form({ mode: "class", className: "notebook", duration: "2h" }))).toMatchObject({
      body: { class: "notebook", duration: "2h" },
    });
    expect(leaseRequest(form({ mode: "class", className: "", duration: "soon" }))).toEqual({
      errors: { className: "choose a class", duration: expect.stringMatching(/not a duration/) },
    });
  });

  it("a need asks for memory and compute instead of a profile", () => {
    const r = leaseRequest(form({ mode: "need", minMemoryGib: "20", minComputeSlices: "2" }));
    expect(r).toMatchObject({ body: { min_memory_gib: 20, min_compute_slices: 2 } });
    expect("body" in r && r.body.profile).toBeFalsy();
  });

  it("names every bad field at once", () => {
    const r = leaseRequest(form({ profile: "", duration: "soon", count: "0", labels: "oops" }));
    expect(r).toEqual({
      errors: {
        profile: "choose a profile",
        duration: expect.stringMatching(/not a duration/),
        count: "a whole number from 1 to 64",
        labels: '"oops" is not key=value',
      },
    });
    expect(leaseRequest(form({ mode: "need", minMemoryGib: "lots" }))).toEqual({
      errors: { minMemoryGib: "a whole number from 1 to 1024" },
    });
    expect(leaseRequest(form({ profile: "big one" }))).toMatchObject({ errors: { profile: /not a profile/ } });
  });
});

describe("policyPatch: the profile-size limit", () => {
  it("is 0 to 8, or empty for any", () => {
    expect(policyPatch({ max_compute_slices_outside_classes: "4" })).toEqual({ patch: { max_compute_slices_outside_classes: 4 } });
    expect(policyPatch({ max_compute_slices_outside_classes: "" }, { max_compute_slices_outside_classes: "4" })).toEqual({
      patch: { max_compute_slices_outside_classes: null },
    });
    expect(policyPatch({ max_compute_slices_outside_classes: "9" })).toMatchObject({
      errors: { max_compute_slices_outside_classes: /0 to 8/ },
    });
  });
});

describe("parseLabels", () => {
  it("refuses duplicate and malformed keys", () => {
    expect(parseLabels("a=1, a=2")).toEqual({ error: 'label "a" is given twice' });
    expect(parseLabels("=x")).toEqual({ error: '"=x" is not key=value' });
    expect(parseLabels("bad key=1")).toEqual({ error: 'label key "bad key": 1-63 letters, digits, . _ / or -' });
    expect(parseLabels("k".repeat(64) + "=1")).toMatchObject({ error: /label key "k+": 1-63/ });
    expect(parseLabels("")).toEqual({ labels: {} });
  });

  it("keeps commas inside values; a comma before key= or a new line starts the next label", () => {
    expect(parseLabels("team=vision, note=a, b, c\nrun=42")).toEqual({ labels: { team: "vision", note: "a, b, c", run: "42" } });
    expect(parseLabels("note=x,y\ncsv=1,2,3")).toEqual({ labels: { note: "x,y", csv: "1,2,3" } });
    expect(parseLabels("team=web, run=e2e")).toEqual({ labels: { team: "web", run: "e2e" } });
    // The API's keys: letters, digits and . _ / - anywhere.
    expect(parseLabels(".hidden=1, example.com/owner=ada")).toEqual({ labels: { ".hidden": "1", "example.com/owner": "ada" } });
  });

  it("names the label whose value breaks the API's rules", () => {
    expect(parseLabels(`ok=1\nlong=${"é".repeat(256)}`)).toMatchObject({ labels: { long: "é".repeat(256) } });
    expect(parseLabels(`long=${"x".repeat(257)}`)).toEqual({ error: 'label "long": the value is 257 characters, at most 256' });
    expect(parseLabels("tab=a\tb")).toEqual({ error: 'label "tab": the value holds a control character (a tab?)' });
    const many = Array.from({ length: 33 }, (_, i) => `k${i}=v`).join("\n");
    expect(parseLabels(many)).toEqual({ error: "at most 32 labels (these are 33)" });
  });
});

describe("as an admin types a policy", () => {
  it("every number field is checked against the API's bounds", () => {
    expect(policyPatch({ max_live_compute_slices: "10000001" })).toEqual({
      errors: { max_live_compute_slices: "a whole number from 0 to 10000000, or empty for unlimited" },
    });
    expect(policyPatch({ max_booking_ahead_seconds: "2592001", max_bookings: "1.5", max_booking_seconds: "0" })).toEqual({
      errors: {
        max_booking_ahead_seconds: "seconds: a whole number from 0 to 2592000",
        max_bookings: "a whole number from 0 to 10000000, or empty for unlimited",
        max_booking_seconds: "seconds: a whole number from 1 to 31622400, or empty for the longest lease",
      },
    });
    expect(policyPatch({ default_idle_timeout_seconds: "" }, { default_idle_timeout_seconds: "7200" })).toEqual({
      errors: { default_idle_timeout_seconds: "seconds: a whole number from 1 to 31622400" },
    });
    expect(policyPatch({ allowed_gpu_models: Array.from({ length: 33 }, (_, i) => `m${i}`).join(",") })).toEqual({
      errors: { allowed_gpu_models: "at most 32 models" },
    });
  });

  it("the API's answer lands by the field its pointer names", () => {
    expect(policyFieldOf("/policy/max_live_leases")).toBe("max_live_leases");
    expect(policyFieldOf("/policy/allowed_gpu_models/1")).toBe("allowed_gpu_models");
    expect(policyFieldOf("max_lease_seconds")).toBe("max_lease_seconds");
    expect(policyFieldOf("/policy")).toBeUndefined();
    expect(policyFieldOf("display_name")).toBeUndefined();
    expect(policyFieldOf(null)).toBeUndefined();
  });

  it("a new tenant's name follows TenantCreate", () => {
    expect(tenantNameError("")).toBeUndefined();
    expect(tenantNameError("ml-vision")).toBeUndefined();
    expect(tenantNameError("ML Vision")).toBe("lower-case letters, digits and -, not starting with -");
    expect(tenantNameError("-x")).toBe("lower-case letters, digits and -, not starting with -");
    expect(tenantNameError("a".repeat(64))).toBe("at most 63 characters (this is 64)");
  });
});

describe("policyPatch", () => {
  it("sends only what changed; empty quotas are unlimited", () => {
    const current = { max_live_compute_slices: "14", max_live_leases: "", max_lease_seconds: "604800" };
    expect(
      policyPatch({ max_live_compute_slices: "2", max_live_leases: "", max_lease_seconds: "604800" }, current),
    ).toEqual({ patch: { max_live_compute_slices: 2 } });
    expect(policyPatch({ max_live_compute_slices: "" }, current)).toEqual({
      patch: { max_live_compute_slices: null },
    });
  });

  it("keeps the API's bounds", () => {
    expect(policyPatch({ max_live_leases: "-1", max_lease_seconds: "0", monthly_budget_slice_hours: "x" })).toEqual({
      errors: {
        max_live_leases: "a whole number from 0 to 10000000, or empty for unlimited",
        max_lease_seconds: "seconds: a whole number from 1 to 31622400",
        monthly_budget_slice_hours: "a whole number from 0 to 1000000000, or empty for unlimited",
      },
    });
    expect(policyPatch({ max_total_extension_seconds: "0" })).toEqual({
      patch: { max_total_extension_seconds: 0 },
    });
  });
});

describe("bookings", () => {
  const now = new Date("2026-11-24T09:00:00Z").getTime();
  const local = localInput;

  it("a start time makes the request a booking, in UTC, that does not wait", () => {
    const r = leaseRequest(form({ when: "at", start: local("2026-11-25T08:00:00Z"), wait: true }), now);
    expect(r).toMatchObject({ body: { profile: "2g.20gb", start: "2026-11-25T08:00:00.000Z", wait: false } });
  });

  it("refuses a start in the past, too far ahead, or missing", () => {
    expect(leaseRequest(form({ when: "at", start: local("2026-11-24T08:00:00Z") }), now)).toEqual({
      errors: { start: "must be in the future" },
    });
    expect(leaseRequest(form({ when: "at", start: local("2026-12-25T09:00:00Z") }), now)).toEqual({
      errors: { start: "at most 30 days ahead" },
    });
    expect(leaseRequest(form({ when: "at", start: "" }), now)).toEqual({ errors: { start: "choose a date and time" } });
  });

  it("now sends no start", () => {
    const r = leaseRequest(form({ when: "now", start: local("2026-11-25T08:00:00Z") }), now);
    expect("body" in r && r.body.start).toBeFalsy();
  });
});
