//! How the agent reaches the server, over `slicebroker-client`'s agent protocol: which server
//! URLs it accepts (plain http only to this machine, unless told otherwise) and the client's
//! settings (timeouts, the CA file, retries logged at debug).

use slicebroker_client::agent::AgentClient;
use slicebroker_client::{BadUrl, BaseUrl, BuildError, Client, Event, Scheme};
use std::path::PathBuf;
use std::time::Duration;

/// Time a request may take, beyond any long-poll wait.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest answer read; a desired config for a large host is a few hundred KiB.
const MAX_BODY_BYTES: usize = 16 << 20;

/// The server's URL: `https://…`, or `http://…` to this machine (`localhost`, `127.0.0.0/8`,
/// `::1`); plain http elsewhere only with `insecure_http`, because the enrollment token, the
/// host's credential and every desired config would cross the network readable and forgeable.
pub fn server_url(url: &str, insecure_http: bool) -> Result<BaseUrl, BadUrl> {
    let base = BaseUrl::parse(url)?;
    if base.scheme() == Scheme::Http && !base.is_loopback() && !insecure_http {
        return Err(BadUrl {
            url: base.to_string(),
            reason: "plain http to a server that is not on this machine would send the \
                     host's credential and its desired configs unencrypted; give an https:// \
                     URL (with --ca-file if the server's certificate comes from a private CA), \
                     or pass --insecure-http if the network between them is trusted"
                .into(),
        });
    }
    Ok(base)
}

/// A client of `url` trusting the system's CAs and `ca_file`'s.
pub fn connect(url: &BaseUrl, ca_file: Option<PathBuf>) -> Result<AgentClient, BuildError> {
    let client = Client::builder(url.as_str())
        .ca_file(ca_file)
        .connect_timeout(CONNECT_TIMEOUT)
        .request_timeout(REQUEST_TIMEOUT)
        .max_body_bytes(MAX_BODY_BYTES)
        .user_agent(concat!("slicebroker-agent/", env!("CARGO_PKG_VERSION")))
        .observer(|event| {
            if let Event::Retrying {
                method,
                url,
                after,
                why,
            } = event
            {
                tracing::debug!(%method, %url, retry_in = ?after, "retrying: {why}");
            }
        })
        .build()?;
    Ok(AgentClient::new(client))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_for_this_machine_unless_allowed() {
        for local in [
            "http://127.0.0.1:8080",
            "http://localhost:8080/",
            "http://[::1]:8080",
        ] {
            assert!(server_url(local, false).is_ok(), "{local}");
        }
        for any in ["https://broker.example", "https://10.1.2.3:8443/sb"] {
            assert!(server_url(any, false).is_ok(), "{any}");
        }
        let err = server_url("http://broker.example:8080", false)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("server URL `http://broker.example:8080`: plain http to a server"),
            "{err}"
        );
        assert!(
            err.contains("https://") && err.contains("--insecure-http"),
            "{err}"
        );
        assert!(server_url("http://broker.example:8080", true).is_ok());
        assert!(server_url("ftp://broker.example", true).is_err());
    }

    #[tokio::test]
    async fn a_server_that_is_not_there_is_a_transient_connection_error() {
        // A port that was just free: nothing listens there now.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = server_url(&format!("http://127.0.0.1:{port}"), false).unwrap();
        let client = connect(&url, None).unwrap();
        let err = client
            .desired(0, Duration::ZERO)
            .await
            .expect_err("nothing listens");
        assert!(err.is_transient(), "{err:?}");
        assert!(err.to_string().contains(url.as_str()), "{err}");
    }
}
