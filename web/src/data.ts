// Loads shared by several pages.
import { api, must, type Lease } from "./api/client";

export const LIVE_STATES = ["booked", "pending", "provisioning", "active", "releasing"] as const;
export type LiveState = (typeof LIVE_STATES)[number];

/** Every lease in `states` the caller may see, all pages of each. */
export async function leasesIn(states: readonly Lease["state"][]): Promise<Lease[]> {
  const lists = await Promise.all(
    states.map(async (state) => {
      const out: Lease[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 20; page++) {
        const p = await must(
          api.GET("/v1/leases", { params: { query: { state, limit: 500, ...(cursor ? { cursor } : {}) } } }),
        );
        out.push(...p.items);
        if (!p.next_cursor) break;
        cursor = p.next_cursor;
      }
      return out;
    }),
  );
  return lists.flat();
}

/** The most recent `limit` leases in any state (the list is oldest first, so page to the end). */
export async function recentLeases(limit = 200): Promise<Lease[]> {
  const out: Lease[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const p = await must(api.GET("/v1/leases", { params: { query: { limit: 500, ...(cursor ? { cursor } : {}) } } }));
    out.push(...p.items);
    if (!p.next_cursor) break;
    cursor = p.next_cursor;
  }
  return out.slice(-limit).reverse();
}
