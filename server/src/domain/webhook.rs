//! Webhook rules: which URLs may be registered, which addresses may be called (no server-side
//! request forgery into the broker's own network), how a body is signed, how long to wait
//! before the next try.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use slicebroker_types::api::WebhookKind;
use slicebroker_types::limits;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

/// A webhook URL's parts the deliverer needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub https: bool,
    /// Without brackets for IPv6.
    pub host: String,
    pub port: u16,
}

impl Target {
    /// The host as an address, when the URL names one instead of a DNS name.
    pub fn ip(&self) -> Option<IpAddr> {
        self.host.parse().ok()
    }
}

/// Checks a URL's form: `http`/`https`, a host, no user info or fragment, bounded length.
pub fn parse_url(url: &str) -> Result<Target, String> {
    if url.chars().count() > limits::MAX_WEBHOOK_URL_CHARS {
        return Err(format!(
            "must be at most {} characters",
            limits::MAX_WEBHOOK_URL_CHARS
        ));
    }
    let uri: hyper::Uri = url
        .parse()
        .map_err(|_| "must be an absolute http:// or https:// URL".to_owned())?;
    let https = match uri.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => return Err("must be an http:// or https:// URL".into()),
    };
    let authority = uri
        .authority()
        .ok_or_else(|| "must name a host".to_owned())?;
    if authority.as_str().contains('@') {
        return Err("must not carry user information".into());
    }
    if url.contains('#') || url.contains(char::is_whitespace) {
        return Err("must not hold a fragment or spaces".into());
    }
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    if host.is_empty() {
        return Err("must name a host".into());
    }
    let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
    if port == 0 {
        return Err("must not name port 0 (nothing answers there)".into());
    }
    Ok(Target {
        https,
        host: host.to_ascii_lowercase(),
        port,
    })
}

/// The kinds, checked: 1 to [`limits::MAX_WEBHOOK_KINDS`], no repeats; sorted.
pub fn kinds(kinds: &[WebhookKind]) -> Result<Vec<WebhookKind>, String> {
    if kinds.is_empty() {
        return Err("must list at least one kind".into());
    }
    if kinds.len() > limits::MAX_WEBHOOK_KINDS {
        return Err(format!(
            "must list at most {} kinds",
            limits::MAX_WEBHOOK_KINDS
        ));
    }
    let mut sorted = kinds.to_vec();
    sorted.sort();
    sorted.dedup();
    if sorted.len() != kinds.len() {
        return Err("must not repeat a kind".into());
    }
    Ok(sorted)
}

/// Whether an address is one the public internet routes to: not loopback, private,
/// link-local, unique-local, carrier-grade NAT, unspecified, multicast, broadcast,
/// documentation or reserved; IPv4 inside IPv6 (mapped, NAT64, 6to4) is judged as IPv4, and
/// Teredo (whose IPv4 is obscured) is refused.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    // NAT64 (64:ff9b::/96) carries an IPv4 address in its last 32 bits.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        let [_, _, _, _, _, _, hi, lo] = s;
        return is_public_v4(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
    }
    // 6to4 (2002::/16) carries one in its second and third segments.
    if s[0] == 0x2002 {
        return is_public_v4(Ipv4Addr::from((u32::from(s[1]) << 16) | u32::from(s[2])));
    }
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x2001 && s[1] == 0) // Teredo 2001::/32: a tunnel to an obscured IPv4
        || s[..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible and other ::/96 forms
}

/// `X-Slicebroker-Signature`: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
pub fn signature(secret: &str, unix_seconds: i64, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(unix_seconds.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={unix_seconds},v1={hex}")
}

/// How long to wait after the `attempt`-th failed try (1-based): `initial` doubled each time,
/// at most an hour, times `jitter` (0.5 to 1.5, so replicas and receivers do not retry in step).
pub fn backoff(initial: Duration, attempt: u32, jitter: f64) -> Duration {
    let doubled = initial.saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
    doubled
        .min(Duration::from_secs(3600))
        .mul_f64(jitter.clamp(0.5, 1.5))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_url_takes_http_and_https_only() {
        let t = parse_url("https://Hooks.Example.com/x?y=1").unwrap();
        assert_eq!(
            t,
            Target {
                https: true,
                host: "hooks.example.com".into(),
                port: 443
            }
        );
        assert_eq!(parse_url("http://[::1]:8080/").unwrap().host, "::1");
        for bad in [
            "ftp://example.com/",
            "file:///etc/passwd",
            "example.com",
            "https://user:pw@example.com/",
            "https://example.com/#x",
            "http://93.184.216.34:0/",
            "",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(2048));
        assert!(parse_url(&long).is_err());
    }

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
            "::127.0.0.1",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "1.1.1.1",
            "93.184.216.34",
            "2606:4700::1111",
            "64:ff9b::101:101",
            "2002:101:101::1",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn kinds_must_be_some_and_distinct() {
        assert!(kinds(&[]).is_err());
        assert!(kinds(&[WebhookKind::Ended, WebhookKind::Ended]).is_err());
        assert_eq!(
            kinds(&[WebhookKind::Ended, WebhookKind::Activated]).unwrap(),
            vec![WebhookKind::Activated, WebhookKind::Ended]
        );
    }

    #[test]
    fn signature_is_the_documented_hmac() {
        // RFC 4231 test case 2: HMAC-SHA256("Jefe", "what do ya want for nothing?").
        let s = signature("Jefe", 0, b"what do ya want for nothing?");
        assert!(s.starts_with("t=0,v1="));
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"0.what do ya want for nothing?");
        assert!(mac.verify_slice(&hex_decode(&s["t=0,v1=".len()..])).is_ok());
    }

    fn hex_decode(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let s = Duration::from_secs(1);
        assert_eq!(backoff(s, 1, 1.0), s);
        assert_eq!(backoff(s, 4, 1.0), Duration::from_secs(8));
        assert_eq!(backoff(s, 40, 1.0), Duration::from_secs(3600));
        assert_eq!(backoff(s, 2, 0.5), s);
    }
}
