// Sign in with an API key, or, when the server trusts an OpenID Connect issuer
// (`GET /v1/auth/sso`), with SSO (authorization code with PKCE: sso.ts).
import { useEffect, useState } from "preact/hooks";
import { ErrorNote } from "../components/Problem";
import { KeyRefused, login, sessionNotice } from "../session";
import { begin, fetchSettings, type SsoSettings, usable } from "../sso";

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
      // Only the server's answer is a refusal; a gateway's error or no answer is not.
      setError(err instanceof KeyRefused ? `Sign-in refused: ${err.message}` : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const [sso, setSso] = useState<SsoSettings | null>(null);
  const [redirecting, setRedirecting] = useState(false);
  useEffect(() => {
    let live = true;
    fetchSettings().then((s) => live && setSso(s));
    return () => {
      live = false;
    };
  }, []);
  const signInWithSso = async () => {
    if (!sso) return;
    setError(null);
    setRedirecting(true);
    try {
      location.assign(await begin(sso));
    } catch (err) {
      setRedirecting(false);
      setError((err as Error).message);
    }
  };
  const notice = sessionNotice();
  return (
    <main class="container login">
      <article>
        <header>
          <h1>slicebroker</h1>
          <p>MIG slices on demand. Sign in {usable(sso) ? "with your organisation's account or " : "with "}an API key.</p>
        </header>
        {notice ? (
          <p class="notice" role="status" data-testid="login-notice">
            {notice}
          </p>
        ) : null}
        {usable(sso) ? (
          <>
            <button type="button" class="secondary sso" data-testid="sso" aria-busy={redirecting} disabled={redirecting} onClick={signInWithSso}>
              Sign in with SSO
            </button>
            <p class="or">
              <small>or with an API key</small>
            </p>
          </>
        ) : null}
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
            <ErrorNote message={error} testid="login-error" />
          </div>
          <button type="submit" aria-busy={busy} disabled={busy}>
            Sign in
          </button>
        </form>
        <footer>
          <small>
            The key (or the SSO sign-in) becomes a short-lived token kept in this tab's memory only: reloading the page
            signs you out.
          </small>
        </footer>
      </article>
    </main>
  );
}
