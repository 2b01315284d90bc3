// Admin: tenants (create; quotas and lease limits with the API's messages by the field), API
// keys (shown once, revoke), hosts and GPUs (cordon), enrollment tokens and the audit log.
// Tenant admins get their own tenant's keys only, as the API allows.
import { useState } from "preact/hooks";
import { api, asProblem, must, problemText, type Tenant } from "../api/client";
import { Copy } from "../components/Copy";
import { ErrorNote } from "../components/Problem";
import { ago, formatDuration } from "../lib/time";
import { isSessionKey, revokeQuestion } from "../lib/lease";
import { policyPatch, type FieldErrors, type PolicyForm } from "../lib/validate";
import { useNow, usePoll } from "../poll";
import type { Session } from "../session";

type Tab = "tenants" | "keys" | "hosts" | "enrollment" | "audit";

export function Admin({ session }: { session: Session }) {
  const admin = session.claims.role === "admin";
  const [tab, setTab] = useState<Tab>(admin ? "tenants" : "keys");
  const tabs: [Tab, string][] = admin
    ? [
        ["tenants", "Tenants"],
        ["keys", "API keys"],
        ["hosts", "Hosts & GPUs"],
        ["enrollment", "Enrollment tokens"],
        ["audit", "Audit log"],
      ]
    : [["keys", "API keys"]];
  return (
    <section class="admin">
      <h1>Admin</h1>
      <nav aria-label="Admin sections">
        <ul role="tablist">
          {tabs.map(([t, label]) => (
            <li key={t}>
              <button type="button" role="tab" aria-selected={tab === t} class={tab === t ? "" : "outline"} onClick={() => setTab(t)}>
                {label}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      {tab === "tenants" ? <Tenants /> : null}
      {tab === "keys" ? <Keys session={session} /> : null}
      {tab === "hosts" ? <Hosts /> : null}
      {tab === "enrollment" ? <Enrollment /> : null}
      {tab === "audit" ? <Audit /> : null}
    </section>
  );
}

const POLICY_FIELDS: { key: keyof PolicyForm; label: string; hint: string }[] = [
  { key: "max_live_compute_slices", label: "Max live compute slices", hint: "empty: unlimited" },
  { key: "max_live_memory_gib", label: "Max live memory (GiB)", hint: "empty: unlimited" },
  { key: "max_live_leases", label: "Max live leases", hint: "empty: unlimited" },
  { key: "max_lease_seconds", label: "Longest lease (s)", hint: "" },
  { key: "max_total_extension_seconds", label: "Extensions per lease (s)", hint: "" },
  { key: "default_idle_timeout_seconds", label: "Idle timeout (s)", hint: "" },
  { key: "monthly_budget_slice_hours", label: "Monthly budget (compute-slice-hours)", hint: "empty: unlimited" },
  { key: "allowed_gpu_models", label: "Allowed GPU models", hint: "comma separated; empty: all" },
  { key: "max_booking_ahead_seconds", label: "Furthest booking ahead (s)", hint: "at most 2592000 (30 days)" },
  { key: "max_bookings", label: "Max bookings not yet started", hint: "empty: unlimited" },
  { key: "max_booking_seconds", label: "Longest booking (s)", hint: "empty: the longest lease" },
  {
    key: "max_compute_slices_outside_classes",
    label: "Largest profile outside classes (compute slices)",
    hint: "0-8; 4 keeps 7g to classes; empty: any",
  },
];

function policyForm(t: Tenant): PolicyForm {
  const p = t.policy;
  const s = (v: number | null | undefined) => (v === null || v === undefined ? "" : String(v));
  return {
    max_live_compute_slices: s(p.max_live_compute_slices),
    max_live_memory_gib: s(p.max_live_memory_gib),
    max_live_leases: s(p.max_live_leases),
    max_lease_seconds: s(p.max_lease_seconds),
    max_total_extension_seconds: s(p.max_total_extension_seconds),
    default_idle_timeout_seconds: s(p.default_idle_timeout_seconds),
    monthly_budget_slice_hours: s(p.monthly_budget_slice_hours),
    allowed_gpu_models: p.allowed_gpu_models.join(", "),
    max_booking_ahead_seconds: s(p.max_booking_ahead_seconds),
    max_bookings: s(p.max_bookings),
    max_booking_seconds: s(p.max_booking_seconds),
    max_compute_slices_outside_classes: s(p.max_compute_slices_outside_classes),
  };
}

function TenantEditor({ tenant, saved, onSaved }: { tenant: Tenant; saved: boolean; onSaved: () => void }) {
  const [form, setForm] = useState<PolicyForm>(policyForm(tenant));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const save = async (e: Event) => {
    e.preventDefault();
    setMessage(null);
    const r = policyPatch(form, policyForm(tenant));
    if ("errors" in r) {
      setErrors(r.errors);
      return;
    }
    setErrors({});
    const res = await api.PATCH("/v1/tenants/{id}", { params: { path: { id: tenant.id } }, body: { policy: r.patch } });
    if (res.error) {
      const p = asProblem(res.error);
      const field = p?.field?.replace(/^\/?(policy\/)?/, "");
      if (field && field in form) setErrors({ [field]: p!.detail });
      setMessage(problemText(res.error, res.response));
      return;
    }
    onSaved();
  };
  return (
    <form onSubmit={save} data-testid={`tenant-editor-${tenant.name}`} noValidate>
      <div class="policy-grid">
        {POLICY_FIELDS.map((f) => (
          <label key={f.key} for={`${tenant.name}-${f.key}`}>
            {f.label}
            <input
              id={`${tenant.name}-${f.key}`}
              name={f.key}
              value={form[f.key]}
              onInput={(e) => setForm({ ...form, [f.key]: (e.target as HTMLInputElement).value })}
              aria-invalid={errors[f.key] ? "true" : undefined}
              aria-describedby={`${tenant.name}-${f.key}-msg`}
            />
            <small id={`${tenant.name}-${f.key}-msg`} class={errors[f.key] ? "field-error" : ""}>
              {errors[f.key] ?? (f.key.endsWith("seconds") && form[f.key] && /^\d+$/.test(form[f.key]) ? formatDuration(Number(form[f.key])) : f.hint)}
            </small>
          </label>
        ))}
      </div>
      <ErrorNote message={message ? `Not saved: ${message}` : null} />
      <button type="submit" class="small">
        Save {tenant.name}
      </button>{" "}
      {saved ? <small role="status">Saved: {new Date(tenant.updated_at).toLocaleTimeString()}.</small> : null}
    </form>
  );
}

function Tenants() {
  const { data, error, reload } = usePoll(() => must(api.GET("/v1/tenants")), 10000);
  const [saved, setSaved] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [createError, setCreateError] = useState<string | null>(null);
  const create = async (e: Event) => {
    e.preventDefault();
    setCreateError(null);
    const res = await api.POST("/v1/tenants", { body: { name: name.trim() } });
    if (res.error) setCreateError(problemText(res.error, res.response));
    else {
      setName("");
      reload();
    }
  };
  return (
    <div data-testid="tenants">
      <ErrorNote message={error} />
      <form onSubmit={create} class="inline">
        <label for="new-tenant">
          New tenant
          <input id="new-tenant" placeholder="ml-vision" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">Create tenant</button>
      </form>
      <ErrorNote message={createError ? `Not created: ${createError}` : null} />
      {(data ?? []).map((t) => (
        <details key={t.id} data-tenant={t.name}>
          <summary>
            <strong>{t.name}</strong> {t.display_name !== t.name ? <small>{t.display_name}</small> : null}{" "}
            <small>
              quota {t.policy.max_live_compute_slices ?? "∞"} compute slices · {t.policy.max_live_leases ?? "∞"} leases
            </small>
          </summary>
          {/* A new version of the tenant starts the form again from what was saved. */}
          <TenantEditor
            key={t.updated_at}
            tenant={t}
            saved={saved === t.id}
            onSaved={() => {
              setSaved(t.id);
              reload();
            }}
          />
        </details>
      ))}
    </div>
  );
}

function Keys({ session }: { session: Session }) {
  const admin = session.claims.role === "admin";
  const tenants = usePoll(async () => (admin ? must(api.GET("/v1/tenants")) : []), 30000);
  const [chosen, setChosen] = useState<string>(session.claims.tenant ?? "");
  const tenantId = admin ? chosen || tenants.data?.[0]?.id || "" : session.claims.tenant ?? "";
  const keys = usePoll(
    async () => (tenantId ? must(api.GET("/v1/tenants/{id}/api-keys", { params: { path: { id: tenantId } } })) : []),
    10000,
    [tenantId],
  );
  const [name, setName] = useState("");
  const [role, setRole] = useState<"member" | "viewer" | "tenant-admin">("member");
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const now = useNow(10000);
  const create = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setSecret(null);
    try {
      const k = await must(api.POST("/v1/tenants/{id}/api-keys", { params: { path: { id: tenantId } }, body: { name: name.trim(), role } }));
      setSecret(k.secret);
      setName("");
      keys.reload();
    } catch (err) {
      setError(`Not created: ${(err as Error).message}`);
    }
  };
  const isOwn = (k: { id: string }) => isSessionKey(k, { sub: session.claims.sub, sso: session.sso });
  const revoke = async (k: { id: string; name: string; prefix: string }) => {
    const keyId = k.id;
    setError(null);
    if (!window.confirm(revokeQuestion(k, isOwn(k)))) return;
    try {
      await must(api.POST("/v1/tenants/{id}/api-keys/{key_id}/revoke", { params: { path: { id: tenantId, key_id: keyId } } }));
      keys.reload();
    } catch (err) {
      setError(`Not revoked: ${(err as Error).message}`);
    }
  };
  return (
    <div data-testid="keys">
      {admin ? (
        <label for="key-tenant">
          Tenant
          <select id="key-tenant" value={tenantId} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
            {(tenants.data ?? []).map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <form onSubmit={create} class="inline">
        <label for="key-name">
          Key name
          <input id="key-name" placeholder="ci" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
        <label for="key-role">
          Role
          <select id="key-role" value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value as typeof role)}>
            <option value="member">member</option>
            <option value="viewer">viewer</option>
            <option value="tenant-admin">tenant-admin</option>
          </select>
        </label>
        <button type="submit" disabled={!tenantId}>
          Create key
        </button>
      </form>
      <ShownOnce text={secret} label="the new key" testid="new-key">
        Store this key now: it is shown only once.
      </ShownOnce>
      <ErrorNote message={error ?? keys.error} />
      <table class="striped">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Prefix</th>
            <th scope="col">Created</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {(keys.data ?? []).map((k) => (
            <tr key={k.id}>
              <td>
                {k.name}
                {isOwn(k) ? (
                  <>
                    {" "}
                    <mark class="badge" data-testid="own-key">
                      this session's key
                    </mark>
                  </>
                ) : null}
              </td>
              <td>{k.role}</td>
              <td>
                <code>{k.prefix}…</code>
              </td>
              <td>{ago(k.created_at, now)}</td>
              <td>
                {k.revoked_at ? (
                  <small>revoked {ago(k.revoked_at, now)}</small>
                ) : (
                  <button type="button" class="small secondary" onClick={() => revoke(k)}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Hosts() {
  const hosts = usePoll(() => must(api.GET("/v1/hosts")), 2000);
  const gpus = usePoll(() => must(api.GET("/v1/gpus")), 2000);
  const [error, setError] = useState<string | null>(null);
  const now = useNow();
  const act = async (what: string, call: () => Promise<unknown>) => {
    setError(null);
    try {
      await call();
      hosts.reload();
      gpus.reload();
    } catch (e) {
      setError(`${what} refused: ${(e as Error).message}`);
    }
  };
  return (
    <div data-testid="hosts">
      <ErrorNote message={error ?? hosts.error} />
      <table class="striped">
        <thead>
          <tr>
            <th scope="col">Host / GPU</th>
            <th scope="col">State</th>
            <th scope="col">Last seen</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {(hosts.data ?? []).flatMap((h) => [
            <tr key={h.id} data-host={h.name}>
              <th scope="row">{h.name}</th>
              <td>
                {h.unreachable_since ? <mark class="badge unreachable">unreachable</mark> : "reachable"}
                {h.schedulable ? "" : " · cordoned"}
              </td>
              <td>{ago(h.last_seen_at, now)}</td>
              <td>
                {h.schedulable ? (
                  <button type="button" class="small secondary" onClick={() => act("Cordon", () => must(api.POST("/v1/hosts/{id}/cordon", { params: { path: { id: h.id } } })))}>
                    Cordon {h.name}
                  </button>
                ) : (
                  <button type="button" class="small" onClick={() => act("Uncordon", () => must(api.POST("/v1/hosts/{id}/uncordon", { params: { path: { id: h.id } } })))}>
                    Uncordon {h.name}
                  </button>
                )}
              </td>
            </tr>,
            ...(gpus.data ?? [])
              .filter((g) => g.host_id === h.id)
              .sort((a, b) => a.device_index - b.device_index)
              .map((g) => (
                <tr key={g.id} class="gpu-row">
                  <td>
                    &nbsp;&nbsp;GPU {g.device_index} · {g.model} <code>{g.layout}</code>
                  </td>
                  <td>{g.schedulable ? "schedulable" : "cordoned"}</td>
                  <td />
                  <td>
                    {g.schedulable ? (
                      <button type="button" class="small outline" onClick={() => act("Cordon", () => must(api.POST("/v1/gpus/{id}/cordon", { params: { path: { id: g.id } } })))}>
                        Cordon GPU {g.device_index}
                      </button>
                    ) : (
                      <button type="button" class="small outline" onClick={() => act("Uncordon", () => must(api.POST("/v1/gpus/{id}/uncordon", { params: { path: { id: g.id } } })))}>
                        Uncordon GPU {g.device_index}
                      </button>
                    )}
                  </td>
                </tr>
              )),
          ])}
        </tbody>
      </table>
    </div>
  );
}

function Enrollment() {
  const tokens = usePoll(() => must(api.GET("/v1/enrollment-tokens")), 10000);
  const [note, setNote] = useState("");
  const [issued, setIssued] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const now = useNow(10000);
  const create = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const t = await must(api.POST("/v1/enrollment-tokens", { body: { note: note.trim() } }));
      setIssued(t.token);
      setNote("");
      tokens.reload();
    } catch (err) {
      setError(`Not created: ${(err as Error).message}`);
    }
  };
  return (
    <div>
      <form onSubmit={create} class="inline">
        <label for="enroll-note">
          Note
          <input id="enroll-note" placeholder="rack 12, node 3" value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">Create enrollment token</button>
      </form>
      <ShownOnce text={issued} label="the enrollment token">
        Give this to the new host's agent once; it is shown only now.
      </ShownOnce>
      <ErrorNote message={error ?? tokens.error} />
      <table class="striped">
        <thead>
          <tr>
            <th scope="col">Prefix</th>
            <th scope="col">Note</th>
            <th scope="col">Expires</th>
            <th scope="col">Used</th>
          </tr>
        </thead>
        <tbody>
          {(tokens.data ?? []).map((t) => (
            <tr key={t.id}>
              <td>
                <code>{t.prefix}…</code>
              </td>
              <td>{t.note}</td>
              <td>{new Date(t.expires_at).toLocaleString()}</td>
              <td>{t.used_at ? `${ago(t.used_at, now)}` : "unused"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Audit() {
  const tenants = usePoll(() => must(api.GET("/v1/tenants")), 30000);
  const [chosen, setChosen] = useState("");
  const tenantId = chosen || tenants.data?.[0]?.id || "";
  const audit = usePoll(
    async () => (tenantId ? must(api.GET("/v1/tenants/{id}/audit", { params: { path: { id: tenantId } } })) : []),
    5000,
    [tenantId],
  );
  return (
    <div data-testid="audit">
      <label for="audit-tenant">
        Tenant
        <select id="audit-tenant" value={tenantId} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
          {(tenants.data ?? []).map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <ErrorNote message={audit.error} />
      <ol class="timeline">
        {[...(audit.data ?? [])].reverse().map((a) => (
          <li key={a.id}>
            <time dateTime={a.at}>{new Date(a.at).toLocaleString()}</time> <strong>{a.action}</strong>{" "}
            <small>
              {a.target_kind} {a.target_id} by {a.actor}
            </small>
            <AuditDiff before={a.before} after={a.after} />
          </li>
        ))}
      </ol>
    </div>
  );
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

/** A secret the API shows once (a new key, an enrollment token), with what to do and a copy button. */
function ShownOnce({ text, label, testid, children }: { text: string | null | undefined; label: string; testid?: string; children: string }) {
  if (!text) return null;
  return (
    <article class="secret" data-testid={testid}>
      <p>
        <strong>{children}</strong>
      </p>
      <Copy text={text} label={label} />
    </article>
  );
}
