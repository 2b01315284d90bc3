import { describe, expect, it } from "vitest";
import { GeometryError, PALETTE, assignColours, colourFor, drawGpu, matchesLayout } from "./geometry";

const slice = (
  profile: string,
  start: number,
  size: number,
  extra: { lease_id?: string | null; unmanaged?: boolean } = {},
) => ({
  profile,
  start,
  size,
  unmanaged: false,
  ...extra,
});

describe("drawGpu", () => {
  it("places each block at its memory slices, to scale, on an 8-slice H100", () => {
    const d = drawGpu(8, [slice("3g.40gb", 4, 4), slice("2g.20gb", 0, 2), slice("1g.10gb", 2, 1)]);
    expect(d.blocks.map((b) => [b.slice.profile, b.left, b.width])).toEqual([
      ["2g.20gb", 0, 25],
      ["1g.10gb", 25, 12.5],
      ["3g.40gb", 50, 50],
    ]);
    expect(d.free).toEqual([{ start: 3, size: 1, left: 37.5, width: 12.5 }]);
    expect(d.used).toBe(7);
  });

  it("draws a 4-slice A30 and a 12-slice RTX PRO 6000 on their own grids", () => {
    expect(drawGpu(4, [slice("2g.12gb", 2, 2)]).blocks[0]).toMatchObject({ left: 50, width: 50 });
    const rtx = drawGpu(12, [slice("1g.24gb", 3, 3)]);
    expect(rtx.blocks[0]).toMatchObject({ left: 25, width: 25 });
    expect(rtx.free.map((f) => [f.start, f.size])).toEqual([
      [0, 3],
      [6, 6],
    ]);
  });

  it("an empty GPU is one free run", () => {
    expect(drawGpu(8, []).free).toEqual([{ start: 0, size: 8, left: 0, width: 100 }]);
  });

  it("tells mine, others', tenants' and hand-made slices apart", () => {
    const slices = [
      slice("1g.10gb", 0, 1, { lease_id: "a" }),
      slice("1g.10gb", 1, 1, { lease_id: null }),
      slice("1g.10gb", 2, 1, { unmanaged: true }),
    ];
    const mine = drawGpu(8, slices, { mine: (s) => s.lease_id === "a" });
    expect(mine.blocks.map((b) => b.holder)).toEqual(["mine", "other", "unmanaged"]);
    const admin = drawGpu(8, slices, { byTenant: true });
    expect(admin.blocks.map((b) => b.holder)).toEqual(["tenant", "tenant", "unmanaged"]);
  });

  it("refuses overlapping or out-of-grid slices instead of drawing them", () => {
    expect(() => drawGpu(8, [slice("4g.40gb", 0, 4), slice("2g.20gb", 2, 2)])).toThrow(
      /overlaps 4g.40gb at 0\+4/,
    );
    expect(() => drawGpu(8, [slice("3g.40gb", 6, 4)])).toThrow(GeometryError);
    expect(() => drawGpu(0, [])).toThrow(GeometryError);
  });

  it("agrees with the API's layout string", () => {
    const d = drawGpu(8, [slice("2g.20gb", 2, 2), slice("1g.10gb", 6, 1)]);
    expect(matchesLayout(d, "..##..#.")).toBe(true);
    expect(matchesLayout(d, "##....#.")).toBe(false);
  });
});

describe("colourFor", () => {
  it("is stable and from the palette", () => {
    const c = colourFor("0191d2c4-7b0e-7a51-b3a2-5c1f00000001");
    expect(PALETTE).toContain(c);
    expect(colourFor("0191d2c4-7b0e-7a51-b3a2-5c1f00000001")).toBe(c);
  });
});

describe("assignColours", () => {
  it("gives keys shown together distinct colours, the same each time", () => {
    // Enough keys that some must hash to the same colour.
    const keys = Array.from({ length: PALETTE.length }, (_, i) => `0191d2c4-7b0e-7a51-b3a2-5c1f0000000${i}`);
    const a = assignColours(keys);
    expect(new Set(a.values()).size).toBe(PALETTE.length);
    expect(assignColours([...keys].reverse())).toEqual(a);
  });
});
