import { describe, expect, it } from "vitest";
import { ago, barIn, countdown, formatDuration, parseDuration } from "./time";

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [45, "45s"],
    [60, "1m 00s"],
    [249, "4m 09s"],
    [3725, "1h 02m"],
    [8 * 3600, "8h 00m"],
    [86400 + 3 * 3600 + 59, "1d 03h"],
    [-5, "0s"],
  ])("%i s → %s", (s, text) => expect(formatDuration(s)).toBe(text));
});

describe("countdown", () => {
  const now = Date.parse("2026-11-24T10:00:00Z");
  it("counts down to the end", () => {
    expect(countdown("2026-11-24T12:30:15Z", now)).toBe("2h 30m");
    expect(countdown("2026-11-24T10:00:59Z", now)).toBe("59s");
  });
  it("says due once past, and a dash without an end", () => {
    expect(countdown("2026-11-24T09:59:00Z", now)).toBe("due");
    expect(countdown("2026-11-24T10:00:00Z", now)).toBe("due");
    expect(countdown(null, now)).toBe("—");
    expect(countdown("not a date", now)).toBe("—");
  });
  it("ago", () => {
    expect(ago("2026-11-24T09:59:30Z", now)).toBe("30s ago");
    expect(ago(null, now)).toBe("never");
  });
});

describe("parseDuration", () => {
  it.each([
    ["8h", 28800],
    ["1h30m", 5400],
    ["2d", 172800],
    ["1w", 604800],
    ["90", 90],
    ["PT8H", 28800],
    ["P1DT12H", 129600],
    [" 45m ", 2700],
  ])("%s → %i s", (text, s) => expect(parseDuration(text)).toEqual({ seconds: s }));

  it.each([
    ["", /enter a duration/],
    ["8 hours", /not a duration/],
    ["h", /not a duration/],
    ["P", /not a duration/],
    ["PT", /not a duration/],
    ["0", /at least 1 second/],
    ["367d", /at most 366 days/],
  ])("%j is refused", (text, msg) => {
    const r = parseDuration(text);
    expect("error" in r && r.error).toMatch(msg);
  });
});

describe("barIn", () => {
  it("places a lease in the calendar's window, clipped to it", () => {
    expect(barIn(100, 200, 0, 1000)).toEqual({ left: 10, width: 10 });
    expect(barIn(-500, 250, 0, 1000)).toEqual({ left: 0, width: 25 });
    expect(barIn(900, 5000, 0, 1000)).toEqual({ left: 90, width: 10 });
  });
  it("leaves out leases outside it", () => {
    expect(barIn(1000, 2000, 0, 1000)).toBeUndefined();
    expect(barIn(-10, 0, 0, 1000)).toBeUndefined();
  });
});
