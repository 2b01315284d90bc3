//! XIDs the NVIDIA driver logged while no agent ran. NVML hands an XID event only to a process
//! registered for it at that moment, so an XID raised while the agent was stopped, crashed or
//! restarting never reaches the event set. The driver also logs every XID to the kernel log:
//!
//! ```text
//! NVRM: Xid (PCI:0000:3b:00): 79, pid=1234, name=python, GPU has fallen off the bus.
//! NVRM: Xid (PCI:0000:3b:00 GPU-I:02 GPU-CI:00): 43, pid=..., name=..., ...   (MIG)
//! ```
//!
//! (`src/nvidia/src/kernel/gpu/rc/kernel_rc.c` in NVIDIA's open kernel modules: the PCI domain,
//! bus and device, then the GPU and compute instance where the driver attributes the XID to
//! one.) The agent reads `/dev/kmsg`, whose records are numbered (`seq`) from each boot, and
//! keeps in its checkpoint how far it has accounted for them ([`Mark`]). On its first pass,
//! just before NVML's event set is registered, it takes the Xid records after the mark (the
//! whole log after a reboot) as XIDs NVML did not deliver, except those the run before had
//! from NVML. From then on each pass reads the records that came in, after its health
//! readings, and `crate::xid_ledger` matches them with what NVML delivered: a record NVML
//! did not deliver (raised just before the event set was registered) is reported, and none
//! is counted twice.

use serde::{Deserialize, Serialize};
use slicebroker_types::agent::XidEvent;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, ErrorKind};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Where the kernel log is read from by default, and the file naming this boot.
pub const KMSG: &str = "/dev/kmsg";
pub const BOOT_ID: &str = "/proc/sys/kernel/random/boot_id";

/// A GPU's PCI address as the driver prints it: domain, bus, device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PciAddress {
    pub domain: u32,
    pub bus: u8,
    pub device: u8,
}

impl std::fmt::Display for PciAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:04x}:{:02x}:{:02x}",
            self.domain, self.bus, self.device
        )
    }
}

/// How far this boot's kernel log has been accounted for: every Xid record numbered `seq` or
/// lower has reached the agent (from NVML or from the log).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub boot_id: String,
    pub seq: u64,
}

/// One Xid record of the kernel log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedXid {
    pub seq: u64,
    pub pci: PciAddress,
    pub xid: XidEvent,
}

/// A record's number and, for a driver's Xid line, what it says. `None` for what is not a
/// record (a continuation line, which starts with a space, or anything malformed).
pub fn parse_record(line: &str) -> Option<(u64, Option<(PciAddress, XidEvent)>)> {
    // `priority,seq,timestamp,flags[,more];message`
    let (prefix, message) = line.split_once(';')?;
    let seq = prefix.split(',').nth(1)?.parse().ok()?;
    Some((seq, parse_xid(message.trim_end())))
}

/// The PCI address and XID of a driver's Xid line.
pub fn parse_xid(message: &str) -> Option<(PciAddress, XidEvent)> {
    let rest = message.strip_prefix("NVRM: Xid (PCI:")?;
    let (inside, after) = rest.split_once("): ")?;
    let mut words = inside.split(' ');
    let mut pci = words.next()?.split(':');
    let address = PciAddress {
        domain: u32::from_str_radix(pci.next()?, 16).ok()?,
        bus: u8::from_str_radix(pci.next()?, 16).ok()?,
        device: u8::from_str_radix(pci.next()?, 16).ok()?,
    };
    if pci.next().is_some() {
        return None;
    }
    let (mut gpu_instance_id, mut compute_instance_id) = (None, None);
    for word in words {
        let (key, value) = word.split_once(':')?;
        let value = value.parse().ok()?;
        match key {
            "GPU-I" => gpu_instance_id = Some(value),
            "GPU-CI" => compute_instance_id = Some(value),
            _ => return None,
        }
    }
    let digits = after
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(after.len());
    let xid = after[..digits].parse().ok()?;
    Some((
        address,
        XidEvent {
            xid,
            gpu_instance_id,
            compute_instance_id,
            seq: None,
        },
    ))
}

/// What a first read found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Recovered {
    /// The Xid records after the mark, oldest first.
    pub xids: Vec<LoggedXid>,
    /// Records after the mark the log no longer holds (it wrapped, or records were overwritten
    /// while being read): how many, where known.
    pub lost: u64,
}

/// The kernel log, read without waiting: `/dev/kmsg` gives one record per read and `EAGAIN`
/// at its end (a plain file, in tests, ends at its end and grows by appends).
#[derive(Debug)]
pub struct KernelLog {
    path: PathBuf,
    reader: BufReader<File>,
    boot_id: String,
    /// The last record read.
    last: Option<u64>,
}

impl KernelLog {
    /// Opens the log at `path` for this boot (`boot_id`), at its oldest record.
    pub fn open(path: &Path, boot_id: &str) -> io::Result<Self> {
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
            .open(path)?;
        Ok(Self {
            path: path.to_owned(),
            reader: BufReader::new(file),
            boot_id: boot_id.trim().to_owned(),
            last: None,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How far the log has been read, to keep in the checkpoint.
    pub fn mark(&self) -> Option<Mark> {
        self.last.map(|seq| Mark {
            boot_id: self.boot_id.clone(),
            seq,
        })
    }

    /// The first read of a run: every record the log holds, returning the Xid records after
    /// `mark`. A mark from another boot counts every record of this boot (XIDs raised after
    /// boot, before the agent started); without a mark (the agent's first run on this host)
    /// nothing is taken: older XIDs are history, not news.
    pub fn recover(&mut self, mark: Option<&Mark>) -> io::Result<Recovered> {
        // The first record taken, if any.
        let from = match mark {
            None => None,
            Some(m) if m.boot_id == self.boot_id => Some(m.seq + 1),
            Some(_) => Some(0),
        };
        let mut out = Recovered::default();
        let mut first = true;
        self.read(|seq, xid, overwritten| {
            let Some(from) = from else { return };
            out.lost += overwritten;
            if std::mem::take(&mut first) {
                out.lost += seq.saturating_sub(from);
            }
            if let Some((pci, xid)) = xid
                && seq >= from
            {
                out.xids.push(LoggedXid { seq, pci, xid });
            }
        })?;
        Ok(out)
    }

    /// A later read: the Xid records that came in since the last read, oldest first (NVML
    /// delivers most of those while the agent runs: `crate::xid_ledger` matches them).
    pub fn advance(&mut self) -> io::Result<Vec<LoggedXid>> {
        let mut xids = Vec::new();
        self.read(|seq, xid, _| {
            if let Some((pci, xid)) = xid {
                xids.push(LoggedXid { seq, pci, xid });
            }
        })?;
        Ok(xids)
    }

    /// Reads to the log's current end, calling `each(seq, xid, overwritten)` per record, where
    /// `overwritten` counts records the kernel dropped just before it while we read.
    fn read(
        &mut self,
        mut each: impl FnMut(u64, Option<(PciAddress, XidEvent)>, u64),
    ) -> io::Result<()> {
        let mut line = String::new();
        let mut overwritten = 0;
        loop {
            line.clear();
            match self.reader.read_line(&mut line) {
                Ok(0) => return Ok(()),
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(()),
                // The record at our position was overwritten: the next read goes on with the
                // oldest one left.
                Err(e) if e.kind() == ErrorKind::BrokenPipe => {
                    overwritten += 1;
                    continue;
                }
                Err(e) if e.kind() == ErrorKind::InvalidData => continue,
                Err(e) => return Err(e),
            }
            if line.starts_with(' ') {
                continue;
            }
            if let Some((seq, xid)) = parse_record(&line) {
                self.last = Some(self.last.map_or(seq, |l| l.max(seq)));
                each(seq, xid, std::mem::take(&mut overwritten));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn xid(n: u64, gi: Option<u32>, ci: Option<u32>) -> XidEvent {
        XidEvent {
            xid: n,
            gpu_instance_id: gi,
            compute_instance_id: ci,
            seq: None,
        }
    }

    const BUS_3B: PciAddress = PciAddress {
        domain: 0,
        bus: 0x3b,
        device: 0,
    };

    #[test]
    fn the_drivers_three_xid_lines_are_read_with_their_instance() {
        assert_eq!(
            parse_xid(
                "NVRM: Xid (PCI:0000:3b:00): 79, pid=1234, name=python, GPU has fallen off the bus."
            ),
            Some((BUS_3B, xid(79, None, None)))
        );
        assert_eq!(
            parse_xid(
                "NVRM: Xid (PCI:0001:CB:01 GPU-I:02): 94, pid='<unknown>', name=<unknown>, Contained"
            ),
            Some((
                PciAddress {
                    domain: 1,
                    bus: 0xcb,
                    device: 1
                },
                xid(94, Some(2), None)
            ))
        );
        assert_eq!(
            parse_xid(
                "NVRM: Xid (PCI:0000:3b:00 GPU-I:05 GPU-CI:00): 43, pid=7, name=a, Ch 00000010"
            ),
            Some((BUS_3B, xid(43, Some(5), Some(0))))
        );
        for other in [
            "NVRM: GPU at PCI:0000:3b:00: GPU-6f1e5e4c",
            "NVRM: Xid (PCI:0000:3b): 79, x",
            "NVRM: Xid (PCI:0000:3b:00 GPU-X:1): 79, x",
            "NVRM: Xid (PCI:0000:3b:00): many, x",
            "nvidia-peermem nv_get_p2p_free_callback:127 ERROR",
        ] {
            assert_eq!(parse_xid(other), None, "{other}");
        }
    }

    #[test]
    fn records_carry_their_number_and_continuation_lines_are_not_records() {
        assert_eq!(
            parse_record("4,1043,96017263,-;NVRM: Xid (PCI:0000:3b:00): 13, pid=9, name=a, b\n"),
            Some((1043, Some((BUS_3B, xid(13, None, None)))))
        );
        assert_eq!(
            parse_record("6,1044,96017299,c,caller=T12;usb 1-1: new device\n"),
            Some((1044, None))
        );
        assert_eq!(parse_record(" SUBSYSTEM=pci\n"), None);
        assert_eq!(parse_record("garbage\n"), None);
    }

    fn log_file(records: &[(u64, &str)]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        append(f.as_file_mut(), records);
        f
    }

    fn append(f: &mut File, records: &[(u64, &str)]) {
        for (seq, msg) in records {
            writeln!(f, "4,{seq},{},-;{msg}", seq * 1000).unwrap();
            writeln!(f, " SUBSYSTEM=pci").unwrap();
        }
    }

    const XID_79: &str =
        "NVRM: Xid (PCI:0000:3b:00): 79, pid=1, name=a, GPU has fallen off the bus.";
    const XID_94: &str =
        "NVRM: Xid (PCI:0000:3b:00 GPU-I:01): 94, pid=1, name=a, Contained ECC error";

    #[test]
    fn a_first_read_takes_the_xids_after_the_mark_of_this_boot() {
        let f = log_file(&[(10, XID_79), (11, "other"), (12, XID_94), (13, "other")]);
        let mut log = KernelLog::open(f.path(), "boot-a\n").unwrap();
        let mark = Mark {
            boot_id: "boot-a".into(),
            seq: 10,
        };
        let got = log.recover(Some(&mark)).unwrap();
        assert_eq!(
            got.xids,
            [LoggedXid {
                seq: 12,
                pci: BUS_3B,
                xid: xid(94, Some(1), None)
            }]
        );
        assert_eq!(got.lost, 0);
        assert_eq!(
            log.mark(),
            Some(Mark {
                boot_id: "boot-a".into(),
                seq: 13
            })
        );
    }

    #[test]
    fn another_boot_takes_every_xid_and_no_mark_takes_none() {
        let f = log_file(&[(1, XID_79), (2, XID_94)]);
        let other = Mark {
            boot_id: "boot-a".into(),
            seq: 40,
        };
        let mut log = KernelLog::open(f.path(), "boot-b").unwrap();
        let seqs: Vec<u64> = log
            .recover(Some(&other))
            .unwrap()
            .xids
            .iter()
            .map(|x| x.seq)
            .collect();
        assert_eq!(seqs, [1, 2]);
        let mut log = KernelLog::open(f.path(), "boot-b").unwrap();
        assert_eq!(log.recover(None).unwrap(), Recovered::default());
        assert_eq!(log.mark().unwrap().seq, 2);
    }

    #[test]
    fn records_the_log_no_longer_holds_are_counted_as_lost() {
        // The mark is at 5; the oldest record left is 9: 6, 7 and 8 are gone.
        let f = log_file(&[(9, "other"), (10, XID_79)]);
        let mut log = KernelLog::open(f.path(), "b").unwrap();
        let mark = Mark {
            boot_id: "b".into(),
            seq: 5,
        };
        let got = log.recover(Some(&mark)).unwrap();
        assert_eq!(got.lost, 3);
        assert_eq!(got.xids.len(), 1);
    }

    #[test]
    fn later_reads_count_the_xid_records_that_came_in_and_move_the_mark() {
        let mut f = log_file(&[(1, "other")]);
        let mut log = KernelLog::open(f.path(), "b").unwrap();
        assert_eq!(log.recover(None).unwrap(), Recovered::default());
        assert_eq!(log.advance().unwrap().len(), 0);
        append(f.as_file_mut(), &[(2, XID_79), (3, "other"), (4, XID_94)]);
        assert_eq!(log.advance().unwrap().len(), 2);
        assert_eq!(log.mark().unwrap().seq, 4);
        assert_eq!(log.advance().unwrap().len(), 0);
    }
}

/// The running kernel's `/dev/kmsg`, where this process may read it (root; CI runs as root):
/// a first read reaches the end of the ring buffer without waiting (a blocking read would never
/// return), and so does the next.
#[cfg(test)]
mod device_tests {
    use super::*;

    #[test]
    fn the_running_kernels_log_is_read_to_its_end_without_waiting() {
        let boot_id = std::fs::read_to_string(BOOT_ID).unwrap();
        let mut log = match KernelLog::open(Path::new(KMSG), &boot_id) {
            Ok(log) => log,
            Err(e) if matches!(e.kind(), ErrorKind::PermissionDenied | ErrorKind::NotFound) => {
                eprintln!("skipped: {KMSG} cannot be read here ({e})");
                return;
            }
            Err(e) => panic!("{KMSG}: {e}"),
        };
        assert_eq!(log.recover(None).unwrap(), Recovered::default());
        let mark = log.mark().expect("a running kernel has logged something");
        assert_eq!(mark.boot_id, boot_id.trim());
        log.advance().unwrap();
        assert!(log.mark().unwrap().seq >= mark.seq);
    }
}
