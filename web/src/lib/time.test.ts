import { describe, expect, it } from "vitest";
import {
  ago,
  axisTicks,
  barIn,
  calendarDuration,
  ceilMinute,
  countdown,
  formatDuration,
  localInput,
  parseDuration,
  soonestBooking,
  TICK_LABEL_PX,
} from "./time";

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

describe("the booking form's earliest start", () => {
  const now = Date.parse("2026-11-24T09:00:30.250Z");
  it("rounds up to the minute the input can hold, never down", () => {
    expect(new Date(ceilMinute(Date.parse("2026-11-24T12:07:01Z"))).toISOString()).toBe("2026-11-24T12:08:00.000Z");
    expect(new Date(ceilMinute(Date.parse("2026-11-24T12:07:00Z"))).toISOString()).toBe("2026-11-24T12:07:00.000Z");
  });
  it("offers no start sooner than five whole minutes ahead", () => {
    expect(new Date(soonestBooking(now)).toISOString()).toBe("2026-11-24T09:06:00.000Z");
  });
  it("fills in exactly the start it shows", () => {
    const start = ceilMinute(Date.parse("2026-11-24T12:07:42Z"));
    expect(new Date(localInput(start)).getTime()).toBe(start);
  });
  it("asks the calendar for durations in seconds, as its query takes them", () => {
    expect(calendarDuration(5400)).toBe("5400");
    expect(calendarDuration(9_999_999)).toBe("9999999");
    expect(calendarDuration(10_000_000)).toBeUndefined();
  });
});

describe("axisTicks", () => {
  const from = new Date(2026, 10, 24, 8, 48).getTime();
  const day = 86_400_000;
  it("puts ticks on whole local hours, spaced for their labels", () => {
    for (const [span, width] of [
      [day, 1100],
      [day, 240],
      [7 * day, 1100],
      [7 * day, 240],
      [30 * day, 1100],
      [30 * day, 240],
    ] as const) {
      const ticks = axisTicks(from, span, width);
      expect(ticks.length, `${span / day} days at ${width} px`).toBeGreaterThanOrEqual(2);
      expect(ticks.length).toBeLessThanOrEqual(width / TICK_LABEL_PX);
      for (const [i, t] of ticks.entries()) {
        const at = new Date(from + (t.left / 100) * span);
        expect(at.getMinutes()).toBe(0);
        expect((t.left / 100) * width + TICK_LABEL_PX).toBeLessThanOrEqual(width);
        if (i) expect(((t.left - ticks[i - 1]!.left) / 100) * width).toBeGreaterThanOrEqual(TICK_LABEL_PX - 1);
      }
    }
  });
  it("leaves at least two ticks on a phone, wherever the window starts", () => {
    for (let shift = 0; shift < day; shift += 37 * 60_000) {
      for (const span of [day, 7 * day, 30 * day]) expect(axisTicks(from + shift, span, 240).length).toBeGreaterThanOrEqual(2);
    }
  });

  it("labels hours over a day and dates over a month, short", () => {
    const hours = axisTicks(from, day, 240);
    expect(hours.map((t) => t.label)).toEqual([12, 18, 0].map((h) => new Date(2026, 10, 24, h).toLocaleTimeString([], { hour: "numeric" })));
    const dates = axisTicks(from, 30 * day, 1100);
    expect(dates[0]!.label).toBe(new Date(2026, 10, 25).toLocaleDateString([], { month: "short", day: "numeric" }));
    // Over a week, each midnight carries its date, so the hours between are placed.
    const week = axisTicks(from, 7 * day, 1400).map((t) => ({ ...t, at: new Date(from + (t.left / 100) * 7 * day) }));
    const midnights = week.filter((t) => t.at.getHours() === 0);
    expect(midnights.length).toBe(7);
    for (const t of midnights) expect(t.label).toBe(t.at.toLocaleDateString([], { month: "short", day: "numeric" }));
  });
});
