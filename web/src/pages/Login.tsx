// Sign in with an API key. The server accepts OIDC tokens (`GET /v1/auth/sso`); the PKCE flow
// that would get one here is not wired yet.
import { useState } from "preact/hooks";
import { ErrorNote } from "../components/Problem";
import { login, sessionNotice } from "../session";

export function Login() {
  const [key, setKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(key);
      setKey("");
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const notice = sessionNotice();
  return (
    <main class="container login">
      <article>
        <header>
          <h1>slicebroker</h1>
          <p>MIG slices on demand. Sign in with an API key.</p>
        </header>
        {notice ? <p class="notice">{notice}</p> : null}
        <form onSubmit={submit}>
          <label for="api-key">
            API key
            <input
              id="api-key"
              name="api-key"
              type="password"
              autocomplete="off"
              placeholder="sbk_…"
              value={key}
              onInput={(e) => setKey((e.target as HTMLInputElement).value)}
              aria-invalid={error ? "true" : undefined}
              aria-describedby="login-error"
              required
            />
          </label>
          <div id="login-error">
            <ErrorNote message={error ? `Sign-in refused: ${error}` : null} testid="login-error" />
          </div>
          <button type="submit" aria-busy={busy} disabled={busy}>
            Sign in
          </button>
        </form>
        <footer>
          <small>
            The key is traded for a short-lived token kept in this tab's memory only: reloading the page signs you out.
            Single sign-on is not available on this page yet.
          </small>
        </footer>
      </article>
    </main>
  );
}
