// End-to-end tests of the dashboard in a real browser: playwright-core driving the system's
// Chromium (nothing is downloaded) against a real server, PostgreSQL and simulated GPU hosts,
// started here through `slicebroker-demo` (one server serving web/dist, 4× H100 and 2× A100
// on simulated agents, a demo tenant) on a fresh database that is dropped afterwards.
//
//   node e2e/run.mjs            (scripts/web.sh test runs it after building web/dist)
//
// Environment: SLICEBROKER_BIN_DIR (the built binaries, default ../target/debug),
// DATABASE_URL (a PostgreSQL server to create the scratch database on; default the local
// postgres://postgres@127.0.0.1:5432/postgres), CHROMIUM (default /usr/bin/chromium),
// E2E_OUT (screenshots and logs, default test-results/), E2E_ONLY (a scenario name substring).

import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createHash, generateKeyPairSync, randomBytes, sign as cryptoSign } from "node:crypto";
import { createServer as createHttpServer } from "node:http";
import { chromium } from "playwright-core";

const WEB = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = resolve(process.env.SLICEBROKER_BIN_DIR ?? join(WEB, "../target/debug"));
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const OUT = resolve(process.env.E2E_OUT ?? join(WEB, "test-results"));
const SHOTS = join(OUT, "screenshots");
const BASE_DB = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const ONLY = process.env.E2E_ONLY ?? "";

// ---------------------------------------------------------------- small helpers

function fail(message) {
  throw new Error(message);
}

function check(condition, message) {
  if (!condition) fail(message);
}

/** Polls `probe` until it returns a truthy value or `ms` pass; fails with what it last saw. */
async function waitUntil(what, ms, probe) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) fail(`timed out after ${ms} ms waiting for ${what}; last saw: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
    s.on("error", rej);
  });
}

function psql(url, sql) {
  return execFileSync("psql", [url, "-XAtqc", sql], { encoding: "utf8" }).trim();
}

// ---------------------------------------------------------------- a tiny OIDC issuer

/** The people the issuer signs in (its authorization endpoint signs `user` in at once). */
const SSO_CLIENT = "slicebroker-dashboard";
const SSO_GROUP = "e2e-gpu-team";

const b64url = (buf) => Buffer.from(buf).toString("base64url");

/**
 * An OpenID Connect issuer for the SSO scenario, on a port of its own (another origin): a
 * discovery document, its Ed25519 key as a JWKS, an authorization endpoint that signs `user`
 * in at once and sends the browser back with a code (or, when `forgeState` is set, with
 * another state), and a token endpoint (CORS-enabled) that checks the PKCE verifier against
 * the challenge and answers with a signed ID token.
 */
class Issuer {
  async start() {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    this.key = privateKey;
    this.jwk = { ...publicKey.export({ format: "jwk" }), kid: "e2e-1", alg: "EdDSA", use: "sig" };
    this.codes = new Map();
    this.user = { sub: "ada", groups: [SSO_GROUP] };
    this.forgeState = false;
    this.tokensIssued = 0;
    this.server = createHttpServer((req, res) => this.handle(req, res).catch((e) => this.send(res, 500, { error: "server_error", error_description: String(e) })));
    await new Promise((r) => this.server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${this.server.address().port}`;
  }

  stop() {
    this.server?.close();
  }

  send(res, status, body, headers = {}) {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
    res.end(JSON.stringify(body));
  }

  idToken(sub, nonce) {
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: "EdDSA", typ: "JWT", kid: this.jwk.kid }));
    const claims = { iss: this.url, aud: SSO_CLIENT, sub, iat: now, exp: now + 300, groups: this.user.groups, ...(nonce ? { nonce } : {}) };
    const input = `${header}.${b64url(JSON.stringify(claims))}`;
    return `${input}.${b64url(cryptoSign(null, Buffer.from(input), this.key))}`;
  }

  async handle(req, res) {
    const url = new URL(req.url, this.url);
    const cors = { "access-control-allow-origin": req.headers.origin ?? "*", vary: "origin" };
    if (url.pathname === "/.well-known/openid-configuration") {
      return this.send(res, 200, {
        issuer: this.url,
        jwks_uri: `${this.url}/jwks`,
        authorization_endpoint: `${this.url}/authorize`,
        token_endpoint: `${this.url}/token`,
        response_types_supported: ["code"],
        code_challenge_methods_supported: ["S256"],
        id_token_signing_alg_values_supported: ["EdDSA"],
      });
    }
    if (url.pathname === "/jwks") return this.send(res, 200, { keys: [this.jwk] });
    if (url.pathname === "/authorize") {
      const q = url.searchParams;
      const redirect = q.get("redirect_uri");
      const ok =
        q.get("response_type") === "code" && q.get("client_id") === SSO_CLIENT && q.get("scope")?.split(" ").includes("openid") &&
        q.get("code_challenge_method") === "S256" && /^[A-Za-z0-9_-]{43}$/.test(q.get("code_challenge") ?? "") && q.get("state") && redirect;
      if (!ok) return this.send(res, 400, { error: "invalid_request", error_description: url.search });
      const code = randomBytes(16).toString("base64url");
      this.codes.set(code, { challenge: q.get("code_challenge"), redirect, sub: this.user.sub });
      const back = new URL(redirect);
      back.searchParams.set("code", code);
      back.searchParams.set("state", this.forgeState ? "forged-" + q.get("state") : q.get("state"));
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (url.pathname === "/token") {
      if (req.method === "OPTIONS") {
        res.writeHead(204, { ...cors, "access-control-allow-methods": "POST", "access-control-allow-headers": "content-type, accept" });
        return res.end();
      }
      let body = "";
      for await (const chunk of req) body += chunk;
      const form = new URLSearchParams(body);
      const grant = this.codes.get(form.get("code") ?? "");
      this.codes.delete(form.get("code") ?? "");
      const verifier = form.get("code_verifier") ?? "";
      const fail = (why) => this.send(res, 400, { error: "invalid_grant", error_description: why }, cors);
      if (req.method !== "POST" || form.get("grant_type") !== "authorization_code") return fail("not an authorization code grant");
      if (!grant) return fail("unknown or used code");
      if (form.get("client_id") !== SSO_CLIENT || form.get("redirect_uri") !== grant.redirect) return fail("client or redirect_uri differs");
      if (createHash("sha256").update(verifier).digest("base64url") !== grant.challenge) return fail("the PKCE verifier does not match the challenge");
      this.tokensIssued++;
      return this.send(res, 200, { token_type: "Bearer", access_token: randomBytes(16).toString("hex"), expires_in: 300, id_token: this.idToken(grant.sub) }, cors);
    }
    return this.send(res, 404, { error: "not_found" });
  }
}

// ---------------------------------------------------------------- the system under test

class System {
  async start(issuer) {
    for (const b of ["slicebroker-demo", "slicebroker-server", "slicebroker-agent"]) {
      check(existsSync(join(BIN, b)), `${join(BIN, b)} is missing: cargo build --bins first (or set SLICEBROKER_BIN_DIR)`);
    }
    check(existsSync(join(WEB, "dist/index.html")), "web/dist is missing: npm run build first");
    this.db = `sb_e2e_web_${randomBytes(6).toString("hex")}`;
    psql(BASE_DB, `CREATE DATABASE ${this.db}`);
    const url = new URL(BASE_DB);
    url.pathname = `/${this.db}`;
    this.dbUrl = url.toString();
    this.dir = mkdtempSync(join(tmpdir(), "slicebroker-web-e2e-"));
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    let out = "";
    this.proc = spawn(join(BIN, "slicebroker-demo"), [], {
      env: {
        ...process.env,
        DATABASE_URL: this.dbUrl,
        SLICEBROKER_DEMO_DIR: this.dir,
        SLICEBROKER_PORT: String(port),
        SLICEBROKER_WEB_DIR: join(WEB, "dist"),
        // Organisation sign-in: the issuer's people in SSO_GROUP are members of the demo tenant.
        SLICEBROKER_OIDC_ISSUER: issuer.url,
        SLICEBROKER_OIDC_AUDIENCE: SSO_CLIENT,
        SLICEBROKER_OIDC_RULES: `[{claim="groups", value="${SSO_GROUP}", tenant="demo", role="member"}]`,
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    this.proc.stdout.on("data", (d) => (out += d));
    this.proc.stderr.on("data", (d) => (out += d));
    const exited = new Promise((r) => this.proc.on("exit", r));
    this.exited = exited;
    await Promise.race([
      waitUntil("the demo to print its keys", 120_000, () => /tenant key\s+sbk_\S+/.test(out)),
      exited.then((code) => fail(`slicebroker-demo exited (${code}) before it was ready:\n${out}`)),
    ]);
    this.adminKey = /admin key\s+(sbk_\S+)/.exec(out)[1];
    this.memberKey = /tenant key\s+(sbk_\S+)/.exec(out)[1];
    this.output = () => out;
  }

  async stop(keep) {
    if (this.proc && this.proc.exitCode === null) {
      this.proc.kill("SIGINT");
      const done = await Promise.race([this.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 10_000))]);
      if (!done) {
        try {
          process.kill(-this.proc.pid, "SIGKILL");
        } catch {}
      }
    }
    if (keep) {
      console.error(`kept for a look: database ${this.db}, logs under ${this.dir}`);
      return;
    }
    if (this.db) psql(BASE_DB, `DROP DATABASE IF EXISTS ${this.db} WITH (FORCE)`);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** The API itself, to set scenes up and to check what the pages show against it. */
  async api(method, path, token, body) {
    const r = await fetch(this.url + path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: r.status, body: json, text };
  }

  async ok(method, path, token, body) {
    const r = await this.api(method, path, token, body);
    check(r.status >= 200 && r.status < 300, `${method} ${path}: ${r.status} ${r.text}`);
    return r.body;
  }

  async token(key) {
    return (await this.ok("POST", "/v1/auth/token", null, { api_key: key })).access_token;
  }
}

/** The simulator of the demo's H100 host, driven from outside the agent (as tests/e2e does). */
function simH100(sys, args) {
  const out = execFileSync(
    join(BIN, "slicebroker-agent"),
    ["--backend", "sim", "--sim-gpus", "h100-80gb:4", "--sim-seed", "11", "--sim-state", join(sys.dir, "demo-h100", "sim.json"), "sim", ...args],
    { encoding: "utf8" },
  );
  return JSON.parse(out);
}

/** Starts a simulated workload on `mig` on the demo's H100 host (as tests/e2e does): its pid,
 * GPU and GPU instance. */
function startWorkload(sys, mig) {
  return simH100(sys, ["workload", "start", "--mig", mig, "--memory-mib", "2048"]);
}

// ---------------------------------------------------------------- the browser side

async function signIn(browser, sys, key, name) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 960 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: sys.url });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && !/status of 4\d\d/.test(m.text()) && errors.push(m.text()));
  page.jsErrors = errors;
  // Destructive actions ask first (window.confirm): say yes, and keep what was asked.
  page.dialogs = [];
  page.on("dialog", (d) => {
    page.dialogs.push(d.message());
    d.accept().catch(() => {});
  });
  await page.goto(sys.url + "/");
  await page.fill("#api-key", key);
  await page.click("button[type=submit]");
  await page.waitForSelector('[data-testid="who"]', { timeout: 10_000 });
  page.shotName = name;
  return { context, page };
}

async function go(page, label) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: label, exact: true }).click();
}

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Drops the console errors a test caused on purpose (the browser logs failed loads). */
function forget(errors, pattern) {
  for (let i = errors.length - 1; i >= 0; i--) if (pattern.test(errors[i])) errors.splice(i, 1);
}

async function text(page, selector) {
  return (await page.locator(selector).first().textContent()) ?? "";
}

// ---------------------------------------------------------------- scenarios

const scenarios = [];
const scenario = (name, fn) => scenarios.push({ name, fn });

scenario("a bad key shows a clear error", async ({ browser, sys }) => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  await page.goto(sys.url + "/");
  const bad = "sbk_" + "x".repeat(43);
  const api = await sys.api("POST", "/v1/auth/token", null, { api_key: bad });
  check(api.status === 401 && api.body?.detail, `the API refuses a bad key with a detail: ${api.text}`);
  await page.fill("#api-key", bad);
  await page.click("button[type=submit]");
  const note = page.locator('[data-testid="login-error"]');
  await note.waitFor({ timeout: 5000 });
  const shown = await note.textContent();
  check(shown === `Sign-in refused: ${api.body.detail}`, `login error shows the API's detail; got "${shown}"`);
  check((await page.locator('[data-testid="who"]').count()) === 0, "a refused key does not sign in");
  check((await page.getAttribute("#api-key", "aria-invalid")) === "true", "the key field is marked invalid");
  await shot(page, "login-error");
  // An empty key is refused before any request.
  await page.fill("#api-key", "  ");
  await page.click("button[type=submit]");
  await context.close();
});

scenario("a member signs in with SSO (PKCE) and can lease; a forged state and an unmapped person are refused", async ({ browser, sys, issuer }) => {
  const sso = await sys.ok("GET", "/v1/auth/sso");
  check(sso.enabled && sso.token_endpoint === `${issuer.url}/token` && sso.client_id === SSO_CLIENT, `the server offers SSO: ${JSON.stringify(sso)}`);
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && !/status of 4\d\d/.test(m.text()) && errors.push(m.text()));
  await page.goto(sys.url + "/");
  const csp = (await page.request.get(sys.url + "/")).headers()["content-security-policy"] ?? "";
  check(csp.includes(`connect-src 'self' ${issuer.url};`) && csp.includes(`form-action 'self' ${issuer.url};`), `the policy lets the sign-in through, and only it: ${csp}`);
  const button = page.getByRole("button", { name: "Sign in with SSO" });
  await button.waitFor({ timeout: 5000 });
  await shot(page, "login-sso");
  // To the issuer and back (it signs `ada` in at once), then the code is traded from script.
  await button.click();
  await page.waitForSelector('[data-testid="who"]', { timeout: 10_000 });
  check(new URL(page.url()).pathname === "/" && !page.url().includes("code="), `the callback's code leaves the address bar: ${page.url()}`);
  check((await text(page, '[data-testid="who"]')).includes("member"), "signed in with the role the rule maps");
  check(await page.evaluate((k) => sessionStorage.getItem(k) === null, "slicebroker.sso.pending"), "the PKCE verifier is forgotten");
  // The fleet, and a member's action: a request goes through with the SSO token.
  await page.locator('[data-testid="gpu-strip"]').first().waitFor({ timeout: 5000 });
  const nav = page.getByRole("navigation", { name: "Main" });
  check((await nav.getByRole("link", { name: "Admin" }).count()) === 0, "a member does not administer");
  await shot(page, "fleet-sso");
  await go(page, "Request a slice");
  await page.waitForSelector('#profile option[value="1g.10gb"]', { state: "attached" });
  await page.selectOption("#profile", "1g.10gb");
  await page.fill("#duration", "1h");
  await page.click("button[type=submit]");
  await page.waitForURL(/\/leases\/[0-9a-f-]{36}$/, { timeout: 10_000 });
  const id = page.url().split("/").pop();
  const admin = await sys.token(sys.adminKey);
  const demo = (await sys.ok("GET", "/v1/tenants", admin)).find((t) => t.name === "demo");
  const lease = await sys.ok("GET", `/v1/leases/${id}`, admin);
  check(lease.tenant_id === demo.id, `the lease is the demo tenant's: ${lease.tenant_id}`);
  const events = await sys.ok("GET", `/v1/leases/${id}/events`, admin);
  check(JSON.stringify(events).includes("oidc:ada"), `the person is the actor: ${JSON.stringify(events).slice(0, 300)}`);
  // The issuer's token works on the API as it did in the page.
  await sys.ok("POST", `/v1/leases/${id}/release`, issuer.idToken("ada"));

  check(errors.length === 0, `no script or policy errors: ${errors.join("; ")}`);

  // A forged state: the answer is refused before any code is traded.
  await page.getByRole("button", { name: "Sign out" }).click();
  const issued = issuer.tokensIssued;
  issuer.forgeState = true;
  try {
    await page.getByRole("button", { name: "Sign in with SSO" }).click();
    const notice = page.locator('[data-testid="login-notice"]');
    await notice.waitFor({ timeout: 10_000 });
    check(/state mismatch/.test((await notice.textContent()) ?? ""), `a forged state is refused clearly: ${await notice.textContent()}`);
  } finally {
    issuer.forgeState = false;
  }
  check(issuer.tokensIssued === issued, "no code was traded for a forged state");
  check((await page.locator('[data-testid="who"]').count()) === 0, "and no one is signed in");
  await shot(page, "login-sso-refused");

  // Someone the rules do not map: the issuer signs them in, the server refuses the token.
  issuer.user = { sub: "mallory", groups: ["elsewhere"] };
  try {
    await page.getByRole("button", { name: "Sign in with SSO" }).click();
    const notice = page.locator('[data-testid="login-notice"]');
    await page.waitForFunction(() => /refused your SSO sign-in/.test(document.querySelector('[data-testid="login-notice"]')?.textContent ?? ""), null, { timeout: 10_000 });
    check(/the token is not valid/.test((await notice.textContent()) ?? ""), `the server's detail is shown: ${await notice.textContent()}`);
  } finally {
    issuer.user = { sub: "ada", groups: [SSO_GROUP] };
  }
  await context.close();
});

scenario("a member requests a 2g.20gb, sees it active, extends and releases it; the fleet draws it where the API says", async ({ browser, sys, scene }) => {
  const { context, page } = await signIn(browser, sys, sys.memberKey, "member");
  const member = await sys.token(sys.memberKey);
  await go(page, "Request a slice");
  await page.waitForSelector('#profile option[value="2g.20gb"]', { state: "attached" });
  await page.selectOption("#profile", "2g.20gb");
  await page.selectOption("#gpu-model", "h100-80gb");
  await page.fill("#duration", "2h");
  await page.fill("#labels", "team=web, run=e2e\nnote=vision, speech");
  await shot(page, "request");
  // A bad field is named before anything is sent.
  await page.fill("#count", "0");
  await page.click("button[type=submit]");
  check((await text(page, '[data-testid="field-error-count"]')).includes("whole number"), "count is refused next to the field");
  await page.fill("#count", "1");
  await page.click("button[type=submit]");
  await page.waitForURL(/\/leases\/[0-9a-f-]{36}$/, { timeout: 10_000 });
  const id = page.url().split("/").pop();
  // It goes active with a MIG device, and the page shows exactly what the API reports.
  await page.locator('[data-testid="use-it"]').waitFor({ timeout: 30_000 });
  const lease = await sys.ok("GET", `/v1/leases/${id}`, member);
  check(lease.state === "active", `the API says active: ${lease.state}`);
  check(lease.labels.team === "web" && lease.labels.run === "e2e" && lease.labels.note === "vision, speech", `labels sent, a comma in a value kept: ${JSON.stringify(lease.labels)}`);
  const slice = lease.slices[0];
  check(slice.profile === "2g.20gb" && slice.mig_device_uuid?.startsWith("MIG-"), `a 2g.20gb with a MIG device: ${JSON.stringify(slice)}`);
  const use = await text(page, '[data-testid="use-it"]');
  check(use.includes(`CUDA_VISIBLE_DEVICES=${slice.cuda_visible_devices}`), `the page shows the API's CUDA_VISIBLE_DEVICES: ${use}`);
  check(use.includes(`slicectl lease env ${id}`), "and the slicectl line");
  const labels = await text(page, '[data-testid="lease-labels"]');
  check(labels.includes("team=web") && labels.includes("run=e2e"), `the lease page shows its labels: ${labels}`);
  await page.getByRole("button", { name: "Copy CUDA_VISIBLE_DEVICES" }).click();
  const clip = await page.evaluate(() => navigator.clipboard.readText());
  check(clip === `CUDA_VISIBLE_DEVICES=${slice.cuda_visible_devices}`, `one click copies it: "${clip}"`);
  const activated = page.locator('[data-testid="timeline"] li[data-kind="activated"]');
  await activated.waitFor({ timeout: 5000 });
  // Each event reads as a sentence with its time, not as its raw detail.
  check(/^Active: every slice is ready; it runs until .+\.$/.test(await activated.locator('[data-testid="event-text"]').textContent()), `the activation in words: ${await activated.textContent()}`);
  check((await page.locator('[data-testid="timeline"] li[data-kind="granted"]').textContent()).includes(`2g.20gb on ${slice.host} · GPU`), "the grant says where");
  check((await page.locator('[data-testid="timeline"] pre').count()) === 0, "no raw JSON in the timeline");
  await shot(page, "lease");
  scene.memberLease = id;

  // The fleet page draws the slice at the API's placement, to scale.
  await go(page, "Fleet");
  const block = page.locator(`[data-testid="slice-block"][data-lease-id="${id}"]`);
  await block.waitFor({ timeout: 5000 });
  const gpus = await sys.ok("GET", "/v1/gpus", member);
  const gpu = gpus.find((g) => g.id === slice.gpu_id);
  const drawn = await block.evaluate((el) => {
    const strip = el.closest('[data-testid="gpu-strip"]');
    const s = strip.getBoundingClientRect();
    const b = el.getBoundingClientRect();
    return {
      gpu: strip.dataset.gpuId,
      n: Number(strip.dataset.memorySlices),
      start: Number(el.dataset.start),
      size: Number(el.dataset.size),
      profile: el.dataset.profile,
      left: b.left - (s.left + strip.clientLeft),
      width: b.width,
      inner: strip.clientWidth,
    };
  });
  check(drawn.gpu === slice.gpu_id, `drawn on the GPU the API placed it on (${drawn.gpu} vs ${slice.gpu_id})`);
  check(drawn.n === gpu.memory_slices && drawn.n === 8, `an H100 strip has 8 memory slices: ${drawn.n}`);
  check(drawn.start === slice.start && drawn.size === slice.size && drawn.profile === "2g.20gb", `data attributes match the API: ${JSON.stringify(drawn)} vs ${slice.start}+${slice.size}`);
  const cell = drawn.inner / drawn.n;
  check(Math.abs(drawn.left - slice.start * cell) <= 1.5, `the block starts at memory slice ${slice.start}: ${drawn.left}px vs ${slice.start * cell}px`);
  check(Math.abs(drawn.width - slice.size * cell) <= 1.5, `the block is ${slice.size} memory slices wide: ${drawn.width}px vs ${slice.size * cell}px`);
  // Every strip agrees with the API's layout string, cell by cell.
  for (const g of gpus) {
    const cells = await page.locator(`[data-testid="gpu-strip"][data-gpu-id="${g.id}"] [data-testid="slice-block"]`).evaluateAll((els) =>
      els.map((e) => [Number(e.dataset.start), Number(e.dataset.size)]),
    );
    const layout = Array(g.memory_slices).fill(".");
    for (const [s, n] of cells) for (let i = s; i < s + n; i++) layout[i] = "#";
    check(layout.join("") === g.layout, `GPU ${g.id} drawn as ${layout.join("")}, API layout ${g.layout}`);
  }
  await block.hover();
  const tip = await text(page, '[data-testid="slice-tooltip"]');
  check(tip.includes(id) && tip.includes("2g.20gb") && tip.includes("active") && tip.includes(slice.mig_device_uuid), `the tooltip tells the lease: ${tip}`);
  check(/idle \d/.test(tip), `an unused slice is idle: ${tip}`);
  // A workload starts on the slice: the agent reports it, the tooltip says busy, with its pid.
  check(slice.host === "demo-h100", `placed on the H100 host as asked: ${slice.host}`);
  const work = startWorkload(sys, slice.mig_device_uuid);
  const pid = work.pid;
  await waitUntil("the agent to report the workload", 10_000, async () => {
    const g = (await sys.ok("GET", "/v1/gpus", member)).find((x) => x.id === slice.gpu_id);
    return g.slices.find((x) => x.lease_id === id)?.processes?.some((p) => p.pid === pid);
  });
  await page.mouse.move(0, 0);
  await block.hover();
  await waitUntil("the tooltip to say busy", 4000, async () => {
    const t = await text(page, '[data-testid="slice-tooltip"]');
    return t.includes("busy: 1 process") && t.includes(String(pid)) ? t : false;
  });
  // Other tenants' slices show no activity; the API hides it from them (checked below).
  check((await page.locator('[data-testid="gpu-count"]').textContent()) === String(gpus.length), "the summary counts the GPUs");
  await shot(page, "fleet-member");

  // Leases page: the countdown runs, extend adds time within policy.
  await go(page, "Leases");
  const row = page.locator(`[data-testid="lease-row"][data-lease-id="${id}"]`);
  await row.waitFor({ timeout: 5000 });
  await waitUntil("the countdown to show the time left of 2 h", 3000, async () => (await row.locator('[data-testid="countdown"]').textContent()).startsWith("ends in 1h 5"));
  await waitUntil("the extension limit (7 days by default) to show", 5000, async () => (await row.locator('[data-testid="extension-left"]').textContent()).includes("7d"));
  await row.locator('[data-testid="extend"]').click();
  await waitUntil("the extension to land", 5000, async () => (await sys.ok("GET", `/v1/leases/${id}`, member)).extended_seconds === 3600);
  await waitUntil("the countdown to show the extra hour", 3000, async () => (await row.locator('[data-testid="countdown"]').textContent()).startsWith("ends in 2h 5"));
  await waitUntil("the row to show the lease busy", 5000, async () => (await row.locator('[data-testid="activity"]').textContent()) === "busy: 1 process");
  await shot(page, "leases");

  // Release on the lease page: the state change shows within two seconds of the API's.
  await row.locator("a").first().click();
  await page.waitForURL(new RegExp(`/leases/${id}$`));
  const extended = page.locator('[data-testid="timeline"] li[data-kind="extended"]');
  await extended.waitFor({ timeout: 5000 });
  check((await extended.textContent()).includes("Extended by 1h 00m; it now ends"), `the extension in words: ${await extended.textContent()}`);
  // A contained ECC error (XID 94) on its instance: the page says so, and the lease runs on.
  simH100(sys, ["xid", "--gpu", work.gpu_uuid, "--xid", "94", "--gpu-instance", String(work.gpu_instance_id)]);
  await page.locator('[data-testid="timeline"] li[data-kind="instance_error"]').waitFor({ timeout: 10_000 });
  await waitUntil("the GPU health to show the XID", 5000, async () => (await text(page, '[data-testid="lease-gpu-health"]')).includes("XID 94 (fatal)"));
  check((await sys.ok("GET", `/v1/leases/${id}`, member)).state === "active", "an instance error does not end the lease");
  await page.locator('[data-testid="release"]').click();
  check(page.dialogs.some((m) => m.startsWith(`Release lease ${id}`)), `release asks first, naming the lease: ${page.dialogs.join(" | ")}`);
  await waitUntil("the API to end the lease", 20_000, async () => (await sys.ok("GET", `/v1/leases/${id}`, member)).state === "ended");
  const seen = Date.now();
  await waitUntil("the page to show ended", 2000, async () => (await text(page, '[data-testid="lease-state"]')).startsWith("ended (released)"));
  console.log(`    lease page showed "ended" ${Date.now() - seen} ms after the API`);
  check(page.jsErrors.length === 0, `no script errors: ${page.jsErrors.join("; ")}`);
  await context.close();
});

scenario("a member books a slice ahead at a free window, sees it on the calendar and cancels it", async ({ browser, sys }) => {
  const { context, page } = await signIn(browser, sys, sys.memberKey, "member-booking");
  const member = await sys.token(sys.memberKey);
  await go(page, "Request a slice");
  await page.waitForSelector('#profile option[value="1g.10gb"]', { state: "attached" });
  await page.selectOption("#profile", "1g.10gb");
  await page.selectOption("#gpu-model", "h100-80gb");
  await page.fill("#duration", "1h");
  await page.getByLabel("At a start time (book ahead)").check();
  // The free windows come from the calendar API, per model.
  const windows = page.locator('[data-testid="free-windows"]');
  await windows.locator("tbody tr").first().waitFor({ timeout: 10_000 });
  check((await windows.textContent()).includes("h100-80gb"), "the free windows list the H100s");
  // The earliest start fills in exactly the start it shows (to the minute, rounded up).
  const earliest = windows.locator('[data-testid="earliest-start"][data-model="h100-80gb"]');
  const clicked = Date.now();
  await earliest.click();
  const filled = await page.inputValue("#start");
  const shown = await earliest.textContent();
  const same = await page.evaluate((v) => new Date(v).toLocaleString([], { dateStyle: "medium", timeStyle: "short" }), filled);
  check(shown === same, `the button shows the start it fills in: "${shown}" vs "${filled}"`);
  const ahead = (await page.evaluate((v) => new Date(v).getTime(), filled)) - clicked;
  check(ahead >= 4 * 60_000 && ahead <= 7 * 60_000, `free now, so about five minutes ahead: ${ahead} ms`);
  // A start in the past is refused next to the field, before anything is sent.
  const local = (ms) =>
    page.evaluate((t) => {
      const d = new Date(t);
      const p = (n) => String(n).padStart(2, "0");
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
    }, ms);
  await page.fill("#start", await local(Date.now() - 3600_000));
  await page.click("button[type=submit]");
  check((await text(page, '[data-testid="field-error-start"]')).includes("future"), "a past start is refused next to the field");
  const startMs = Math.ceil((Date.now() + 3 * 3600_000) / 60_000) * 60_000;
  await page.fill("#start", await local(startMs));
  await shot(page, "request-booking");
  await page.getByRole("button", { name: "Book", exact: true }).click();
  await page.waitForURL(/\/leases\/[0-9a-f-]{36}$/, { timeout: 10_000 });
  const id = page.url().split("/").pop();
  const lease = await sys.ok("GET", `/v1/leases/${id}`, member);
  check(lease.state === "booked", `the API says booked: ${lease.state}`);
  check(Date.parse(lease.granted_at) === startMs, `its window starts when asked: ${lease.granted_at} vs ${new Date(startMs).toISOString()}`);
  check(lease.slices.length === 1 && lease.slices[0].profile === "1g.10gb", `its placement is pinned: ${JSON.stringify(lease.slices)}`);
  await page.locator('.steps [aria-current="step"]', { hasText: "booked" }).waitFor({ timeout: 5000 });
  check(/^Starts in (2h 5\d|3h 00)m/.test(await text(page, '[data-testid="lease-starts"]')), "the booked lease's page says when it starts");
  // The calendar draws it as a booking, on the GPU it is pinned to.
  await go(page, "Calendar");
  const bar = page.locator(`a.cal-bar.booked[href$="${id}"]`);
  await bar.waitFor({ timeout: 5000 });
  check((await bar.getAttribute("title")).includes("starts in"), "the booking says when it starts");
  await shot(page, "calendar-booking");
  // Cancelled from the leases list: it ends `cancelled` and its slice is free again.
  await go(page, "Leases");
  const row = page.locator("tr", { has: page.locator(`a[href$="${id}"]`) });
  check((await row.locator('[data-testid="countdown"]').textContent()).startsWith("starts in"), "the list says when the booking starts");
  await row.getByRole("button", { name: "Cancel booking" }).click();
  check(page.dialogs.some((m) => m.startsWith(`Cancel booking ${id}`)), "cancelling asks first, naming the booking");
  await waitUntil("the booking ends cancelled", 5000, async () => {
    const l = await sys.ok("GET", `/v1/leases/${id}`, member);
    return l.state === "ended" && l.end_reason === "cancelled" ? l : null;
  });
  // A lease that does not exist: a heading and a way back, and no more polling.
  await page.evaluate(() => {
    history.pushState(null, "", "/leases/00000000-0000-7000-8000-000000000000");
    dispatchEvent(new PopStateEvent("popstate"));
  });
  await page.locator('[data-testid="lease-not-found"] h1', { hasText: "Lease not found" }).waitFor({ timeout: 5000 });
  let polls = 0;
  const count = (r) => r.url().includes("/v1/leases/00000000-0000-7000-8000-000000000000") && polls++;
  page.on("request", count);
  await page.waitForTimeout(2500);
  page.off("request", count);
  check(polls === 0, `no polling after the 404: ${polls} requests`);
  await page.getByRole("link", { name: "Back to Leases" }).click();
  await page.waitForURL(/\/leases$/);
  check(page.jsErrors.length === 0, `no script errors: ${page.jsErrors.join("; ")}`);
  await context.close();
});

scenario("an admin changes a tenant's quota and the tenant's next request over it is refused", async ({ browser, sys }) => {
  const { context, page } = await signIn(browser, sys, sys.adminKey, "admin");
  const admin = await sys.token(sys.adminKey);
  await go(page, "Admin");
  const tenants = await sys.ok("GET", "/v1/tenants", admin);
  const demo = tenants.find((t) => t.name === "demo");
  await page.locator('details[data-tenant="demo"] summary').click();
  const field = page.locator("#demo-max_live_compute_slices");
  const save = page.getByRole("button", { name: "Save demo" });
  // A value outside the API's bounds is named next to the field as it is typed; save waits.
  await field.fill("lots");
  check((await text(page, "#demo-max_live_compute_slices-msg")).includes("whole number from 0 to 10000000"), "the field says what it takes");
  check(await save.isDisabled(), "save waits until the fields are right");
  await field.fill("10000001");
  check((await text(page, "#demo-max_live_compute_slices-msg")).includes("whole number from 0 to 10000000"), "and its upper bound");
  await field.fill(String(demo.policy.max_live_compute_slices ?? ""));
  check(await save.isEnabled(), "a right value lets it save");
  // What only the API knows (its GPU catalog): its message stands by the field it names.
  const models = page.locator("#demo-allowed_gpu_models");
  await models.fill("h100-80gb, tpu");
  await save.click();
  const refused = await sys.api("PATCH", `/v1/tenants/${demo.id}`, admin, { policy: { allowed_gpu_models: ["h100-80gb", "tpu"] } });
  check(refused.status === 400 && refused.body.field === "/policy/allowed_gpu_models/1", `the API refuses the model: ${refused.text}`);
  await waitUntil("the API's message by the models field", 5000, async () => (await text(page, "#demo-allowed_gpu_models-msg")) === refused.body.detail);
  check((await models.getAttribute("aria-invalid")) === "true", "the models field is marked invalid");
  check((await sys.ok("GET", `/v1/tenants/${demo.id}`, admin)).policy.allowed_gpu_models.length === 0, "nothing was saved");
  await shot(page, "admin-tenant-refused");
  await models.fill("");
  check((await text(page, "#demo-allowed_gpu_models-msg")).includes("empty: all"), "editing the field clears the API's message");
  try {
    await quotaScene(browser, sys, page, admin, demo, field);
  } finally {
    await sys.ok("PATCH", `/v1/tenants/${demo.id}`, admin, { policy: { max_live_compute_slices: demo.policy.max_live_compute_slices } });
    const a100 = (await sys.ok("GET", "/v1/hosts", admin)).find((h) => h.name === "demo-a100");
    if (!a100.schedulable) await sys.ok("POST", `/v1/hosts/${a100.id}/uncordon`, admin);
    await context.close();
  }
});

/** The audit log: the whole fleet's by default (newest first, filtered by kind, a page at a
 * time), or one tenant's, each change with its before and after. */
async function auditScene(sys, page, admin, demo) {
  await page.getByRole("tab", { name: "Audit log" }).click();
  check((await page.locator("#audit-scope").inputValue()) === "", "the whole fleet by default");
  const entries = page.locator('[data-testid="audit"] ol > li');
  await waitUntil("the cordon on top", 5000, async () => {
    const top = entries.first();
    return (await top.getAttribute("data-action")) === "cordon" && (await top.textContent()).includes("host demo-a100");
  });
  check((await entries.first().locator(".diff").textContent()).includes("schedulable"), "the cordon shows its before and after");
  await entries.filter({ has: page.locator(".diff th", { hasText: "policy.max_live_compute_slices" }) }).first().waitFor({ timeout: 3000 });
  await page.selectOption("#audit-kind", "tenant");
  await waitUntil("only the tenants' changes", 5000, async () => {
    const kinds = await entries.evaluateAll((els) => els.map((e) => e.dataset.targetKind));
    return kinds.length > 0 && kinds.every((k) => k === "tenant");
  });
  await page.selectOption("#audit-kind", "");
  await page.selectOption("#audit-scope", demo.id);
  await page.locator(".diff th", { hasText: "policy.max_live_compute_slices" }).first().waitFor({ timeout: 5000 });
  check((await page.getByRole("button", { name: "Load more" }).count()) === 0, "a tenant's trail comes whole");
  await shot(page, "admin-audit");
  // More than a page (100) of changes: "Load more" follows next_cursor to the oldest.
  await Promise.all(Array.from({ length: 100 }, (_, i) => sys.ok("POST", "/v1/enrollment-tokens", admin, { note: `e2e audit ${i}` })));
  let all = 0;
  for (let cursor = null, first = true; first || cursor; first = false) {
    const p = await sys.ok("GET", `/v1/audit?limit=500${cursor ? `&cursor=${cursor}` : ""}`, admin);
    all += p.items.length;
    cursor = p.next_cursor;
  }
  check(all > 100, `more than a page in the log: ${all}`);
  await page.selectOption("#audit-scope", "");
  const more = page.getByRole("button", { name: "Load more" });
  await more.waitFor({ timeout: 5000 });
  check((await entries.count()) === 100, `a page at first: ${await entries.count()}`);
  while ((await more.count()) > 0) {
    const before = await entries.count();
    await more.click();
    await waitUntil("older changes", 5000, async () => (await entries.count()) > before || (await more.count()) === 0);
  }
  check((await entries.count()) === all, `every change, once: ${await entries.count()} of ${all}`);
}

async function quotaScene(browser, sys, page, admin, demo, field) {
  await field.fill("1");
  await page.getByRole("button", { name: "Save demo" }).click();
  await waitUntil("the quota to change", 5000, async () => (await sys.ok("GET", `/v1/tenants/${demo.id}`, admin)).policy.max_live_compute_slices === 1);
  await page.getByRole("status").waitFor({ timeout: 3000 });
  await shot(page, "admin-tenants");
  await page.getByRole("tab", { name: "Hosts & GPUs" }).click();
  await page.getByRole("button", { name: "Cordon demo-a100" }).click();
  await waitUntil("the host to be cordoned", 5000, async () => (await sys.ok("GET", "/v1/hosts", admin)).find((h) => h.name === "demo-a100").schedulable === false);
  await page.getByRole("button", { name: "Uncordon demo-a100" }).waitFor({ timeout: 3000 });
  await shot(page, "admin-hosts");
  await auditScene(sys, page, admin, demo);
  // The fleet draws the cordoned host apart: a badge, and its GPUs' strips dimmed.
  await go(page, "Fleet");
  const host = page.locator('[data-testid="host"][data-host="demo-a100"]');
  await host.locator(".badge.cordoned").waitFor({ timeout: 3000 });
  // The hosts and the GPUs are loaded apart (each on its own poll): wait for the strips too.
  await host.locator('[data-testid="gpu-strip"].dimmed').nth(1).waitFor({ timeout: 5000 });
  check((await host.locator('[data-testid="gpu-strip"].dimmed').count()) === 2, "both A100 strips drawn cordoned");
  check((await page.locator('[data-testid="host"][data-host="demo-h100"] .badge.cordoned').count()) === 0, "the H100 host is not");
  await go(page, "Admin");
  await page.getByRole("tab", { name: "Hosts & GPUs" }).click();

  // The member's next request over the new quota: the refusal, in the API's words.
  const m = await signIn(browser, sys, sys.memberKey, "member-2");
  await go(m.page, "Request a slice");
  await m.page.waitForSelector('#profile option[value="2g.20gb"]', { state: "attached" });
  await m.page.selectOption("#profile", "2g.20gb");
  await m.page.click("button[type=submit]");
  const refusal = await m.page.locator('[data-testid="request-error"]').textContent({ timeout: 5000 });
  const api = await sys.api("POST", "/v1/leases", await sys.token(sys.memberKey), { profile: "2g.20gb", duration: "8h" });
  check(api.status === 422 && api.body.code === "quota_exceeded", `the API refuses it too: ${api.text}`);
  // The detail names the instant the quota would be exceeded (for a lease wanted now, the
  // moment of the request): the two requests are a second apart at most, so compare without it.
  const instant = /at \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/;
  check(instant.test(api.body.detail), `the detail names the instant: ${api.body.detail}`);
  const shown = refusal.replace(instant, "at T");
  check(shown === `Refused: ${api.body.detail.replace(instant, "at T")}`, `the page shows the problem's detail: "${refusal}" vs "${api.body.detail}"`);
  check(/^\/request$/.test(new URL(m.page.url()).pathname), "and stays on the form");
  await shot(m.page, "request-refused");
  await m.context.close();
}

scenario("a viewer sees the fleet and leases but no admin or lease actions", async ({ browser, sys }) => {
  const admin = await sys.token(sys.adminKey);
  const demo = (await sys.ok("GET", "/v1/tenants", admin)).find((t) => t.name === "demo");
  const key = (await sys.ok("POST", `/v1/tenants/${demo.id}/api-keys`, admin, { name: "e2e viewer", role: "viewer" })).secret;
  // A live lease of the tenant, so the leases page has a row the viewer could act on.
  const member = await sys.token(sys.memberKey);
  const lease = await sys.ok("POST", "/v1/leases", member, { profile: "1g.10gb", duration: "1h" });
  const { context, page } = await signIn(browser, sys, key, "viewer");
  check((await text(page, '[data-testid="who"]')).includes("viewer"), "signed in as a viewer");
  const nav = page.getByRole("navigation", { name: "Main" });
  check((await nav.getByRole("link", { name: "Admin" }).count()) === 0, "no Admin link");
  check((await nav.getByRole("link", { name: "Request a slice" }).count()) === 0, "no Request link");
  await go(page, "Leases");
  await page.locator(`[data-testid="lease-row"][data-lease-id="${lease.id}"]`).waitFor({ timeout: 5000 });
  check((await page.locator('[data-testid="extend"], [data-testid="release"]').count()) === 0, "no extend or release buttons");
  // Even by address, the admin page offers nothing.
  await page.evaluate(() => {
    history.pushState(null, "", "/admin");
    dispatchEvent(new PopStateEvent("popstate"));
  });
  await page.getByRole("heading", { name: "Not allowed" }).waitFor({ timeout: 3000 });
  check((await page.getByRole("button", { name: /Cordon|Save|Create/ }).count()) === 0, "no admin actions by address either");
  // The API agrees: a viewer cannot release.
  const refused = await sys.api("POST", `/v1/leases/${lease.id}/release`, await sys.token(key));
  check(refused.status === 403, `the API refuses a viewer's release: ${refused.status}`);
  await sys.ok("POST", `/v1/leases/${lease.id}/release`, member);
  await context.close();
});

scenario("a tenant admin sees its own key marked, a long key name in its cell, and revoking that key signs it out", async ({ browser, sys }) => {
  const admin = await sys.token(sys.adminKey);
  const demo = (await sys.ok("GET", "/v1/tenants", admin)).find((t) => t.name === "demo");
  const name = `e2e-tenant-admin-${"x".repeat(170)}`;
  const own = await sys.ok("POST", `/v1/tenants/${demo.id}/api-keys`, admin, { name, role: "tenant-admin" });
  const { context, page } = await signIn(browser, sys, own.secret, "tenant-admin");
  await go(page, "Admin");
  const mark = page.locator('[data-testid="keys"] [data-testid="own-key"]');
  await mark.waitFor({ timeout: 5000 });
  const keys = await sys.ok("GET", `/v1/tenants/${demo.id}/api-keys`, admin);
  check(keys.length >= 2 && (await mark.count()) === 1, `one key of ${keys.length} is marked`);
  const row = page.locator('[data-testid="keys"] tr', { has: page.locator('[data-testid="own-key"]') });
  check((await row.locator(".truncate").getAttribute("title")) === name, "the mark is on the session's key, its whole name on hover");
  // A long name stays in its cell: the page does not scroll sideways, on a desktop or a phone.
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(wide <= 1, `a ${name.length}-character key name fits ${width} px (${wide} px too wide)`);
  }
  await shot(page, "admin-keys-phone");
  await page.setViewportSize({ width: 1440, height: 960 });
  // Revoking it warns first, then the session ends, as warned.
  await row.getByRole("button", { name: "Revoke" }).click();
  check(page.dialogs.some((m) => m.includes(`"${name}"`) && m.includes("signs you out")), `the question warns: ${page.dialogs.join(" | ")}`);
  await page.locator('[data-testid="login-notice"]').waitFor({ timeout: 5000 });
  check((await sys.ok("GET", `/v1/tenants/${demo.id}/api-keys`, admin)).find((k) => k.id === own.key.id).revoked_at, "the key is revoked");
  check((await page.locator('[data-testid="who"]').count()) === 0, "and no one is signed in");
  check(page.jsErrors.length === 0, `no script errors: ${page.jsErrors.join("; ")}`);
  await context.close();
});

scenario("screenshots of a busy fleet, the calendar and usage", async ({ browser, sys }) => {
  // A second tenant and some leases of both, so the admin's fleet shows tenants apart.
  const admin = await sys.token(sys.adminKey);
  const vision = await sys.ok("POST", "/v1/tenants", admin, { name: "vision", display_name: "Vision team" });
  const vkey = (await sys.ok("POST", `/v1/tenants/${vision.id}/api-keys`, admin, { name: "e2e", role: "member" })).secret;
  const v = await sys.token(vkey);
  const m = await sys.token(sys.memberKey);
  // An instance an admin made by hand on the last H100: drawn hatched, never placed on.
  const lastGpu = (await sys.ok("GET", "/v1/gpus", admin)).find((g) => g.host === "demo-h100" && g.device_index === 3);
  simH100(sys, ["instance", "create", "--gpu", lastGpu.uuid, "--profile", "1g.10gb", "--start", "6"]);
  await waitUntil("the agent to report the hand-made instance", 10_000, async () =>
    (await sys.ok("GET", "/v1/gpus", admin)).find((g) => g.id === lastGpu.id).slices.some((x) => x.unmanaged && x.start === 6),
  );
  const made = [];
  for (const [t, body] of [
    [v, { profile: "3g.40gb", duration: "6h", gpu_models: ["h100-80gb"] }],
    [m, { profile: "1g.10gb", duration: "3h", count: 2, gpu_models: ["h100-80gb"] }],
    [v, { profile: "4g.40gb", duration: "20h", gpu_models: ["h100-80gb"] }],
    [m, { profile: "2g.20gb", duration: "2h", gpu_models: ["h100-80gb"] }],
    [v, { profile: "3g.20gb", duration: "10h", gpu_models: ["a100-40gb"] }],
    [m, { profile: "7g.80gb", duration: "1d", gpu_models: ["h100-80gb"] }],
  ]) {
    made.push([t, (await sys.ok("POST", "/v1/leases", t, body)).id]);
  }
  await waitUntil("the leases to go active", 30_000, async () => {
    for (const [t, id] of made) if ((await sys.ok("GET", `/v1/leases/${id}`, t)).state !== "active") return false;
    return true;
  });
  // Another tenant sees where the demo tenant's slices are, but not their leases or activity.
  for (const g of await sys.ok("GET", "/v1/gpus", v)) {
    for (const s of g.slices.filter((x) => !x.lease_id)) {
      check(s.processes === null && s.last_active_at === null && s.memory_used_mib === null, `another tenant's slice shows no activity: ${JSON.stringify(s)}`);
    }
  }
  const { context, page } = await signIn(browser, sys, sys.adminKey, "admin-2");
  await page.locator('[data-testid="slice-block"]').first().waitFor({ timeout: 5000 });
  const handMade = page.locator(`[data-gpu-id="${lastGpu.id}"] [data-testid="slice-block"].holder-unmanaged[data-start="6"]`);
  await handMade.waitFor({ timeout: 5000 });
  await handMade.focus();
  check((await text(page, '[data-testid="slice-tooltip"]')).includes("made by hand"), "focusing the hand-made slice tells what it is");
  await handMade.blur();
  // Admins see each tenant in its own colour.
  const colours = await page.locator('[data-testid="slice-block"].holder-tenant').evaluateAll((els) => [...new Set(els.map((e) => getComputedStyle(e).backgroundColor))]);
  check(colours.length === 2, `two tenants, two colours: ${colours}`);
  await page.waitForTimeout(2500);
  await shot(page, "fleet-admin");
  await go(page, "Calendar");
  await page.locator(".cal-bar").first().waitFor({ timeout: 5000 });
  await shot(page, "calendar");
  check(page.jsErrors.length === 0, `no script or policy errors: ${page.jsErrors.join("; ")}`);
  await context.close();
  const mem = await signIn(browser, sys, sys.memberKey, "member-3");
  await mem.page.locator('[data-testid="slice-block"]').first().waitFor({ timeout: 5000 });
  await shot(mem.page, "fleet-member-busy");
  // One source failing, as a gateway answers when the server is away (502, an HTML page): its
  // part says the server was not reached (no refusal), and the page keeps what it loaded.
  const largest = mem.page.locator('[data-testid="largest-h100-80gb"]');
  const fitted = await largest.textContent();
  const strips = await mem.page.locator('[data-testid="gpu-strip"]').count();
  let failed = 0;
  await mem.page.route("**/v1/capacity", (route) => {
    failed++;
    return route.fulfill({ status: 502, contentType: "text/html", body: "<html><body><h1>502 Bad Gateway</h1></body></html>" });
  });
  const capacityError = mem.page.locator('[data-testid="error-capacity"]');
  await capacityError.waitFor({ timeout: 5000 });
  const said = await capacityError.textContent();
  check(said === "Free capacity: The server could not be reached (HTTP 502 from a gateway).", `the failed part says why: "${said}"`);
  await waitUntil("a later poll to fail too", 5000, () => failed >= 2);
  check((await largest.textContent()) === fitted, `the free capacity keeps its last good figures: ${await largest.textContent()} vs ${fitted}`);
  check((await mem.page.locator('[data-testid="gpu-strip"]').count()) === strips, "the GPUs stay drawn");
  check((await mem.page.locator('[role="alert"]').count()) === 1, "no other part reports an error");
  await shot(mem.page, "fleet-part-failed");
  await mem.page.unroute("**/v1/capacity");
  await capacityError.waitFor({ state: "detached", timeout: 5000 });
  forget(mem.page.jsErrors, /status of 502/);
  // Readable on a phone: the strips keep their scale, nothing runs off the side.
  await mem.page.setViewportSize({ width: 390, height: 844 });
  const overflow = await mem.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, `the fleet fits a 390 px phone screen (${overflow} px too wide)`);
  await shot(mem.page, "fleet-phone");
  // The calendar's time axis on a phone: fewer, shorter labels that neither overlap nor run off.
  await go(mem.page, "Calendar");
  for (const days of ["1 day", "30 days"]) {
    await mem.page.getByRole("button", { name: days, exact: true }).click();
    const axis = mem.page.locator('[data-testid="cal-axis"]');
    const boxes = await waitUntil(`the ${days} axis`, 3000, async () => {
      const b = await axis.locator("span").evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ left: r.left, right: r.right })));
      return b.length >= 2 ? b : null;
    });
    const track = await axis.boundingBox();
    for (const [i, b] of boxes.entries()) {
      check(b.right <= track.x + track.width + 1, `${days}: tick ${i} stays on the axis (${b.right} > ${track.x + track.width})`);
      if (i) check(b.left >= boxes[i - 1].right, `${days}: ticks ${i - 1} and ${i} do not overlap: ${JSON.stringify(boxes)}`);
    }
    const wide = await mem.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(wide <= 1, `the ${days} calendar fits a 390 px phone screen (${wide} px too wide)`);
  }
  await shot(mem.page, "calendar-phone");
  await mem.page.setViewportSize({ width: 1440, height: 960 });
  await go(mem.page, "Usage");
  await mem.page.locator('[data-testid="usage-chart"] canvas').waitFor({ timeout: 5000 });
  await shot(mem.page, "usage");
  // The right-sizing report under the chart says what the API says about the member's ended
  // 2g.20gb (the first scenario's): as yet too few leases for advice, and how many it needs.
  const day = 86_400_000;
  const report = await sys.ok("GET", `/v1/usage/rightsizing?from=${new Date(Date.now() - 2 * day).toISOString()}&to=${new Date(Date.now() + day).toISOString()}`, m);
  const ended = report.find((r) => r.profile === "2g.20gb");
  check(ended && (ended.recommendation || ended.recommendation_note), `the API reports on the ended 2g.20gb: ${JSON.stringify(report)}`);
  const row = mem.page.locator('[data-testid="rightsizing-row"]', { hasText: "2g.20gb" }).first();
  await row.waitFor({ timeout: 5000 });
  const advice = await row.locator('[data-testid="rightsizing-advice"]').innerText();
  const expected = ended.recommendation ? ended.recommendation.text : ended.recommendation_note;
  check(advice.includes(expected), `the page shows the API's advice: "${advice}" vs "${expected}"`);
  await go(mem.page, "Leases");
  await mem.page.locator('[data-testid="lease-row"]').first().waitFor({ timeout: 5000 });
  await shot(mem.page, "leases-busy");
  check(mem.page.jsErrors.length === 0, `no script or policy errors: ${mem.page.jsErrors.join("; ")}`);
  await mem.context.close();
  // Clean up: a lease may have ended on its own meanwhile (reclaimed idle); that is fine here.
  for (const [t, id] of made) {
    const r = await sys.api("POST", `/v1/leases/${id}/release`, t);
    check(r.status === 200 || (r.status === 409 && /is ended/.test(r.body.detail)), `release ${id}: ${r.status} ${r.text}`);
  }
});

// ---------------------------------------------------------------- runner

async function main() {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  check(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (or set CHROMIUM)`);
  const issuer = new Issuer();
  const sys = new System();
  let failed = 0;
  let ran = 0;
  let browser;
  const t0 = Date.now();
  try {
    await issuer.start();
    await sys.start(issuer);
    console.log(`server, PostgreSQL (${sys.db}) and 2 simulated hosts up in ${((Date.now() - t0) / 1000).toFixed(1)} s at ${sys.url}`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
    });
    const scene = {};
    for (const s of scenarios) {
      if (ONLY && !s.name.includes(ONLY)) continue;
      ran++;
      const start = Date.now();
      try {
        await s.fn({ browser, sys, scene, issuer });
        console.log(`ok   ${s.name} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
      } catch (e) {
        failed++;
        console.log(`FAIL ${s.name}\n     ${e.stack ?? e}`);
        for (const ctx of browser.contexts()) {
          for (const [i, p] of ctx.pages().entries()) {
            await p.screenshot({ path: join(SHOTS, `FAILED-${s.name.slice(0, 40).replace(/\W+/g, "-")}-${i}.png`), fullPage: true }).catch(() => {});
          }
          await ctx.close().catch(() => {});
        }
      }
    }
  } catch (e) {
    failed++;
    ran++;
    console.log(`FAIL setting up: ${e.stack ?? e}`);
    if (sys.output) console.log(sys.output());
  } finally {
    await browser?.close().catch(() => {});
    if (failed && sys.dir) {
      try {
        console.log("--- server log (tail)\n" + readFileSync(join(sys.dir, "server-0.log"), "utf8").split("\n").slice(-40).join("\n"));
      } catch {}
    }
    await sys.stop(failed > 0 && process.env.E2E_KEEP === "1");
    issuer.stop();
  }
  console.log(`${failed ? "FAILED" : "passed"}: ${ran - failed}/${ran} scenarios in ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in ${SHOTS}`);
  process.exit(failed ? 1 : 0);
}

main();
