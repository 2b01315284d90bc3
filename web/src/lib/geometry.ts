// The drawing of one GPU: its memory slices as a strip, each MIG instance a block at its real
// placement (`start`, `size`), the uncovered runs as free space. Pure, so it is unit-tested.

export interface SliceLike {
  profile: string;
  start: number;
  size: number;
  unmanaged: boolean;
  lease_id?: string | null;
  tenant_id?: string | null;
}

/** Who holds a block, which decides how it is drawn. */
export type Holder = "mine" | "other" | "tenant" | "unmanaged";

export interface Block<S extends SliceLike = SliceLike> {
  slice: S;
  start: number;
  size: number;
  /** Left edge and width as a share (%) of the strip. */
  left: number;
  width: number;
  holder: Holder;
}

export interface FreeRun {
  start: number;
  size: number;
  left: number;
  width: number;
}

export interface GpuDrawing<S extends SliceLike = SliceLike> {
  memorySlices: number;
  blocks: Block<S>[];
  free: FreeRun[];
  /** Memory slices held, for the strip's label. */
  used: number;
}

export class GeometryError extends Error {}

const pct = (n: number, of: number) => (n / of) * 100;

/**
 * Lays out `slices` on a GPU of `memorySlices`. `mine` tells the caller's own slices apart
 * (tenants see mine/others); `byTenant` colours by tenant (admins). Throws on a slice outside
 * the grid or overlapping another: the API never reports one, so drawing it would hide a bug.
 */
export function drawGpu<S extends SliceLike>(
  memorySlices: number,
  slices: readonly S[],
  opts: { mine?: (s: S) => boolean; byTenant?: boolean } = {},
): GpuDrawing<S> {
  if (!Number.isInteger(memorySlices) || memorySlices <= 0) {
    throw new GeometryError(`a GPU needs a positive number of memory slices, not ${memorySlices}`);
  }
  const taken: (S | undefined)[] = new Array(memorySlices).fill(undefined);
  const sorted = [...slices].sort((a, b) => a.start - b.start);
  const blocks: Block<S>[] = [];
  for (const s of sorted) {
    if (!Number.isInteger(s.start) || !Number.isInteger(s.size) || s.size <= 0 || s.start < 0) {
      throw new GeometryError(`${s.profile}: bad placement ${s.start}+${s.size}`);
    }
    if (s.start + s.size > memorySlices) {
      throw new GeometryError(
        `${s.profile} at ${s.start}+${s.size} runs past the GPU's ${memorySlices} memory slices`,
      );
    }
    for (let i = s.start; i < s.start + s.size; i++) {
      const other = taken[i];
      if (other) {
        throw new GeometryError(
          `${s.profile} at ${s.start}+${s.size} overlaps ${other.profile} at ${other.start}+${other.size}`,
        );
      }
      taken[i] = s;
    }
    const holder: Holder = s.unmanaged
      ? "unmanaged"
      : opts.byTenant
        ? "tenant"
        : opts.mine?.(s)
          ? "mine"
          : "other";
    blocks.push({
      slice: s,
      start: s.start,
      size: s.size,
      left: pct(s.start, memorySlices),
      width: pct(s.size, memorySlices),
      holder,
    });
  }
  const free: FreeRun[] = [];
  for (let i = 0; i < memorySlices; ) {
    if (taken[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < memorySlices && !taken[j]) j++;
    free.push({ start: i, size: j - i, left: pct(i, memorySlices), width: pct(j - i, memorySlices) });
    i = j;
  }
  const used = taken.filter(Boolean).length;
  return { memorySlices, blocks, free, used };
}

/** Checks a drawing against the API's own `layout` string (`.` free, `#` taken). */
export function matchesLayout(drawing: GpuDrawing, layout: string): boolean {
  if (layout.length !== drawing.memorySlices) return false;
  const cells = new Array(drawing.memorySlices).fill(".");
  for (const b of drawing.blocks) for (let i = b.start; i < b.start + b.size; i++) cells[i] = "#";
  return cells.join("") === layout;
}

/** Okabe & Ito's colour-blind-safe palette (black left out: it is the text colour). */
export const PALETTE = [
  "#0072B2",
  "#E69F00",
  "#009E73",
  "#CC79A7",
  "#56B4E9",
  "#D55E00",
  "#F0E442",
] as const;

/** Text colour readable on each palette colour. */
export function inkFor(colour: string): string {
  return ["#E69F00", "#56B4E9", "#F0E442", "#009E73", "#CC79A7"].includes(colour) ? "#000" : "#fff";
}

function hashIndex(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) % PALETTE.length;
}

/**
 * Colours for keys shown together (every tenant, for an admin): each takes its own hashed
 * colour unless a key before it (in sorted order) has it, then the next free one, so up to
 * `PALETTE.length` keys never share a colour; the same keys always get the same colours.
 */
export function assignColours(keys: readonly string[]): Map<string, string> {
  const taken = new Set<number>();
  const out = new Map<string, string>();
  for (const key of [...new Set(keys)].sort()) {
    let i = hashIndex(key);
    for (let n = 0; n < PALETTE.length && taken.has(i); n++) i = (i + 1) % PALETTE.length;
    taken.add(i);
    out.set(key, PALETTE[i]!);
  }
  return out;
}

let assigned = new Map<string, string>();

/** Makes `colourFor` give `keys` distinct colours (see `assignColours`). */
export function setColourKeys(keys: readonly string[]): void {
  assigned = assignColours(keys);
}

/** A stable palette colour for a key (a tenant id), the same on every page and reload. */
export function colourFor(key: string): string {
  return assigned.get(key) ?? PALETTE[hashIndex(key)]!;
}
