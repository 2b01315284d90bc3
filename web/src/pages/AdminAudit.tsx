// Admin → Audit log: the whole fleet's trail (`GET /v1/audit`: hosts and GPUs cordoned, tenants,
// keys, webhooks, classes, rates, enrollment tokens; newest first, a page at a time, filtered by
// the kind of object) or one tenant's (`GET /v1/tenants/{id}/audit`), each change with its before
// and after.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, must, refusalText, type Schemas } from "../api/client";
import { ErrorNote } from "../components/Problem";
import { usePoll } from "../poll";

type AuditRecord = Schemas["AuditRecord"];
type Kind = Schemas["AuditTargetKind"];

/** Every kind the log records, as the filter offers it (the type checks none is missing). */
const KINDS = {
  host: "hosts",
  gpu: "GPUs",
  tenant: "tenants",
  api_key: "API keys",
  webhook: "webhooks",
  webhook_delivery: "webhook redeliveries",
  class: "slice classes",
  rates: "the rate card",
  enrollment_token: "enrollment tokens",
} satisfies Record<Kind, string>;

const PAGE = 100;

export function Audit() {
  const tenants = usePoll(() => must(api.GET("/v1/tenants")), 30000);
  const names = useNames(tenants.data);
  // "" is the whole fleet (the admin's default); otherwise a tenant's id.
  const [scope, setScope] = useState("");
  const [kind, setKind] = useState<Kind | "">("");
  const fleet = useFleetAudit(scope === "", kind);
  const tenant = usePoll(
    async () => (scope ? must(api.GET("/v1/tenants/{id}/audit", { params: { path: { id: scope } } })) : undefined),
    5000,
    [scope],
  );
  // A tenant's trail comes oldest first and whole: newest first here, filtered in place.
  const records = scope ? [...(tenant.data ?? [])].reverse().filter((a) => !kind || a.target_kind === kind) : fleet.records;
  return (
    <div data-testid="audit">
      <div class="grid">
        <label for="audit-scope">
          Whose changes
          <select id="audit-scope" value={scope} onChange={(e) => setScope((e.target as HTMLSelectElement).value)}>
            <option value="">Whole fleet</option>
            {(tenants.data ?? []).map((t) => (
              <option key={t.id} value={t.id}>
                Tenant {t.name}
              </option>
            ))}
          </select>
        </label>
        <label for="audit-kind">
          Changes to
          <select id="audit-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as Kind | "")}>
            <option value="">everything</option>
            {Object.entries(KINDS).map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNote message={scope ? tenant.error : fleet.error} />
      {records.length === 0 && !(scope ? tenant.error : fleet.error) ? <p class="muted">No changes recorded{kind ? ` to ${KINDS[kind]}` : ""}.</p> : null}
      <ol class="timeline">
        {records.map((a) => (
          <li key={a.id} data-action={a.action} data-target-kind={a.target_kind}>
            <time dateTime={a.at}>{new Date(a.at).toLocaleString()}</time> <strong>{a.action}</strong>{" "}
            <small>
              {a.target_kind} {names(a)} by {a.actor}
            </small>
            <AuditDiff before={a.before} after={a.after} />
          </li>
        ))}
      </ol>
      {!scope && fleet.more ? (
        <button type="button" class="secondary small" aria-busy={fleet.busy} disabled={fleet.busy} onClick={fleet.more}>
          Load more
        </button>
      ) : null}
    </div>
  );
}

/** The whole log, newest first: its newest page kept fresh, older pages added on demand (by
 * `next_cursor`), all started again when the filter changes. */
function useFleetAudit(on: boolean, kind: Kind | "") {
  const query = (cursor?: number) => ({ limit: PAGE, ...(kind ? { target_kind: kind } : {}), ...(cursor ? { cursor } : {}) });
  const newest = usePoll(async () => (on ? must(api.GET("/v1/audit", { params: { query: query() } })) : undefined), 5000, [on, kind]);
  const [older, setOlder] = useState<{ items: AuditRecord[]; next: number | null }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  // A page asked for under another filter is dropped when it comes.
  const filter = useRef(0);
  useEffect(() => {
    filter.current++;
    setOlder(undefined);
    setError(undefined);
  }, [on, kind]);
  const next = older ? older.next : (newest.data?.next_cursor ?? null);
  const more = async () => {
    if (!next) return;
    const mine = filter.current;
    setBusy(true);
    setError(undefined);
    try {
      const page = await must(api.GET("/v1/audit", { params: { query: query(next) } }));
      if (mine === filter.current) setOlder((o) => ({ items: [...(o?.items ?? []), ...page.items], next: page.next_cursor }));
    } catch (e) {
      setError(refusalText("Older changes not loaded", e));
    } finally {
      setBusy(false);
    }
  };
  // The newest page moves on as changes come; an entry in both shows once.
  const seen = new Set<number>();
  const records = [...(newest.data?.items ?? []), ...(older?.items ?? [])].filter((a) => !seen.has(a.id) && !!seen.add(a.id));
  return { records, error: error ?? newest.error, busy, more: next ? more : undefined };
}

/** What a change was to, by name where known: a tenant, host or GPU by its name, anything
 * else with a `name` by that, else its id. */
function useNames(tenants: Schemas["Tenant"][] | undefined) {
  const hosts = usePoll(() => must(api.GET("/v1/hosts")), 30000);
  const gpus = usePoll(() => must(api.GET("/v1/gpus")), 30000);
  const known = new Map<string, string>([
    ...(tenants ?? []).map((t) => [t.id, t.name] as [string, string]),
    ...(hosts.data ?? []).map((h) => [h.id, h.name] as [string, string]),
    ...(gpus.data ?? []).map((g) => [g.id, `${g.host} · GPU ${g.device_index}`] as [string, string]),
  ]);
  return (a: AuditRecord) => {
    const named = (a.after ?? a.before) as { name?: unknown } | null;
    return known.get(a.target_id) ?? (typeof named?.name === "string" ? named.name : a.target_id);
  };
}

/** The fields that changed, before → after (whole objects when one side is absent). */
function AuditDiff({ before, after }: { before?: unknown; after?: unknown }) {
  const flat = (v: unknown, prefix = "", out: Record<string, string> = {}) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v)) flat(x, prefix ? `${prefix}.${k}` : k, out);
    } else if (prefix) out[prefix] = JSON.stringify(v);
    return out;
  };
  const b = flat(before);
  const a = flat(after);
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => b[k] !== a[k] && k !== "updated_at");
  if (!keys.length) return null;
  return (
    <table class="diff">
      <tbody>
        {keys.map((k) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td class="before">{b[k] ?? "—"}</td>
            <td class="after">{a[k] ?? "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
