//! `slicectl`: see the library.

fn main() -> std::process::ExitCode {
    slicebroker_cli::main()
}
