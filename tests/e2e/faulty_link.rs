//! A TCP link between an agent and the server that loses chosen requests, or their answers:
//! the network faults a report can meet, on demand. HTTP/1.1 in the clear (the cluster's
//! default); each request is read whole (head, then `Content-Length` bytes) before it is
//! passed on or not.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What happens to the next request that matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// It never reaches the server: the connection is closed instead.
    LoseRequest,
    /// The server gets it and answers, but the connection is closed before the answer is
    /// passed on.
    LoseAnswer,
}

#[derive(Debug, Default)]
struct State {
    /// (what a request must contain, its fault), applied in order.
    faults: VecDeque<(String, Fault)>,
    /// Requests passed on whole, by the needle they contained (any of `watch`).
    passed: Vec<String>,
    watch: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct FaultyLink {
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl FaultyLink {
    /// Listens on a free local port and passes connections on to `upstream` (`http://host:port`).
    pub async fn start(upstream: &str) -> FaultyLink {
        let upstream = upstream
            .strip_prefix("http://")
            .expect("a plain http server")
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (upstream, state) = (upstream.clone(), shared.clone());
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(&upstream).await {
                        let _ = relay(client, server, state).await;
                    }
                });
            }
        });
        FaultyLink { url, state }
    }

    /// The next request containing `needle` meets `fault`; later ones the faults queued after.
    pub fn fault(&self, needle: &str, fault: Fault) {
        let mut s = self.state.lock().unwrap();
        s.faults.push_back((needle.to_owned(), fault));
        if !s.watch.iter().any(|w| w == needle) {
            s.watch.push(needle.to_owned());
        }
    }

    /// Faults not yet met.
    pub fn pending(&self) -> usize {
        self.state.lock().unwrap().faults.len()
    }

    /// How many requests containing `needle` were passed on whole (their answers too).
    pub fn passed(&self, needle: &str) -> usize {
        let s = self.state.lock().unwrap();
        s.passed.iter().filter(|p| *p == needle).count()
    }
}

/// One request, read whole: its head and body.
async fn read_request(
    from: &mut (impl AsyncReadExt + Unpin),
    buf: &mut Vec<u8>,
) -> Option<Vec<u8>> {
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 8192];
        let n = from.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse().unwrap_or(0));
    while buf.len() < head_end + length {
        let mut chunk = [0u8; 8192];
        let n = from.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(buf.drain(..head_end + length).collect())
}

async fn relay(
    client: TcpStream,
    server: TcpStream,
    state: Arc<Mutex<State>>,
) -> std::io::Result<()> {
    let (mut client_rx, mut client_tx) = client.into_split();
    let (mut server_rx, mut server_tx) = server.into_split();
    // Answers flow back until this connection meets a fault.
    let (cut, mut cut_rx) = tokio::sync::watch::channel(false);
    let answers = tokio::spawn(async move {
        let mut chunk = [0u8; 8192];
        loop {
            tokio::select! {
                r = server_rx.read(&mut chunk) => match r {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if *cut_rx.borrow() || client_tx.write_all(&chunk[..n]).await.is_err() {
                            break;
                        }
                    }
                },
                _ = cut_rx.changed() => break,
            }
        }
    });
    let mut buf = Vec::new();
    while let Some(request) = read_request(&mut client_rx, &mut buf).await {
        let text = String::from_utf8_lossy(&request).into_owned();
        let fault = {
            let mut s = state.lock().unwrap();
            match s.faults.front() {
                Some((needle, f)) if text.contains(needle.as_str()) => {
                    let f = *f;
                    s.faults.pop_front();
                    Some(f)
                }
                _ => {
                    let seen: Vec<String> = s
                        .watch
                        .iter()
                        .filter(|w| text.contains(w.as_str()))
                        .cloned()
                        .collect();
                    s.passed.extend(seen);
                    None
                }
            }
        };
        match fault {
            None => server_tx.write_all(&request).await?,
            Some(Fault::LoseRequest) => break,
            Some(Fault::LoseAnswer) => {
                let _ = cut.send(true);
                server_tx.write_all(&request).await?;
                // Long enough for the server to answer (and commit) before the link goes.
                tokio::time::sleep(Duration::from_millis(500)).await;
                break;
            }
        }
    }
    let _ = cut.send(true);
    answers.abort();
    Ok(())
}
