//! What the agent reads and does on the host outside NVML: signals to processes, their uid and
//! command name from `/proc`, and the machine's hostname.

use crate::backend::BackendError;
use crate::model::Signal;

/// Sends a signal to a host process.
pub fn signal_process(pid: u32, signal: Signal) -> Result<(), BackendError> {
    use rustix::process::{Pid, Signal as Sig, kill_process};
    let raw = i32::try_from(pid).ok().and_then(Pid::from_raw);
    let Some(target) = raw else {
        return Err(BackendError::NoSuchProcess { pid });
    };
    let sig = match signal {
        Signal::Term => Sig::TERM,
        Signal::Kill => Sig::KILL,
    };
    kill_process(target, sig).map_err(|e| {
        if e == rustix::io::Errno::SRCH {
            BackendError::NoSuchProcess { pid }
        } else {
            BackendError::Signal {
                pid,
                source: e.into(),
            }
        }
    })
}

/// The real uid of a process, from `/proc/<pid>/status`.
pub fn process_uid(pid: u32) -> Option<u32> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_status_uid(&status)
}

/// The command name of a process, from `/proc/<pid>/comm`.
pub fn process_command(pid: u32) -> Option<String> {
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
    Some(comm.trim_end().to_owned()).filter(|c| !c.is_empty())
}

/// The machine's hostname: `/proc/sys/kernel/hostname`, else `uname`.
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| {
            rustix::system::uname()
                .nodename()
                .to_string_lossy()
                .into_owned()
        })
}

/// The first (real) uid on the `Uid:` line of a `/proc/<pid>/status` file.
fn parse_status_uid(status: &str) -> Option<u32> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|uid| uid.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_uid_is_the_real_uid() {
        let status = "Name:\tpython\nUmask:\t0022\nUid:\t1001\t0\t1001\t1001\nGid:\t100\n";
        assert_eq!(parse_status_uid(status), Some(1001));
        assert_eq!(parse_status_uid("Name:\tx\n"), None);
    }

    #[test]
    fn own_process_is_readable() {
        let me = std::process::id();
        assert_eq!(process_uid(me), Some(rustix::process::getuid().as_raw()));
        assert!(process_command(me).is_some());
    }

    #[test]
    fn the_hostname_is_the_kernels() {
        let uname = rustix::system::uname();
        assert_eq!(hostname(), uname.nodename().to_string_lossy());
    }

    #[test]
    fn signalling_a_missing_process_says_so() {
        // Pids above the kernel's pid_max (at most 2^22) never exist.
        let err = signal_process(5_000_000, Signal::Term).unwrap_err();
        assert!(
            matches!(err, BackendError::NoSuchProcess { pid: 5_000_000 }),
            "{err}"
        );
    }
}
