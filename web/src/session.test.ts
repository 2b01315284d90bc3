import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { adoptExternal, currentSession, currentToken, decodeClaims, KeyRefused, login, logout, sessionNotice } from "./session";

/** An unsigned JWT with these claims (the client only reads them; the server verifies). */
function jwt(claims: object): string {
  const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `${b64({ alg: "EdDSA" })}.${b64(claims)}.sig`;
}

const issued = (n: number, expiresIn = 3600) => ({
  access_token: jwt({ sub: `key-${n}`, tenant: "t-1", role: "member", exp: 0 }),
  expires_in: expiresIn,
});

describe("session", () => {
  let calls: { key: string }[];
  beforeEach(() => {
    vi.useFakeTimers();
    calls = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (_url: string, init: RequestInit) => {
        const body = JSON.parse(String(init.body));
        calls.push({ key: body.api_key });
        if (body.api_key === "sbk_bad") {
          return new Response(JSON.stringify({ code: "unauthenticated", detail: "the API key is not valid" }), { status: 401 });
        }
        return new Response(JSON.stringify(issued(calls.length)), { status: 200 });
      }),
    );
  });
  afterEach(() => {
    logout();
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("an SSO session takes its role from whoami, is never renewed and ends when its token does", async () => {
    adoptExternal("id.token.sig", { subject: "oidc:ada", tenant_id: "t-1", role: "member" }, Date.now() + 300_000);
    expect(currentSession()).toMatchObject({ token: "id.token.sig", sso: true, claims: { sub: "oidc:ada", tenant: "t-1", role: "member" } });
    await vi.advanceTimersByTimeAsync(299_000);
    expect(currentToken()).toBe("id.token.sig");
    await vi.advanceTimersByTimeAsync(2000);
    expect(currentToken()).toBeNull();
    expect(sessionNotice()).toMatch(/sign in again/);
    expect(calls.length).toBe(0);
  });

  it("reads the role and tenant from the token", () => {
    expect(decodeClaims(jwt({ sub: "k", role: "viewer", tenant: "t", exp: 1 }))).toMatchObject({ role: "viewer", tenant: "t" });
    expect(() => decodeClaims("not-a-jwt")).toThrow(/not a JWT/);
  });

  it("trades the key again before the token expires, and signing out stops that", async () => {
    await login(" sbk_good ");
    expect(calls).toEqual([{ key: "sbk_good" }]);
    expect(currentSession()?.claims).toMatchObject({ sub: "key-1", role: "member" });
    await vi.advanceTimersByTimeAsync(3600 * 800 - 1000);
    expect(calls.length).toBe(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(calls.length).toBe(2);
    expect(currentSession()?.claims.sub).toBe("key-2");
    logout();
    expect(currentToken()).toBeNull();
    await vi.advanceTimersByTimeAsync(10 * 3600 * 1000);
    expect(calls.length).toBe(2);
  });

  it("a short-lived token is renewed well before it ends", async () => {
    vi.mocked(fetch).mockImplementation(async () => new Response(JSON.stringify(issued(1, 60)), { status: 200 }));
    await login("sbk_good");
    await vi.advanceTimersByTimeAsync(48_000);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it("a refused key signs nobody in and says why", async () => {
    await expect(login("sbk_bad")).rejects.toThrow("the API key is not valid");
    await expect(login("sbk_bad")).rejects.toBeInstanceOf(KeyRefused);
    expect(currentSession()).toBeNull();
    await expect(login("   ")).rejects.toThrow(/Enter an API key/);
  });

  it("a gateway's error page at sign-in is no refusal: the server was not reached", async () => {
    vi.mocked(fetch).mockImplementation(async () => new Response("<html>Bad Gateway</html>", { status: 502 }));
    const e = await login("sbk_good").catch((x: unknown) => x);
    expect(e).not.toBeInstanceOf(KeyRefused);
    expect((e as Error).message).toBe("The server could not be reached (HTTP 502 from a gateway).");
    expect(currentSession()).toBeNull();
  });

  it("a key revoked while signed in ends the session at the next renewal, with a notice", async () => {
    await login("sbk_good");
    vi.mocked(fetch).mockImplementation(
      async () => new Response(JSON.stringify({ detail: "the API key was revoked" }), { status: 401 }),
    );
    await vi.advanceTimersByTimeAsync(3600 * 1000);
    expect(currentSession()).toBeNull();
    expect(sessionNotice()).toMatch(/revoked/);
  });
});
