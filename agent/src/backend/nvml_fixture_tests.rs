//! Real-GPU probe fixtures (`agent/tests/fixtures/`) against the stub's answer for the same
//! board: ready for the first fixture a GPU session commits.

use super::*;
use std::path::Path;

/// The stub board a fixture is for: its file name starts with the board key
/// (`h100-80gb-580.65.06.json`).
fn fixture_board(name: &str) -> &'static str {
    let mut keys: Vec<&str> = Board::keys().collect();
    keys.sort_by_key(|k| std::cmp::Reverse(k.len()));
    keys.into_iter()
        .find(|k| name.starts_with(&format!("{k}-")))
        .unwrap_or_else(|| panic!("fixture {name}: name it <board>-<driver>.json (or .nvidia-smi.txt), <board> one of the stub's"))
}

/// Compares one real-GPU fixture with the stub's answer for its board: a `probe` JSON by the
/// profile tables of every GPU of that model, an `nvidia-smi` text (`nvidia-smi mig -lgip; echo;
/// nvidia-smi mig -lgipp` on a GPU without instances) word for word. Returns the GPUs compared.
fn compare_fixture(path: &Path) -> usize {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let board = fixture_board(&name);
    let host = StubHost::new("stub-fixture", &[board]);
    let text = std::fs::read_to_string(path).unwrap();
    let why = "the real driver and the stub disagree: fix the reference JSON (and the catalog) \
               from the fixture, or explain the difference in tests/fixtures/README.md";
    if name.ends_with(".nvidia-smi.txt") {
        let stub = nvidia_smi(&host.backend()).unwrap();
        let words = |t: &str| t.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(words(&text), words(&stub), "{name}: {why}\nstub:\n{stub}");
        return 1;
    }
    let real: crate::probe::Discovery =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not `probe` JSON: {e}"));
    let stub = crate::probe::discover(&host.backend()).unwrap();
    let table = |gpu: &GpuInfo| {
        let mut t = gpu.profiles.clone();
        t.sort_by_key(|p| p.id);
        t
    };
    let mut compared = 0;
    for gpu in real
        .gpus
        .iter()
        .filter(|g| g.gpu.model.as_deref() == Some(board))
    {
        assert!(
            gpu.gpu.mig_enabled(),
            "{name}: probe the GPU with MIG mode on"
        );
        assert_eq!(
            table(&gpu.gpu),
            table(&stub.gpus[0].gpu),
            "{name} GPU {}: {why}",
            gpu.gpu.index
        );
        compared += 1;
    }
    assert!(compared > 0, "{name} holds no {board} GPU");
    compared
}

/// Real-GPU fixtures in `agent/tests/fixtures/` (none until a session is lent a GPU; see the
/// README there) are compared with the stub as soon as they are committed.
#[test]
fn real_gpu_probe_fixtures_agree_with_the_stub() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json" || e == "txt"))
        .collect();
    fixtures.sort();
    for path in &fixtures {
        compare_fixture(path);
    }
}

/// The comparison itself, on fixtures the stub writes, so it is known to work (and to fail)
/// before a real one arrives.
#[test]
fn a_fixture_is_compared_table_by_table_and_word_by_word() {
    let host = StubHost::new("stub-fixture-self", &["h100-80gb"]);
    let dir = tempfile::Builder::new()
        .prefix("fixtures")
        .tempdir()
        .unwrap();
    let json = dir.path().join("h100-80gb-580.65.06.json");
    let discovery = crate::probe::discover(&host.backend()).unwrap();
    std::fs::write(&json, serde_json::to_string(&discovery).unwrap()).unwrap();
    assert_eq!(compare_fixture(&json), 1);
    let smi = dir.path().join("h100-80gb-580.65.06.nvidia-smi.txt");
    std::fs::write(
        &smi,
        nvidia_smi(&host.backend()).unwrap().replace("  ", " "),
    )
    .unwrap();
    assert_eq!(compare_fixture(&smi), 1, "whitespace does not count");
    let mut wrong = discovery;
    wrong.gpus[0].gpu.profiles[0].placements.pop();
    std::fs::write(&json, serde_json::to_string(&wrong).unwrap()).unwrap();
    let disagreement = std::panic::catch_unwind(|| compare_fixture(&json));
    assert!(
        disagreement.is_err(),
        "a different table fails the comparison"
    );
}
