//! The stand-in host's kernel log. NVIDIA's driver prints every XID to the kernel log
//! (`src/nvidia/src/kernel/gpu/rc/kernel_rc.c` in its open kernel modules):
//!
//! ```text
//! NVRM: Xid (PCI:%04x:%02x:%02x): %d, pid=%s, name=%s, %s
//! NVRM: Xid (PCI:%04x:%02x:%02x GPU-I:%02u): %d, pid=%s, name=%s, %s
//! NVRM: Xid (PCI:%04x:%02x:%02x GPU-I:%02u GPU-CI:%02u): %d, pid=%s, name=%s, %s
//! ```
//!
//! and the agent reads `/dev/kmsg` for the XIDs NVML did not deliver. Here the log is a file of
//! `/dev/kmsg` records (`priority,seq,microseconds,flags;message`, then indented dictionary
//! lines), numbered on from its last record; tests write the driver's line where they raise an
//! XID in the state file.

use crate::state::Xid;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;

/// The stand-in's PCI bus of GPU `index`, in domain 0, device 0 (`nvmlDeviceGetPciInfo_v3`).
pub fn pci_bus(index: usize) -> u32 {
    0x18 + index as u32
}

/// The line the driver prints for `xid` on GPU `index`.
pub fn xid_line(index: usize, xid: &Xid) -> String {
    let instance = match (xid.gpu_instance_id, xid.compute_instance_id) {
        (Some(gi), Some(ci)) => format!(" GPU-I:{gi:02} GPU-CI:{ci:02}"),
        (Some(gi), None) => format!(" GPU-I:{gi:02}"),
        _ => String::new(),
    };
    format!(
        "NVRM: Xid (PCI:0000:{:02x}:00{instance}): {}, pid=4242, name=python3, raised by the stand-in",
        pci_bus(index),
        xid.xid
    )
}

/// Appends a record with `message` to the log at `path` (made if missing); returns its number.
pub fn append(path: &Path, message: &str) -> io::Result<u64> {
    let seq = match std::fs::read_to_string(path) {
        Ok(text) => text
            .lines()
            .filter_map(|l| l.split(';').next()?.split(',').nth(1)?.parse::<u64>().ok())
            .max()
            .map_or(0, |s| s + 1),
        Err(e) if e.kind() == io::ErrorKind::NotFound => 0,
        Err(e) => return Err(e),
    };
    let mut f = OpenOptions::new().create(true).append(true).open(path)?;
    writeln!(f, "4,{seq},{},-;{message}\n SUBSYSTEM=pci", seq * 1_000)?;
    Ok(seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_numbered_on_and_xid_lines_are_the_drivers() {
        let dir = tempfile_dir();
        let log = dir.join("kmsg");
        assert_eq!(append(&log, "Linux version 6.1").unwrap(), 0);
        let xid = Xid {
            xid: 94,
            gpu_instance_id: Some(3),
            compute_instance_id: Some(0),
        };
        assert_eq!(append(&log, &xid_line(1, &xid)).unwrap(), 1);
        let text = std::fs::read_to_string(&log).unwrap();
        assert!(
            text.contains("4,1,1000,-;NVRM: Xid (PCI:0000:19:00 GPU-I:03 GPU-CI:00): 94, pid="),
            "{text}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("kmsg-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
