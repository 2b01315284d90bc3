//! The command line: every command, option and help text, and the exit codes in `--help`.

use crate::error::EXIT_CODES_HELP;
use crate::output::Format;
use crate::parse::{self, Limit};
use clap::error::ErrorKind;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use slicebroker_types::limits;

const ABOUT: &str = "Lease NVIDIA MIG slices from a slicebroker server, and run its fleet";

const LONG_ABOUT: &str = "\
Lease NVIDIA MIG slices from a slicebroker server, and run its fleet.

Start with `slicectl login --server http://HOST:8080` (the API key is read from a prompt or
stdin), then `slicectl lease create 2g.20gb --for 8h --wait` and
`eval \"$(slicectl lease env ID)\"`. For an https server signed by a private CA, give the CA
with --ca-file (login keeps it in the profile).

Book ahead when you know when you need the slice: `slicectl lease create 3g.40gb --at
\"2026-11-24 09:00\" --for 8h` (UTC, or RFC 3339 with an offset; at most 30 days ahead)
guarantees a 3g.40gb from 09:00 to 17:00. The lease shows `booked` until shortly before 09:00,
then comes up like any other; `slicectl lease release ID` before then cancels it and costs
nothing.";

const CALENDAR_HELP: &str = "\
Times are UTC, shown to the minute; where a calendar has a time that is not on a whole minute
(a lease ends at 16:39:12), its times are shown to the second, so every interval is told apart
and each start can be booked as shown. The earliest start (--for) is the server's, exact: give
it to `lease create --at` as printed, weekday and all:

  slicectl calendar 3g.40gb --model h100-80gb --for 8h
  slicectl lease create 3g.40gb --model h100-80gb --for 8h --at \"Tue 2026-11-24 16:49:50\"";

#[derive(Debug, Parser)]
#[command(
    name = "slicectl",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = EXIT_CODES_HELP,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes. The environment variables are read after parsing
/// ([`Global::with_env`]), not by clap: clap counts an option set from the environment as given,
/// and would print it in every usage line of an error (`--profile <NAME>` beside a lease's
/// `<PROFILE>`).
#[derive(Clone, Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// The server, `http(s)://host[:port]` (default: SLICEBROKER_URL, else the profile's).
    #[arg(long, global = true, value_name = "URL")]
    pub server: Option<String>,
    /// CA certificates (PEM) to trust for an https server, besides the system's (default:
    /// SLICEBROKER_CA_FILE, else the profile's, as `login` kept it).
    #[arg(long, global = true, value_name = "FILE")]
    pub ca_file: Option<std::path::PathBuf>,
    /// Which saved login (a profile of the config file, not a MIG profile) to use (default:
    /// SLICEBROKER_PROFILE, else the current one, else `default`).
    #[arg(long, global = true, value_name = "LOGIN")]
    pub profile: Option<String>,
    /// `table` for people, `json` for scripts (the API's own shapes).
    #[arg(short, long, global = true, value_enum, default_value_t = Format::Table)]
    pub output: Format,
    /// Show each request, and the whole answer when the server refuses one.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

impl Global {
    /// The options not given on the command line taken from the environment (`var` reads one;
    /// an empty value counts as unset): `SLICEBROKER_URL`, `SLICEBROKER_CA_FILE`,
    /// `SLICEBROKER_PROFILE`.
    pub fn with_env(mut self, var: impl Fn(&str) -> Option<String>) -> Self {
        let var = |name: &str| var(name).filter(|v| !v.is_empty());
        self.server = self.server.or_else(|| var("SLICEBROKER_URL"));
        self.ca_file = self
            .ca_file
            .or_else(|| var("SLICEBROKER_CA_FILE").map(Into::into));
        self.profile = self.profile.or_else(|| var("SLICEBROKER_PROFILE"));
        self
    }
}

impl Cli {
    /// Parses a command line (`args[0]` is the program) as clap does, then checks what clap
    /// cannot say clearly itself. A usage error exits 2 either way.
    pub fn try_parse_args<I, T>(args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let cli = Self::try_parse_from(args)?;
        cli.check()?;
        Ok(cli)
    }

    fn check(&self) -> Result<(), clap::Error> {
        if let Command::Lease(LeaseCommand::Create(c)) = &self.command
            && c.compute.is_some()
            && c.memory.is_none()
        {
            // Not clap's `requires`: it would list `--memory` beside `<PROFILE>` as missing,
            // without saying that `--compute` is what needs it.
            return Err(subcommand_error(
                &["lease", "create"],
                ErrorKind::MissingRequiredArgument,
                "--compute needs --memory: `--memory 20GiB --compute 2` leases the smallest \
                 profile with at least 20GiB and 2 compute slices",
            ));
        }
        Ok(())
    }
}

/// A usage error of the subcommand at `path`, with its usage line.
fn subcommand_error(path: &[&str], kind: ErrorKind, message: &str) -> clap::Error {
    let mut cli = Cli::command();
    cli.build();
    let mut cmd = &mut cli;
    for name in path {
        cmd = cmd
            .find_subcommand_mut(name)
            .expect("the subcommand exists");
    }
    cmd.error(kind, message)
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log in: exchange an API key (from a prompt or stdin) for a token, kept in the profile.
    Login,
    /// Lease MIG slices, use them, extend and release them.
    #[command(subcommand)]
    Lease(LeaseCommand),
    /// What can be leased right now, per GPU model and profile.
    Capacity(CapacityArgs),
    /// When a profile can be booked ahead, per GPU model: a timeline of how many fit.
    #[command(after_help = CALENDAR_HELP)]
    Calendar(CalendarArgs),
    /// Slice-hours per tenant, model, profile and day (default: this month).
    Usage(UsageArgs),
    /// What ended leases really used against their profiles, per tenant, class, model and
    /// profile, with a smaller profile where the evidence is strong (default: this month).
    Rightsizing(RightsizingArgs),
    /// The slice classes you may use (`lease create --class NAME`); admins see every class.
    Classes,
    /// Each GPU's memory slices as a bar, coloured by lease (or tenant, for admins).
    Fleet(FleetArgs),
    /// The GPU hosts.
    Hosts,
    /// The GPUs, with their layout.
    Gpus,
    /// Tenants and their quotas and policy (admin; `tenant show` also your own tenant).
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// A tenant's API keys (admin or tenant-admin).
    #[command(subcommand)]
    Key(KeyCommand),
    /// An enrollment token for a new GPU host's agent (admin).
    Enroll(EnrollArgs),
    /// Stop placing new leases on a host or GPU (admin); its leases stay.
    Cordon(TargetArgs),
    /// Place leases on a cordoned host or GPU again (admin).
    Uncordon(TargetArgs),
    /// Remove a drained host for good (admin): refused while any slice is still on it. Its
    /// agent's credential stops working; enrolling it again brings it back.
    RemoveHost {
        /// The host's name or id.
        host: String,
    },
    /// Who changed what (admin), newest first: cordons, host removals, tenants and their
    /// policy, keys, webhooks, classes, rates, enrollment tokens.
    Audit(AuditArgs),
    /// Print a completion script: `slicectl completions bash > /etc/bash_completion.d/slicectl`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum LeaseCommand {
    /// Lease slices of a class (`--class notebook`, see `slicectl classes`), of one profile
    /// (`2g.20gb`, `3g`), or the smallest with `--memory`.
    #[command(after_help = "Examples:
  slicectl lease create --class notebook --wait
  slicectl lease create 1g.10gb --class notebook --for 2h
  slicectl lease create 2g.20gb --for 8h --wait
  slicectl lease create 3g --for 2h --model h100-80gb --count 2 --label team=vision
  slicectl lease create --memory 20GiB --compute 2 --for 1h")]
    Create(CreateArgs),
    /// List leases (admins: every tenant's).
    #[command(visible_alias = "list")]
    Ls(ListArgs),
    /// A lease's state, times and slices.
    Show(LeaseId),
    /// Move a lease's end later.
    Extend(ExtendArgs),
    /// Give a lease's slices back now.
    Release(LeaseId),
    /// A lease's history.
    Events(LeaseId),
    /// Print `export CUDA_VISIBLE_DEVICES=MIG-…` for an active lease: `eval "$(slicectl lease env ID)"`.
    Env(LeaseId),
    /// End any tenant's lease (admin).
    Revoke(LeaseId),
}

#[derive(Debug, Args)]
pub struct LeaseId {
    /// The lease's id.
    pub id: slicebroker_types::LeaseId,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// A profile name (`2g.20gb`) or compute size (`3g`); or give --memory or --class instead.
    /// With --class: a profile no larger than the class gives.
    // Its own id: `profile` is the global --profile's.
    #[arg(
        id = "slice_profile",
        value_name = "PROFILE",
        value_parser = parse::profile,
        required_unless_present_any = ["memory", "class", "compute"],
        conflicts_with = "memory"
    )]
    pub profile: Option<String>,
    /// A slice class (`slicectl classes`): its profile, duration, idle timeout and priority,
    /// which the other options may only narrow.
    #[arg(long, value_name = "CLASS")]
    pub class: Option<String>,
    /// How long: `8h`, `1h30m`, `2d`, `PT8H` (with --class: at most the class's longest;
    /// default the class's).
    #[arg(long = "for", value_name = "DURATION", value_parser = parse::seconds,
          required_unless_present = "class")]
    pub duration: Option<i64>,
    /// The smallest profile with at least this much memory (at most 4096GiB): `20GiB`.
    #[arg(long, value_name = "SIZE", value_parser = parse::gib)]
    pub memory: Option<u32>,
    /// With --memory: at least this many compute slices, 1 to 8.
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u8).range(1..=i64::from(limits::MAX_MIN_COMPUTE_SLICES)))]
    pub compute: Option<u8>,
    /// Only this GPU model (repeat for several): `h100-80gb`.
    #[arg(long = "model", value_name = "MODEL", value_parser = parse::model)]
    pub models: Vec<String>,
    /// How many slices, 1 to 64, granted all or none.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(limits::MAX_COUNT)))]
    pub count: u32,
    /// Reclaim the slices after they sit idle this long (at most the tenant's default).
    #[arg(long, value_name = "DURATION", value_parser = parse::seconds)]
    pub idle_timeout: Option<i64>,
    /// A label `key=value` (repeat for several).
    #[arg(long = "label", value_name = "KEY=VALUE", value_parser = parse::label)]
    pub labels: Vec<(String, String)>,
    /// Queue if nothing fits now, and wait until the slices are ready.
    #[arg(long)]
    pub wait: bool,
    /// With --wait: give up waiting after this long (the lease stays).
    #[arg(long, value_name = "DURATION", value_parser = parse::seconds, default_value = "10m", requires = "wait")]
    pub timeout: i64,
    /// Place in the queue, -100 to 100: higher is served first.
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(i32).range(-100..=100))]
    pub priority: Option<i32>,
    /// Book ahead: start then (RFC 3339, or `YYYY-MM-DD HH:MM[:SS]` in UTC, also as
    /// `calendar` prints it: `Tue 2026-11-24 16:49:50`), at most 30 days ahead.
    /// The slices are guaranteed from then for --for; the lease is `booked` until shortly
    /// before, and can be released (cancelled) until it starts.
    #[arg(long, value_name = "TIME", value_parser = parse::start, conflicts_with = "wait")]
    pub at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only leases in this state.
    #[arg(long, value_name = "STATE", value_parser = parse::lease_state())]
    pub state: Option<slicebroker_types::api::LeaseState>,
    /// Only leases with this label, `key=value`.
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse::label)]
    pub label: Option<(String, String)>,
    /// Admins: only this tenant's leases (id or name).
    #[arg(long)]
    pub tenant: Option<String>,
    /// Also show ended leases.
    #[arg(short, long)]
    pub all: bool,
    /// At most this many leases, 1 or more (every page is fetched, so it may be more than the
    /// API's 500 a page).
    #[arg(long, value_name = "N", default_value_t = 500, value_parser = parse::list_limit)]
    pub limit: usize,
}

#[derive(Debug, Args)]
pub struct ExtendArgs {
    /// The lease's id.
    pub id: slicebroker_types::LeaseId,
    /// Time to add: `2h`.
    #[arg(long, value_name = "DURATION", value_parser = parse::seconds)]
    pub by: i64,
}

#[derive(Debug, Args)]
pub struct CapacityArgs {
    /// Only this GPU model.
    #[arg(long, value_parser = parse::model)]
    pub model: Option<String>,
    /// Also list profiles of which nothing fits now.
    #[arg(short, long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct CalendarArgs {
    /// The profile to book (`3g.40gb`).
    // Its own id: `profile` is the global --profile's.
    #[arg(id = "slice_profile", value_name = "PROFILE")]
    pub profile: String,
    /// How many days ahead to show, 1 to 31.
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=31))]
    pub days: u32,
    /// Also say when a booking this long can start at the earliest: `8h`. That start is
    /// exact, to the second: copy it to `lease create --at` as printed.
    #[arg(long = "for", value_name = "DURATION", value_parser = parse::seconds)]
    pub duration: Option<i64>,
    /// Only this GPU model.
    #[arg(long, value_parser = parse::model)]
    pub model: Option<String>,
}

#[derive(Debug, Args)]
pub struct UsageArgs {
    /// Start: a date (`2026-05-01`) or RFC 3339 time (default: the 1st of this month, UTC).
    #[arg(long, value_parser = parse::instant)]
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    /// End, exclusive (default: now).
    #[arg(long, value_parser = parse::instant)]
    pub to: Option<chrono::DateTime<chrono::Utc>>,
    /// Only this tenant (id or name): any, for admins; a tenant's keys see only their own.
    #[arg(long)]
    pub tenant: Option<String>,
    /// Print the server's CSV export (one line per tenant, day, model and profile) instead of
    /// a table.
    #[arg(long)]
    pub csv: bool,
}

#[derive(Debug, Args)]
pub struct RightsizingArgs {
    /// Leases that ended from: a date (`2026-05-01`) or RFC 3339 time (default: the 1st of
    /// this month, UTC).
    #[arg(long, value_parser = parse::instant)]
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    /// Until, exclusive (default: now).
    #[arg(long, value_parser = parse::instant)]
    pub to: Option<chrono::DateTime<chrono::Utc>>,
    /// Only this tenant (id or name): any, for admins; a tenant's keys see only their own.
    #[arg(long)]
    pub tenant: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorBy {
    Lease,
    Tenant,
}

#[derive(Debug, Args)]
pub struct FleetArgs {
    /// What each letter stands for (default: tenant for admins, else lease).
    #[arg(long, value_enum)]
    pub by: Option<ColorBy>,
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant; policy options not given take the defaults.
    Create {
        /// Lower-case, DNS-label style: `ml-vision`.
        name: String,
        #[arg(long)]
        display_name: Option<String>,
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// List tenants.
    #[command(visible_alias = "list")]
    Ls,
    /// A tenant and its policy.
    Show {
        /// Id or name.
        tenant: String,
    },
    /// Change a tenant's quotas and policy; options not given stay as they are.
    #[command(after_help = "Examples:
  slicectl tenant set ml-vision --max-compute-slices 14 --max-leases none
  slicectl tenant set ml-vision --models h100-80gb,a100-40gb --max-lease 2d")]
    Set {
        /// Id or name.
        tenant: String,
        #[arg(long)]
        display_name: Option<String>,
        #[command(flatten)]
        policy: PolicyArgs,
    },
}

/// Quota and policy options, one for each field of the API's `TenantPolicy`, with its bounds;
/// `none` lifts a limit.
#[derive(Clone, Debug, Default, Args)]
pub struct PolicyArgs {
    /// Most compute slices live leases may hold together, 0 to 10,000,000, or `none`.
    #[arg(long, value_name = "N", value_parser = parse::quota_limit)]
    pub max_compute_slices: Option<Limit<i32>>,
    /// Most memory live leases may hold together, in whole GiB (`80GiB`, `0`), or `none`.
    #[arg(long, value_name = "SIZE", value_parser = parse::gib_limit)]
    pub max_memory: Option<Limit<i32>>,
    /// Most live leases at once, 0 to 10,000,000, or `none`.
    #[arg(long, value_name = "N", value_parser = parse::quota_limit)]
    pub max_leases: Option<Limit<i32>>,
    /// Longest lease, up to 366d: `7d`.
    #[arg(long, value_name = "DURATION", value_parser = parse::seconds)]
    pub max_lease: Option<i64>,
    /// Most time all extensions of one lease may add, up to 366d: `7d`; `0` for no extensions.
    #[arg(long, value_name = "DURATION", value_parser = parse::extension_total)]
    pub max_extension: Option<i64>,
    /// Idle timeout of leases that ask for none, up to 366d: `2h`.
    #[arg(long, value_name = "DURATION", value_parser = parse::seconds)]
    pub default_idle_timeout: Option<i64>,
    /// GPU models allowed, comma-separated (at most 32), or `any`.
    #[arg(long, value_name = "MODELS", value_parser = parse::models)]
    pub models: Option<parse::Models>,
    /// Most compute-slice-hours per calendar month, 0 to 1,000,000,000, or `none`.
    #[arg(long, value_name = "HOURS", value_parser = parse::budget_limit)]
    pub monthly_budget: Option<Limit<i64>>,
    /// The largest profile, in compute slices (0-8), a lease not from a slice class may get,
    /// or `none`: `4` keeps 7g profiles to the classes that give them; `0` makes every lease
    /// name a class.
    #[arg(long, value_name = "N", value_parser = parse::outside_classes_limit)]
    pub max_compute_slices_outside_classes: Option<Limit<i32>>,
    /// Furthest ahead a booking (`lease create --at`) may start, up to 30d; `0` for no
    /// bookings.
    #[arg(long, value_name = "DURATION", value_parser = parse::booking_ahead)]
    pub max_booking_ahead: Option<i64>,
    /// Most bookings not yet started at once, 0 to 10,000,000, or `none`.
    #[arg(long, value_name = "N", value_parser = parse::quota_limit)]
    pub max_bookings: Option<Limit<i32>>,
    /// Longest booking, up to 366d, or `none` for the longest lease's (--max-lease).
    #[arg(long, value_name = "DURATION", value_parser = parse::booking_limit)]
    pub max_booking: Option<Limit<i64>>,
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create an API key; its secret is shown this once.
    Create {
        /// What it is for: `ci`, `alice's laptop`.
        name: String,
        #[arg(long, value_enum, default_value_t = KeyRole::Member)]
        role: KeyRole,
        /// The tenant (id or name; default: your own).
        #[arg(long)]
        tenant: Option<String>,
    },
    /// List a tenant's keys (an admin without --tenant: the admin keys).
    #[command(visible_alias = "list")]
    Ls {
        /// The tenant (id or name; default: your own, or for an admin the admin keys).
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Revoke a key: it gets no new tokens, and the tokens it already has are refused (an
    /// admin without --tenant: an admin key; the last one cannot be revoked).
    Revoke {
        /// The key's id.
        id: slicebroker_types::ApiKeyId,
        /// The tenant (id or name; default: your own, or for an admin the admin keys).
        #[arg(long)]
        tenant: Option<String>,
    },
}

/// The roles a tenant's key can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KeyRole {
    TenantAdmin,
    Member,
    Viewer,
}

#[derive(Debug, Args)]
pub struct EnrollArgs {
    /// A note for admins: `rack 12, node 3`.
    #[arg(long, default_value = "")]
    pub note: String,
    /// How long the token can be used (default 24h, at most 30d).
    #[arg(long, value_name = "DURATION", value_parser = parse::enrollment_ttl)]
    pub ttl: Option<i64>,
    /// List the enrollment tokens instead.
    #[arg(long, conflicts_with_all = ["note", "ttl"])]
    pub list: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TargetKind {
    Host,
    Gpu,
}

#[derive(Debug, Args)]
pub struct TargetArgs {
    #[arg(value_enum)]
    pub kind: TargetKind,
    /// A host's name or id; a GPU's id, `GPU-…` uuid or `HOST:INDEX`.
    pub target: String,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only changes to this kind of object.
    #[arg(value_enum)]
    pub kind: Option<AuditKind>,
    /// Only changes to this object: a host's name or id; a GPU's id, `GPU-…` uuid or
    /// `HOST:INDEX`; a tenant's name or id; a class's name; any other object's id.
    #[arg(requires = "kind")]
    pub target: Option<String>,
    /// At most this many entries, the newest (every page is fetched, so it may be more than
    /// the API's 500 a page).
    #[arg(long, value_name = "N", default_value_t = 50, value_parser = parse::list_limit)]
    pub limit: usize,
}

/// The kinds of object the audit log records (the API's `target_kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AuditKind {
    Host,
    Gpu,
    Tenant,
    ApiKey,
    Webhook,
    WebhookDelivery,
    Class,
    Rates,
    EnrollmentToken,
}

impl From<AuditKind> for slicebroker_types::api::AuditTargetKind {
    fn from(k: AuditKind) -> Self {
        use slicebroker_types::api::AuditTargetKind as T;
        match k {
            AuditKind::Host => T::Host,
            AuditKind::Gpu => T::Gpu,
            AuditKind::Tenant => T::Tenant,
            AuditKind::ApiKey => T::ApiKey,
            AuditKind::Webhook => T::Webhook,
            AuditKind::WebhookDelivery => T::WebhookDelivery,
            AuditKind::Class => T::Class,
            AuditKind::Rates => T::Rates,
            AuditKind::EnrollmentToken => T::EnrollmentToken,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn usage_errors_exit_with_2() {
        for args in [
            &["slicectl", "lease", "create", "2g.20gb"][..],
            &["slicectl", "lease", "create", "2g.20gb", "--for", "8 hours"],
            &["slicectl", "lease", "create", "banana", "--for", "8h"],
            &[
                "slicectl",
                "lease",
                "create",
                "--for",
                "8h",
                "--compute",
                "2",
            ],
            &["slicectl", "lease", "show", "not-a-uuid"],
            &["slicectl", "frobnicate"],
            // The API's bounds, checked before anything is sent.
            &[
                "slicectl", "lease", "create", "1g", "--for", "1h", "--count", "0",
            ],
            &[
                "slicectl", "lease", "create", "1g", "--for", "1h", "--count", "65",
            ],
            &[
                "slicectl",
                "lease",
                "create",
                "1g",
                "--for",
                "1h",
                "--priority",
                "200",
            ],
            &["slicectl", "lease", "create", "1g", "--for", "367d"],
            &["slicectl", "enroll", "--ttl", "31d"],
            &["slicectl", "enroll", "--ttl", "0s"],
            &["slicectl", "tenant", "set", "t", "--max-leases", "10000001"],
            &[
                "slicectl",
                "tenant",
                "set",
                "t",
                "--max-booking-ahead",
                "31d",
            ],
            &[
                "slicectl",
                "tenant",
                "set",
                "t",
                "--max-compute-slices-outside-classes",
                "9",
            ],
        ] {
            let e = Cli::try_parse_args(args).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{args:?}: {e}");
        }
        for args in [
            &[
                "slicectl", "lease", "create", "1g", "--for", "1h", "--count", "64",
            ][..],
            &["slicectl", "enroll", "--ttl", "30d"],
            &["slicectl", "tenant", "set", "t", "--max-extension", "0s"],
            &["slicectl", "tenant", "set", "t", "--max-booking-ahead", "0"],
            &[
                "slicectl",
                "tenant",
                "create",
                "t",
                "--max-bookings",
                "0",
                "--max-booking",
                "8h",
            ],
        ] {
            Cli::try_parse_args(args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        }
    }

    #[test]
    fn compute_without_memory_says_compute_needs_memory() {
        for args in [
            &[
                "slicectl",
                "lease",
                "create",
                "--for",
                "1h",
                "--compute",
                "2",
            ][..],
            &[
                "slicectl",
                "lease",
                "create",
                "2g.20gb",
                "--for",
                "1h",
                "--compute",
                "2",
            ],
        ] {
            let e = Cli::try_parse_args(args).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{e}");
            let text = e.to_string();
            assert!(text.contains("--compute needs --memory"), "{text}");
            assert!(
                !text.contains("<PROFILE>\n"),
                "not a missing profile: {text}"
            );
            assert!(text.contains("Usage: slicectl lease create"), "{text}");
        }
    }

    #[test]
    fn the_login_profile_is_named_login_in_help_and_never_in_usage_unasked() {
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("--profile <LOGIN>"), "{help}");
        // The environment is read after parsing, so a usage error's usage line shows only
        // what was typed and what is required.
        let e = Cli::try_parse_args(["slicectl", "lease", "create", "2g.20gb"]).unwrap_err();
        let text = e.to_string();
        assert!(!text.contains("--profile"), "{text}");
        assert!(text.contains("--for <DURATION>"), "{text}");
    }

    #[test]
    fn global_options_come_from_the_environment_when_not_given() {
        let env = |name: &str| match name {
            "SLICEBROKER_URL" => Some("http://env:8080".to_owned()),
            "SLICEBROKER_PROFILE" => Some("lab".to_owned()),
            "SLICEBROKER_CA_FILE" => Some(String::new()),
            _ => None,
        };
        let cli = Cli::try_parse_args(["slicectl", "hosts"]).unwrap();
        let g = cli.global.with_env(env);
        assert_eq!(g.server.as_deref(), Some("http://env:8080"));
        assert_eq!(g.profile.as_deref(), Some("lab"));
        assert_eq!(g.ca_file, None, "an empty variable is unset");
        let cli = Cli::try_parse_args([
            "slicectl",
            "hosts",
            "--profile",
            "prod",
            "--server",
            "http://a",
        ])
        .unwrap();
        let g = cli.global.with_env(env);
        assert_eq!(
            (g.profile.as_deref(), g.server.as_deref()),
            (Some("prod"), Some("http://a"))
        );
    }

    #[test]
    fn a_create_by_need_parses() {
        let cli = Cli::try_parse_from([
            "slicectl",
            "lease",
            "create",
            "--memory",
            "20GiB",
            "--compute",
            "2",
            "--for",
            "1h30m",
            "--label",
            "team=vision",
            "-o",
            "json",
        ])
        .unwrap();
        let Command::Lease(LeaseCommand::Create(c)) = cli.command else {
            panic!("not a create");
        };
        assert_eq!(
            (c.memory, c.compute, c.duration),
            (Some(20), Some(2), Some(5400))
        );
        assert_eq!(c.labels, [("team".to_owned(), "vision".to_owned())]);
        assert_eq!(cli.global.output, Format::Json);
    }

    #[test]
    fn the_slice_profile_is_not_the_login_profile() {
        let cli = Cli::try_parse_from([
            "slicectl",
            "lease",
            "create",
            "2g.20gb",
            "--for",
            "8h",
            "--profile",
            "lab",
        ])
        .unwrap();
        assert_eq!(cli.global.profile.as_deref(), Some("lab"));
        let Command::Lease(LeaseCommand::Create(c)) = cli.command else {
            panic!("not a create");
        };
        assert_eq!(c.profile.as_deref(), Some("2g.20gb"));
    }

    #[test]
    fn a_list_limit_of_0_is_a_usage_error_naming_the_flag() {
        let e = Cli::try_parse_from(["slicectl", "lease", "ls", "--limit", "0"]).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{e}");
        let text = e.to_string();
        assert!(
            text.contains("--limit") && text.contains("at least 1"),
            "{text}"
        );
        let cli = Cli::try_parse_from(["slicectl", "lease", "ls", "--limit", "1"]).unwrap();
        let Command::Lease(LeaseCommand::Ls(a)) = cli.command else {
            panic!("not a list");
        };
        assert_eq!(a.limit, 1);
    }

    #[test]
    fn lease_ls_takes_and_lists_every_state() {
        use slicebroker_types::api::LeaseState;
        let mut cmd = Cli::command();
        let help = cmd
            .find_subcommand_mut("lease")
            .and_then(|l| l.find_subcommand_mut("ls"))
            .unwrap()
            .render_long_help()
            .to_string();
        for state in LeaseState::ALL {
            assert!(help.contains(state.as_str()), "{state} missing:\n{help}");
            let cli = Cli::try_parse_from(["slicectl", "lease", "ls", "--state", state.as_str()])
                .unwrap();
            let Command::Lease(LeaseCommand::Ls(a)) = cli.command else {
                panic!("not a list");
            };
            assert_eq!(a.state, Some(state));
        }
        let e = Cli::try_parse_from(["slicectl", "lease", "ls", "--state", "done"]).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{e}");
        assert!(e.to_string().contains("booked"), "{e}");
    }

    #[test]
    fn the_help_documents_the_exit_codes() {
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("3  no capacity"), "{help}");
        assert!(help.contains("4  refused by the tenant's quota"), "{help}");
    }
}
