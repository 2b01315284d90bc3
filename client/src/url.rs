//! The server's address: `http(s)://host[:port][/prefix]`, checked once, joined with API paths.

use hyper::Uri;
use std::fmt;
use std::net::IpAddr;

/// A server address that cannot be used, and why.
#[derive(Debug, thiserror::Error)]
#[error("server URL `{url}`: {reason}")]
pub struct BadUrl {
    pub url: String,
    pub reason: String,
}

/// `http://` or `https://`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

/// The server's address, kept without a trailing slash so that `join("/v1/…")` is the URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrl {
    url: String,
    scheme: Scheme,
    host: String,
}

impl BaseUrl {
    pub fn parse(url: &str) -> Result<Self, BadUrl> {
        let trimmed = url.trim().trim_end_matches('/');
        let bad = |reason: &str| BadUrl {
            url: trimmed.to_owned(),
            reason: reason.to_owned(),
        };
        let uri: Uri = trimmed
            .parse()
            .map_err(|_| bad("not a URL; expected http(s)://host[:port]"))?;
        let scheme = match uri.scheme_str() {
            Some("http") => Scheme::Http,
            Some("https") => Scheme::Https,
            _ => return Err(bad("expected http(s)://host[:port]")),
        };
        let host = match uri.host() {
            Some(h) if !h.is_empty() => h.to_owned(),
            _ => return Err(bad("no host")),
        };
        if uri.query().is_some() {
            return Err(bad("a server URL takes no query"));
        }
        Ok(Self {
            url: trimmed.to_owned(),
            scheme,
            host,
        })
    }

    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host as written (`[::1]` keeps its brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Whether the host is this machine: `localhost`, `127.0.0.0/8` or `::1`. Traffic to it
    /// never crosses a network, so plain http there exposes nothing.
    pub fn is_loopback(&self) -> bool {
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        host.eq_ignore_ascii_case("localhost")
            || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }

    /// The URL of `path_and_query` (which starts with `/`) on this server.
    pub fn join(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.url)
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_http_or_https_with_a_host_and_join_paths_under_a_prefix() {
        let base = BaseUrl::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(base.as_str(), "http://127.0.0.1:8080");
        assert_eq!(
            base.join("/v1/agent/register"),
            "http://127.0.0.1:8080/v1/agent/register"
        );
        let prefixed = BaseUrl::parse(" https://proxy.local/slicebroker ").unwrap();
        assert_eq!(prefixed.scheme(), Scheme::Https);
        assert_eq!(
            prefixed.join("/v1/leases"),
            "https://proxy.local/slicebroker/v1/leases"
        );
        for bad in ["broker:8080", "ftp://x", "http://", "http://h/?a=1", ""] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
        let err = BaseUrl::parse("ftp://x").unwrap_err().to_string();
        assert_eq!(err, "server URL `ftp://x`: expected http(s)://host[:port]");
    }

    #[test]
    fn loopback_is_localhost_127_8_and_ipv6_one() {
        for local in [
            "http://localhost:8080",
            "http://LOCALHOST",
            "http://127.0.0.1:1",
            "http://127.200.3.4",
            "http://[::1]:8080",
        ] {
            assert!(BaseUrl::parse(local).unwrap().is_loopback(), "{local}");
        }
        for remote in [
            "http://broker:8080",
            "http://10.0.0.1",
            "http://128.0.0.1",
            "http://[::2]",
            "http://localhost.example.com",
            "http://0.0.0.0:8080",
        ] {
            assert!(!BaseUrl::parse(remote).unwrap().is_loopback(), "{remote}");
        }
    }
}
