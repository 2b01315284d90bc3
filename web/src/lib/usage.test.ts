import { describe, expect, it } from "vitest";
import { CSV_HEADER, idleShare, legendValue, stackByDay, toCsv, totals, type UsageRow } from "./usage";

const row = (tenant: string, profile: string, day: string, hours: number, idle: number, cost: number | null): UsageRow => ({
  tenant_id: `00000000-0000-0000-0000-00000000000${tenant === "a" ? 1 : 2}`,
  tenant,
  model: "h100-80gb",
  profile,
  day,
  slice_hours: hours,
  compute_slice_hours: 2 * hours,
  idle_held_slice_hours: idle,
  cost,
});

describe("totals", () => {
  it("sums each tenant's profile over the days, cost only where priced", () => {
    const t = totals([
      row("b", "1g.10gb", "2026-03-10", 1, 0.5, null),
      row("a", "1g.10gb", "2026-03-10", 2, 1, 4),
      row("a", "1g.10gb", "2026-03-11", 3, 0, 6),
      row("a", "2g.20gb", "2026-03-11", 1, 1, null),
    ]);
    expect(t.map((x) => [x.tenant, x.profile, x.sliceHours, x.computeSliceHours, x.idleHeldSliceHours, x.cost])).toEqual([
      ["a", "1g.10gb", 5, 10, 1, 10],
      ["a", "2g.20gb", 1, 2, 1, null],
      ["b", "1g.10gb", 1, 2, 0.5, null],
    ]);
    expect(idleShare(t[0]!)).toBe("20%");
    expect(idleShare({ sliceHours: 0, idleHeldSliceHours: 0 })).toBe("—");
  });
});

describe("toCsv", () => {
  it("matches the server's export: header, CRLF, quoting, empty unpriced cost", () => {
    const csv = toCsv([row("a", "1g.10gb", "2026-03-10", 1.5, 0.25, null), { ...row("a", "x,\"y\"", "2026-03-10", 1, 0, 2.5), model: "=m" }]);
    expect(csv.split("\r\n")).toEqual([
      CSV_HEADER,
      "2026-03-10,00000000-0000-0000-0000-000000000001,a,h100-80gb,1g.10gb,1.5,3,0.25,",
      '2026-03-10,00000000-0000-0000-0000-000000000001,a,\'=m,"x,""y""",1,2,0,2.5',
      "",
    ]);
  });
});

describe("stackByDay and legendValue", () => {
  it("stacks for drawing but the legend tells each series' own hours", () => {
    const from = Date.parse("2026-03-10T00:00:00Z");
    const { keys, values, stacked, total } = stackByDay(
      [row("a", "1g.10gb", "2026-03-10", 2, 0, null), row("a", "2g.20gb", "2026-03-10", 3, 0, null), row("a", "2g.20gb", "2026-03-11", 1, 0, null)],
      from,
      2,
    );
    expect(keys).toEqual(["1g.10gb on h100-80gb", "2g.20gb on h100-80gb"]);
    expect(stacked[1]).toEqual([5, 1]);
    expect(total).toEqual([5, 1]);
    expect(legendValue(values, 1, 0)).toBe("3.00");
    expect(legendValue(values, 0, 0)).toBe("2.00");
    expect(legendValue(values, 0, 1)).toBe("0.00");
    expect(legendValue(values, 0, null)).toBe("—");
  });
});
