//! `probe --format nvidia-smi`: the GPUs' profile and placement tables laid out as
//! `nvidia-smi mig -lgip` and `nvidia-smi mig -lgipp` print them (MIG user guide, "List GPU
//! Instance Profiles"), so an operator can compare the agent's view with the driver's line by
//! line: `diff -w` against `{ nvidia-smi mig -lgip; echo; nvidia-smi mig -lgipp; }`.

use crate::backend::{BackendError, GpuBackend};
use crate::model::ProfileDetail;
use std::fmt::Write;

const RULE: &str =
    "+-----------------------------------------------------------------------------+";
const DOUBLE_RULE: &str =
    "|=============================================================================|";

/// Both tables for every MIG-enabled GPU, `-lgip` first, a blank line, then `-lgipp`.
pub fn nvidia_smi(backend: &dyn GpuBackend) -> Result<String, BackendError> {
    let mut tables = Vec::new();
    for gpu in backend.gpus()?.into_iter().filter(|g| g.mig_enabled()) {
        let mut details = backend.profile_details(&gpu)?;
        details.sort_by_key(|p| (p.compute_slices, p.memory_mib, p.id));
        tables.push((gpu.index, details));
    }
    if tables.is_empty() {
        return Ok("No MIG-enabled devices found.\n".into());
    }
    Ok(format!("{}\n{}", lgip(&tables), lgipp(&tables)))
}

/// `nvidia-smi mig -lgip`: two lines per profile, SM/DEC/ENC over CE/JPEG/OFA.
fn lgip(tables: &[(u32, Vec<ProfileDetail>)]) -> String {
    let mut out = String::new();
    for line in [
        RULE,
        "| GPU instance profiles:                                                      |",
        "| GPU   Name             ID    Instances   Memory     P2P    SM    DEC   ENC  |",
        "|                              Free/Total   GiB              CE    JPEG  OFA  |",
        DOUBLE_RULE,
    ] {
        out.push_str(line);
        out.push('\n');
    }
    for (gpu, details) in tables {
        for p in details {
            let instances = format!("{}/{}", p.instances_free, p.instances_total);
            let memory = format!("{:.2}", p.memory_mib as f64 / 1024.0);
            let p2p = if p.p2p { "Yes" } else { "No" };
            let _ = writeln!(
                out,
                "| {gpu:>3}  {:<16}{:>4}     {instances:<9}  {memory:<9}  {p2p:<5}{:>4}  {:>4}  {:>4}   |",
                p.name, p.id, p.multiprocessors, p.decoders, p.encoders
            );
            let _ = writeln!(
                out,
                "|{:58}{:>4}  {:>4}  {:>4}   |",
                "", p.copy_engines, p.jpeg, p.ofa
            );
            out.push_str(RULE);
            out.push('\n');
        }
    }
    out
}

/// `nvidia-smi mig -lgipp`: `{starts}:size` in memory slices, one line per profile.
fn lgipp(tables: &[(u32, Vec<ProfileDetail>)]) -> String {
    let mut out = String::new();
    for (gpu, details) in tables {
        for p in details {
            let starts: Vec<String> = p.placements.iter().map(|pl| pl.start.to_string()).collect();
            let size = p.placements.first().map_or(0, |pl| pl.size);
            let label = if p.placements.len() == 1 {
                "Placement "
            } else {
                "Placements"
            };
            let _ = writeln!(
                out,
                "GPU {gpu:>2} Profile ID {:>2} {label}: {{{}}}:{size}",
                p.id,
                starts.join(",")
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::sim::SimBackend;
    use slicebroker_types::Placement;

    /// The A100-40GB tables of the MIG user guide ("Getting Started"), character for character.
    #[test]
    fn an_a100_prints_the_user_guides_tables() {
        let b = SimBackend::from_spec("a100-40gb", 1).unwrap();
        let text = nvidia_smi(&b).unwrap();
        let (lgip, lgipp) = text.split_once("\n\n").unwrap();
        let lines: Vec<&str> = lgip.lines().collect();
        assert!(lines.iter().all(|l| l.len() == 79), "{lgip}");
        assert_eq!(
            lines[5],
            "|   0  MIG 1g.5gb        19     7/7        4.75       No     14     0     0   |"
        );
        assert_eq!(
            lines[6],
            "|                                                             1     0     0   |"
        );
        assert_eq!(
            lines[17],
            "|   0  MIG 3g.20gb        9     2/2        19.50      No     42     2     0   |"
        );
        assert_eq!(
            lgipp,
            "GPU  0 Profile ID 19 Placements: {0,1,2,3,4,5,6}:1\n\
             GPU  0 Profile ID 20 Placements: {0,1,2,3,4,5,6}:1\n\
             GPU  0 Profile ID 15 Placements: {0,2,4,6}:2\n\
             GPU  0 Profile ID 14 Placements: {0,2,4}:2\n\
             GPU  0 Profile ID  9 Placements: {0,4}:4\n\
             GPU  0 Profile ID  5 Placement : {0}:4\n\
             GPU  0 Profile ID  0 Placement : {0}:8\n"
        );
    }

    #[test]
    fn free_counts_follow_the_instances_and_mig_off_says_so() {
        let b = SimBackend::from_spec("h100-80gb", 1).unwrap();
        let uuid = b.gpus().unwrap()[0].uuid.clone();
        b.create_instance(&uuid, 9, Placement { start: 4, size: 4 })
            .unwrap();
        let text = nvidia_smi(&b).unwrap();
        assert!(text.contains("MIG 3g.40gb        9     1/2"), "{text}");
        assert!(text.contains("MIG 7g.80gb        0     0/1"), "{text}");
        b.set_mig_mode(&uuid, false).unwrap_err();
        let off = SimBackend::from_spec("h100-80gb", 1).unwrap();
        let uuid = off.gpus().unwrap()[0].uuid.clone();
        off.set_mig_mode(&uuid, false).unwrap();
        assert_eq!(nvidia_smi(&off).unwrap(), "No MIG-enabled devices found.\n");
    }
}
