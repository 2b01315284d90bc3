// Admin: tenants (AdminTenants.tsx), API keys (shown once, revoke), hosts and GPUs (cordon),
// enrollment tokens and the audit log (AdminAudit.tsx).
// Tenant admins get their own tenant's keys only, as the API allows.
import { useState } from "preact/hooks";
import { api, must, refusalText } from "../api/client";
import { Copy } from "../components/Copy";
import { Audit } from "./AdminAudit";
import { Tenants } from "./AdminTenants";
import { ErrorNote } from "../components/Problem";
import { ago } from "../lib/time";
import { isSessionKey, revokeQuestion } from "../lib/lease";
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
      setError(refusalText("Not created", err));
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
      setError(refusalText("Not revoked", err));
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
      <div class="overflow-auto">
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
                  <span class="truncate" title={k.name}>
                    {k.name}
                  </span>
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
      setError(refusalText(`${what} refused`, e));
    }
  };
  return (
    <div data-testid="hosts">
      <ErrorNote message={error ?? hosts.error} />
      <div class="overflow-auto">
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
      setError(refusalText("Not created", err));
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
      <div class="overflow-auto">
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
                <td>
                  <span class="truncate" title={t.note}>
                    {t.note}
                  </span>
                </td>
                <td>{new Date(t.expires_at).toLocaleString()}</td>
                <td>{t.used_at ? `${ago(t.used_at, now)}` : "unused"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
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
