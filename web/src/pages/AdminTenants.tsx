// Admin → Tenants: create one (its name checked as typed), and edit each one's quotas and lease
// limits, every field checked as typed against the API's bounds (save waits until they are
// right), and the API's own refusal shown by the field it names.
import { useState } from "preact/hooks";
import { api, ApiError, must, refusalText, type Tenant } from "../api/client";
import { ErrorNote } from "../components/Problem";
import { formatDuration } from "../lib/time";
import { policyFieldOf, policyPatch, tenantNameError, type FieldErrors, type PolicyForm } from "../lib/validate";
import { usePoll } from "../poll";

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

/** The field a refusal names (`ApiError.problem.field`), mapped by `fieldOf`, with its detail. */
function refusedField<K extends string>(e: unknown, fieldOf: (f: string | null | undefined) => K | undefined): Partial<Record<K, string>> {
  const p = e instanceof ApiError ? e.problem : undefined;
  const k = p && fieldOf(p.field);
  return k ? ({ [k]: p.detail } as Partial<Record<K, string>>) : {};
}

function TenantEditor({ tenant, saved, onSaved }: { tenant: Tenant; saved: boolean; onSaved: () => void }) {
  const [form, setForm] = useState<PolicyForm>(policyForm(tenant));
  // The API's word on a field, shown by it until that field is edited again.
  const [refused, setRefused] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Checked as typed, against the API's bounds: save waits until every field is right.
  const checked = policyPatch(form, policyForm(tenant));
  const errors: FieldErrors = { ...refused, ...("errors" in checked ? checked.errors : {}) };
  const edit = (k: keyof PolicyForm) => (e: Event) => {
    setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
    if (refused[k]) setRefused(Object.fromEntries(Object.entries(refused).filter(([f]) => f !== k)));
  };
  const save = async (e: Event) => {
    e.preventDefault();
    if ("errors" in checked) return;
    setMessage(null);
    setBusy(true);
    try {
      await must(api.PATCH("/v1/tenants/{id}", { params: { path: { id: tenant.id } }, body: { policy: checked.patch } }));
      onSaved();
    } catch (err) {
      const named = refusedField(err, policyFieldOf);
      setRefused(named);
      // The API's message stands by the field it names; the note above the button points there.
      const field = POLICY_FIELDS.find((f) => f.key in named);
      setMessage(field ? `Not saved: see ${field.label}.` : refusalText("Not saved", err));
    } finally {
      setBusy(false);
    }
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
              inputMode={f.key === "allowed_gpu_models" ? undefined : "numeric"}
              value={form[f.key]}
              onInput={edit(f.key)}
              aria-invalid={errors[f.key] ? "true" : undefined}
              aria-describedby={`${tenant.name}-${f.key}-msg`}
            />
            <small id={`${tenant.name}-${f.key}-msg`} class={errors[f.key] ? "field-error" : ""} aria-live="polite">
              {errors[f.key] ?? (f.key.endsWith("seconds") && /^\d+$/.test(form[f.key]) ? formatDuration(Number(form[f.key])) : f.hint)}
            </small>
          </label>
        ))}
      </div>
      <ErrorNote message={message} />
      <button type="submit" class="small" disabled={busy || "errors" in checked}>
        Save {tenant.name}
      </button>{" "}
      {saved ? <small role="status">Saved: {new Date(tenant.updated_at).toLocaleTimeString()}.</small> : null}
    </form>
  );
}

export function Tenants() {
  const { data, error, reload } = usePoll(() => must(api.GET("/v1/tenants")), 10000);
  const [saved, setSaved] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [refused, setRefused] = useState<string | undefined>();
  const [createError, setCreateError] = useState<string | null>(null);
  const nameError = refused ?? tenantNameError(name);
  const create = async (e: Event) => {
    e.preventDefault();
    setCreateError(null);
    try {
      await must(api.POST("/v1/tenants", { body: { name: name.trim() } }));
      setName("");
      reload();
    } catch (err) {
      setRefused(refusedField(err, (f) => (f === "name" ? f : undefined)).name);
      setCreateError(refusalText("Not created", err));
    }
  };
  return (
    <div data-testid="tenants">
      <ErrorNote message={error} />
      <form onSubmit={create} class="inline" noValidate>
        <label for="new-tenant">
          New tenant
          <input
            id="new-tenant"
            placeholder="ml-vision"
            value={name}
            onInput={(e) => (setName((e.target as HTMLInputElement).value), setRefused(undefined))}
            aria-invalid={nameError ? "true" : undefined}
            aria-describedby="new-tenant-msg"
          />
          <small id="new-tenant-msg" class={nameError ? "field-error" : ""} aria-live="polite">
            {nameError ?? "lower-case letters, digits and -"}
          </small>
        </label>
        <button type="submit" disabled={!name.trim() || !!nameError}>
          Create tenant
        </button>
      </form>
      <ErrorNote message={createError} />
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
