// The shell: the login page until signed in, then the navigation and the page the path names.
import type { ComponentChildren } from "preact";
import { logout, type Session, useSession } from "./session";
import { onLinkClick, usePath } from "./router";
import { Login } from "./pages/Login";
import { Fleet } from "./pages/Fleet";
import { RequestSlice } from "./pages/Request";
import { Leases, useTenant } from "./pages/Leases";
import { LeasePage } from "./pages/Lease";
import { Admin } from "./pages/Admin";
import { Usage } from "./pages/Usage";
import { Calendar } from "./pages/Calendar";
import { can } from "./session";
import { CALLBACK_PATH, handleCallback } from "./sso";
import { useEffect } from "preact/hooks";

interface NavItem {
  href: string;
  label: string;
  show: (s: Session) => boolean;
}

const NAV: NavItem[] = [
  { href: "/", label: "Fleet", show: () => true },
  { href: "/request", label: "Request a slice", show: (s) => can.lease(s.claims.role) },
  { href: "/leases", label: "Leases", show: () => true },
  { href: "/calendar", label: "Calendar", show: () => true },
  { href: "/usage", label: "Usage", show: () => true },
  { href: "/admin", label: "Admin", show: (s) => can.manageKeys(s.claims.role) },
];

function page(path: string, s: Session): ComponentChildren {
  const lease = /^\/leases\/([0-9a-f-]{36})$/.exec(path);
  if (lease) return <LeasePage id={lease[1]!} session={s} />;
  switch (path) {
    case "/":
      return <Fleet session={s} />;
    case "/request":
      return <RequestSlice session={s} />;
    case "/leases":
      return <Leases session={s} />;
    case "/calendar":
      return <Calendar session={s} />;
    case "/usage":
      return <Usage session={s} />;
    case "/admin":
      return can.manageKeys(s.claims.role) ? <Admin session={s} /> : <NotAllowed />;
    default:
      return (
        <section>
          <h1>Not found</h1>
          <p>
            There is no page at <code>{path}</code>. <a href="/" onClick={onLinkClick}>Go to the fleet</a>.
          </p>
        </section>
      );
  }
}

function NotAllowed() {
  return (
    <section>
      <h1>Not allowed</h1>
      <p>Your key's role cannot administer tenants or the fleet.</p>
    </section>
  );
}

let callbackStarted = false;

/** The issuer sent the browser back here with a code (or an error): finish signing in. */
function SsoCallback() {
  useEffect(() => {
    if (callbackStarted) return;
    callbackStarted = true;
    handleCallback().finally(() => (callbackStarted = false));
  }, []);
  return (
    <main class="container login">
      <article aria-busy="true">Signing you in…</article>
    </main>
  );
}

export function App() {
  const session = useSession();
  const path = usePath();
  if (!session) return path === CALLBACK_PATH ? <SsoCallback /> : <Login />;
  return <Shell session={session} path={path} />;
}

/** The tenant's name (`GET /v1/tenants/{id}`; members may read their own), else its short id. */
function TenantName({ session }: { session: Session }) {
  const { data } = useTenant(session);
  const id = session.claims.tenant;
  if (!id) return null;
  return (
    <small data-testid="who-tenant" title={id}>
      {" "}
      tenant {data ? data.display_name || data.name : id.slice(0, 8)}
    </small>
  );
}

function Shell({ session, path }: { session: Session; path: string }) {
  const { role } = session.claims;
  return (
    <>
      <header class="container-fluid topbar">
        <nav aria-label="Main">
          <ul>
            <li>
              <a href="/" onClick={onLinkClick} class="brand">
                <strong>slicebroker</strong>
              </a>
            </li>
          </ul>
          <ul class="links">
            {NAV.filter((n) => n.show(session)).map((n) => (
              <li key={n.href}>
                <a
                  href={n.href}
                  onClick={onLinkClick}
                  aria-current={
                    path === n.href || (n.href !== "/" && path.startsWith(n.href + "/")) ? "page" : undefined
                  }
                >
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
          <ul>
            <li>
              <span class="who" data-testid="who">
                <span class={`role role-${role}`}>{role}</span>
                <TenantName session={session} />
              </span>
            </li>
            <li>
              <button type="button" class="secondary outline small" onClick={() => logout()}>
                Sign out
              </button>
            </li>
          </ul>
        </nav>
      </header>
      <main class="container-fluid">{page(path, session)}</main>
    </>
  );
}
