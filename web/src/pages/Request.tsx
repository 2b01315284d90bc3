// Request a slice: a slice class first (its terms: profile, duration, idle timeout), else a
// profile (with how many fit now per model) or a need, a duration, count,
// labels, now (or wait in the queue) or at a start time (a booking, with the free windows
// shown). On success, the lease page follows it to active.
import { useEffect, useState } from "preact/hooks";
import { api, asProblem, must, problemText, type Problem } from "../api/client";
import { ErrorNote } from "../components/Problem";
import { leaseRequest, type FieldErrors, type LeaseForm } from "../lib/validate";
import { calendarDuration, ceilMinute, formatDuration, localInput, minuteText, parseDuration, soonestBooking } from "../lib/time";
import { navigate } from "../router";
import { usePoll } from "../poll";
import type { Session } from "../session";

const FIELD_OF: Record<string, keyof LeaseForm> = {
  class: "className",
  profile: "profile",
  duration: "duration",
  count: "count",
  labels: "labels",
  min_memory_gib: "minMemoryGib",
  min_compute_slices: "minComputeSlices",
  gpu_models: "gpuModel",
  start: "start",
};

/** The form field a problem's `field` names, and what to show there: a label's key is named,
 * as the API's pointer (`/labels/team`) says which one it is. */
function fieldError(p: Problem): [keyof LeaseForm, string] | undefined {
  const [top, sub] = (p.field ?? "").replace(/^\//, "").split("/");
  const field = FIELD_OF[top ?? ""];
  if (!field) return undefined;
  const key = sub?.replace(/~1/g, "/").replace(/~0/g, "~");
  return [field, top === "labels" && key ? `label "${key}": ${p.detail}` : p.detail];
}

export function RequestSlice({ session }: { session: Session }) {
  const { data: capacity, error: capError } = usePoll(() => must(api.GET("/v1/capacity")), 3000);
  const [form, setForm] = useState<LeaseForm>({
    mode: "profile",
    profile: "",
    minMemoryGib: "",
    minComputeSlices: "",
    gpuModel: "",
    duration: "8h",
    count: "1",
    labels: "",
    wait: false,
    when: "now",
    start: "",
  });
  // Classes come first: once some are open to the tenant, the form starts on them (unless the
  // person already chose another way).
  const { data: classes } = usePoll(() => must(api.GET("/v1/classes")), 30000);
  const [modeChosen, setModeChosen] = useState(false);
  useEffect(() => {
    if (!modeChosen && classes?.length && form.mode !== "class") {
      setForm((f) => ({ ...f, mode: "class", className: f.className || classes[0]!.name, duration: "" }));
    }
  }, [classes, modeChosen]);
  const chooseMode = (mode: LeaseForm["mode"]) => {
    setModeChosen(true);
    setForm({ ...form, mode, duration: form.duration || (mode === "class" ? "" : "8h") });
  };
  const chosenClass = (classes ?? []).find((c) => c.name === form.className);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<{ text: string; p?: Problem } | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof LeaseForm) => (e: Event) => {
    const t = e.target as HTMLInputElement;
    setForm({ ...form, [k]: t.type === "checkbox" ? t.checked : t.value });
    // A field's error goes once it is edited; the next submit checks it again.
    if (errors[k]) setErrors(Object.fromEntries(Object.entries(errors).filter(([f]) => f !== k)));
  };
  const profiles = [...new Set((capacity ?? []).map((c) => c.profile))];
  const models = [...new Set((capacity ?? []).map((c) => c.model))].sort();
  const fit = (p: string) =>
    (capacity ?? [])
      .filter((c) => c.profile === p && (!form.gpuModel || c.model === form.gpuModel))
      .map((c) => `${c.model} ${c.available}`)
      .join(", ");
  const booking = form.when === "at";
  const dur = parseDuration(form.duration);
  const calDuration = "seconds" in dur ? calendarDuration(dur.seconds) : undefined;
  // Free windows for a booking: when the chosen profile can be booked over the next 7 days,
  // from the soonest start the form offers, so the earliest start is one it can fill in.
  const calendar = usePoll(
    () =>
      booking && form.mode === "profile" && form.profile
        ? must(
            api.GET("/v1/capacity/calendar", {
              params: {
                query: {
                  profile: form.profile,
                  from: new Date(soonestBooking(Date.now())).toISOString(),
                  ...(calDuration ? { duration: calDuration } : {}),
                },
              },
            }),
          )
        : Promise.resolve(undefined),
    10000,
    [booking, form.mode, form.profile, calDuration],
  );
  const role = session.claims.role;
  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(null);
    const r = leaseRequest(form);
    if ("errors" in r) {
      setErrors(r.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const res = await api.POST("/v1/leases", { body: r.body });
      if (res.error || !res.data) {
        const p = asProblem(res.error);
        const named = p && fieldError(p);
        if (named) setErrors({ [named[0]]: named[1] });
        setProblem({ text: problemText(res.error, res.response), p });
        return;
      }
      navigate(`/leases/${res.data.id}`);
    } catch (err) {
      setProblem({ text: problemText(err) });
    } finally {
      setBusy(false);
    }
  };
  const err = (k: string) =>
    errors[k] ? (
      <small id={`${k}-error`} class="field-error" data-testid={`field-error-${k}`}>
        {errors[k]}
      </small>
    ) : null;
  const inv = (k: string) => (errors[k] ? { "aria-invalid": "true" as const, "aria-describedby": `${k}-error` } : {});
  if (role === "viewer" || role === "admin") {
    return (
      <section>
        <h1>Request a slice</h1>
        <p>
          {role === "viewer"
            ? "Viewer keys can look but not lease: ask your tenant admin for a member key."
            : "Admin keys belong to no tenant; lease with a tenant's member key."}
        </p>
      </section>
    );
  }
  return (
    <section class="request">
      <h1>Request a slice</h1>
      <ErrorNote message={capError} />
      <form onSubmit={submit} noValidate>
        <fieldset>
          <legend>What</legend>
          {classes?.length ? (
            <label>
              <input type="radio" name="mode" checked={form.mode === "class"} onChange={() => chooseMode("class")} />
              A class
            </label>
          ) : null}
          <label>
            <input type="radio" name="mode" checked={form.mode === "profile"} onChange={() => chooseMode("profile")} />
            A profile
          </label>
          <label>
            <input type="radio" name="mode" checked={form.mode === "need"} onChange={() => chooseMode("need")} />
            A need (memory and compute)
          </label>
        </fieldset>
        {form.mode === "class" ? (
          <label for="class">
            Class
            <select id="class" name="class" value={form.className ?? ""} onChange={set("className")} {...inv("className")}>
              <option value="">Choose a class…</option>
              {(classes ?? []).map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name} — {c.description}
                </option>
              ))}
            </select>
            {err("className") ??
              (chosenClass ? (
                <small>
                  {Object.entries(chosenClass.profiles)
                    .map(([m, p]) => `${p} on ${m}`)
                    .concat(chosenClass.min_memory_gib ? [`≥${chosenClass.min_memory_gib} GiB elsewhere`] : [])
                    .join(", ")}
                  ; {formatDuration(chosenClass.default_duration_seconds)} by default, at most{" "}
                  {formatDuration(chosenClass.max_duration_seconds)}; reclaimed after {formatDuration(chosenClass.idle_timeout_seconds)} idle
                </small>
              ) : null)}
          </label>
        ) : form.mode === "profile" ? (
          <label for="profile">
            Profile
            <select id="profile" name="profile" value={form.profile} onChange={set("profile")} {...inv("profile")}>
              <option value="">Choose a profile…</option>
              {profiles.map((p) => (
                <option key={p} value={p}>
                  {p} — fit now: {fit(p) || "none"}
                </option>
              ))}
            </select>
            {err("profile")}
          </label>
        ) : (
          <div class="grid">
            <label for="min-memory">
              Memory at least (GiB)
              <input id="min-memory" inputMode="numeric" value={form.minMemoryGib} onInput={set("minMemoryGib")} {...inv("minMemoryGib")} />
              {err("minMemoryGib")}
            </label>
            <label for="min-compute">
              Compute slices at least
              <input id="min-compute" inputMode="numeric" placeholder="1" value={form.minComputeSlices} onInput={set("minComputeSlices")} {...inv("minComputeSlices")} />
              {err("minComputeSlices")}
            </label>
          </div>
        )}
        <label for="gpu-model">
          GPU model
          <select id="gpu-model" value={form.gpuModel} onChange={set("gpuModel")}>
            <option value="">Any</option>
            {models.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <div class="grid">
          <label for="duration">
            Duration
            <input
              id="duration"
              value={form.duration}
              onInput={set("duration")}
              placeholder={form.mode === "class" ? "the class's default" : "8h"}
              {...inv("duration")}
            />
            {err("duration") ?? (
              <small>
                {"seconds" in dur ? formatDuration(dur.seconds) : form.mode === "class" ? "empty: the class's default" : "e.g. 8h, 1h30m, 2d"}
              </small>
            )}
          </label>
          <label for="count">
            Count
            <input id="count" inputMode="numeric" value={form.count} onInput={set("count")} {...inv("count")} />
            {err("count") ?? <small>granted all or nothing</small>}
          </label>
        </div>
        <fieldset>
          <legend>When</legend>
          <label>
            <input type="radio" name="when" checked={!booking} onChange={() => setForm({ ...form, when: "now" })} /> Now
          </label>
          <label>
            <input type="radio" name="when" checked={booking} onChange={() => setForm({ ...form, when: "at" })} /> At a start time (book
            ahead)
          </label>
        </fieldset>
        {booking ? (
          <div class="booking">
            <label for="start">
              Start
              <input id="start" type="datetime-local" value={form.start} onInput={set("start")} {...inv("start")} />
              {err("start") ?? <small>your local time; the slice is made just before it and is yours until start + duration</small>}
            </label>
            <ErrorNote message={calendar.error} testid="calendar-error" />
            {form.mode !== "profile" || !form.profile ? (
              <p class="muted">Choose a profile to see when it can be booked.</p>
            ) : (
              <table data-testid="free-windows">
                <caption>
                  When {form.profile} can be booked{"seconds" in dur ? ` for ${formatDuration(dur.seconds)}` : ""}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Model</th>
                    <th scope="col">Earliest start</th>
                    <th scope="col">Free windows (next 7 days)</th>
                  </tr>
                </thead>
                <tbody>
                  {(calendar.data ?? []).map((c) => (
                    <tr key={c.model}>
                      <td>{c.model}</td>
                      <td>
                        <EarliestStart
                          at={c.earliest_start}
                          model={c.model}
                          onPick={(start) => setForm({ ...form, when: "at", start, gpuModel: c.model })}
                        />
                      </td>
                      <td>
                        {c.intervals
                          .filter((i) => i.available > 0)
                          .slice(0, 4)
                          .map((i) => `${i.available} from ${new Date(i.from).toLocaleString()} to ${new Date(i.to).toLocaleString()}`)
                          .join("; ") || "none"}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        ) : null}
        <label for="labels">
          Labels
          <textarea id="labels" rows={2} placeholder={"team=vision\nnote=a, b"} value={form.labels} onInput={set("labels")} {...inv("labels")} />
          {err("labels") ?? <small>key=value, one per line or comma separated; a comma inside a value stays in it</small>}
        </label>
        <label>
          <input type="checkbox" role="switch" checked={form.wait && !booking} disabled={booking} onChange={set("wait")} />
          Wait in the queue if nothing fits now{booking ? " (a booking has its place already)" : ""}
        </label>
        <ErrorNote message={problem ? (problem.p ? `Refused: ${problem.text}` : problem.text) : null} testid="request-error" />
        {problem?.p?.free?.length ? (
          <p>
            Free now:{" "}
            {problem.p.free
              .filter((f) => f.available > 0)
              .map((f) => `${f.available} × ${f.profile} on ${f.model}`)
              .join(", ") || "nothing"}
          </p>
        ) : null}
        <button type="submit" aria-busy={busy} disabled={busy}>
          {booking ? "Book" : "Request"}
        </button>
      </form>
    </section>
  );
}

/** A model's earliest start, one click from the form: to the minute (the input holds no
 * seconds), rounded up, and the button shows exactly what it fills in. */
function EarliestStart({ at, model, onPick }: { at?: string | null; model: string; onPick: (local: string) => void }) {
  if (!at) return <>—</>;
  const start = ceilMinute(Date.parse(at));
  return (
    <button type="button" class="secondary outline" data-testid="earliest-start" data-model={model} onClick={() => onPick(localInput(start))}>
      {minuteText(start)}
    </button>
  );
}
