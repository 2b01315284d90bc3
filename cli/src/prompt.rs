//! Reading a secret: from a prompt with echo off when stdin is a terminal, else the first line
//! of stdin (`slicectl login < key.txt`). Never from the command line, where it would land in
//! the shell's history and in `ps`.

use crate::error::{Error, Result};
use rustix::termios::{self, LocalModes, OptionalActions};
use std::io::{BufRead, IsTerminal, Write};
use std::os::fd::AsFd;

/// Turns terminal echo back on when dropped, however the read ends.
struct EchoOff<'a, Fd: AsFd> {
    fd: &'a Fd,
    saved: termios::Termios,
}

impl<'a, Fd: AsFd> EchoOff<'a, Fd> {
    fn new(fd: &'a Fd) -> Option<Self> {
        let saved = termios::tcgetattr(fd).ok()?;
        let mut quiet = saved.clone();
        quiet.local_modes.remove(LocalModes::ECHO);
        quiet.local_modes.insert(LocalModes::ECHONL);
        termios::tcsetattr(fd, OptionalActions::Now, &quiet).ok()?;
        Some(Self { fd, saved })
    }
}

impl<Fd: AsFd> Drop for EchoOff<'_, Fd> {
    fn drop(&mut self) {
        let _ = termios::tcsetattr(self.fd, OptionalActions::Now, &self.saved);
    }
}

/// Reads a secret, prompting with `prompt` on stderr when stdin is a terminal.
pub fn secret(prompt: &str) -> Result<String> {
    let stdin = std::io::stdin();
    let mut line = String::new();
    if stdin.is_terminal() {
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();
        let _quiet = EchoOff::new(&stdin);
        stdin.lock().read_line(&mut line)
    } else {
        stdin.lock().read_line(&mut line)
    }
    .map_err(|e| Error::failed(format!("reading the API key: {e}")))?;
    let secret = line.trim();
    if secret.is_empty() {
        return Err(Error::usage(
            "no API key given: type it at the prompt, or pipe it in (`slicectl login < key.txt`)",
        ));
    }
    Ok(secret.to_owned())
}
