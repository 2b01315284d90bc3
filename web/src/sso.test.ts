import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { authorizeUrl, base64url, begin, challengeFor, complete, PENDING_KEY, pickToken, randomString, stateMatches } from "./sso";
import { currentSession, logout } from "./session";

/** A sessionStorage for the node test environment. */
function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, String(v)),
  };
}

function jwt(claims: object): string {
  const b64 = (o: object) => base64url(new TextEncoder().encode(JSON.stringify(o)));
  return `${b64({ alg: "EdDSA" })}.${b64(claims)}.sig`;
}

describe("PKCE", () => {
  it("makes the S256 challenge of RFC 7636's Appendix B", async () => {
    expect(await challengeFor("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  });

  it("writes RFC 7636's example verifier octets as its verifier", () => {
    const octets = [
      116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88,
      83, 132, 141, 121,
    ];
    expect(base64url(new Uint8Array(octets))).toBe("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  });

  it("makes verifiers of 43 unreserved characters, never the same twice", () => {
    const a = randomString(32);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomString(32)).not.toBe(a);
  });

  it("accepts only the state it sent", () => {
    expect(stateMatches("abc123", "abc123")).toBe(true);
    expect(stateMatches("abc123", "abc124")).toBe(false);
    expect(stateMatches("abc123", "abc12")).toBe(false);
    expect(stateMatches("abc123", null)).toBe(false);
    expect(stateMatches(null, null)).toBe(false);
    expect(stateMatches("", "")).toBe(false);
  });

  it("asks for a code with the challenge", () => {
    const u = new URL(authorizeUrl("https://idp.example.com/auth?realm=x", { clientId: "dash", redirectUri: "https://sb/sso/callback", challenge: "C", state: "S" }));
    expect(u.origin + u.pathname).toBe("https://idp.example.com/auth");
    expect(Object.fromEntries(u.searchParams)).toEqual({
      realm: "x",
      response_type: "code",
      client_id: "dash",
      redirect_uri: "https://sb/sso/callback",
      scope: "openid",
      code_challenge: "C",
      code_challenge_method: "S256",
      state: "S",
    });
  });

  it("uses the ID token, or a JWT access token for the client id", () => {
    expect(pickToken({ id_token: "id", access_token: "at" }, "dash")).toBe("id");
    const at = jwt({ aud: ["x", "dash"] });
    expect(pickToken({ access_token: at }, "dash")).toBe(at);
    expect(pickToken({ access_token: jwt({ aud: "other" }) }, "dash")).toBeNull();
    expect(pickToken({ access_token: "opaque" }, "dash")).toBeNull();
  });
});

describe("the round trip", () => {
  const settings = {
    enabled: true,
    issuer: "https://idp.example.com",
    client_id: "dash",
    authorization_endpoint: "https://idp.example.com/auth",
    token_endpoint: "https://idp.example.com/token",
  };
  beforeEach(() => vi.stubGlobal("sessionStorage", memoryStorage()));
  afterEach(() => {
    logout();
    vi.unstubAllGlobals();
  });

  it("keeps the verifier for the callback, which trades it with the code once", async () => {
    const url = new URL(await begin(settings, "https://sb.example.com"));
    const state = url.searchParams.get("state")!;
    const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY)!);
    expect(await challengeFor(pending.verifier)).toBe(url.searchParams.get("code_challenge"));
    const idToken = jwt({ sub: "ada", aud: "dash", exp: Math.floor(Date.now() / 1000) + 600 });
    const seen: { url: string; body: string | null }[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (u: string, init: RequestInit = {}) => {
        seen.push({ url: u, body: init.body ? String(init.body) : null });
        if (u === settings.token_endpoint) return new Response(JSON.stringify({ id_token: idToken, access_token: "opaque", expires_in: 600 }));
        return new Response(JSON.stringify({ subject: "oidc:ada", tenant_id: "t-1", role: "member" }));
      }),
    );
    await complete(`?code=C0DE&state=${state}`);
    const form = new URLSearchParams(seen[0]!.body!);
    expect(Object.fromEntries(form)).toEqual({
      grant_type: "authorization_code",
      code: "C0DE",
      redirect_uri: "https://sb.example.com/sso/callback",
      client_id: "dash",
      code_verifier: pending.verifier,
    });
    expect(seen[1]!.url).toBe("/v1/auth/whoami");
    expect(currentSession()).toMatchObject({ token: idToken, sso: true, claims: { sub: "oidc:ada", role: "member", tenant: "t-1" } });
    expect(sessionStorage.getItem(PENDING_KEY)).toBeNull();
  });

  it("refuses a state it did not send, and forgets the round trip", async () => {
    await begin(settings, "https://sb.example.com");
    const fetch = vi.fn();
    vi.stubGlobal("fetch", fetch);
    await expect(complete("?code=C0DE&state=forged")).rejects.toThrow(/state mismatch/);
    expect(fetch).not.toHaveBeenCalled();
    expect(sessionStorage.getItem(PENDING_KEY)).toBeNull();
    await expect(complete("?code=C0DE&state=forged")).rejects.toThrow(/No SSO sign-in was in progress/);
  });

  it("says what the issuer refused", async () => {
    await begin(settings, "https://sb.example.com");
    await expect(complete("?error=access_denied&error_description=not+in+the+group")).rejects.toThrow(
      "The sign-in service refused: access_denied (not in the group).",
    );
  });
});
