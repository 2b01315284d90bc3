//! Error parsing, URL building and connection failures of the client (no server needed).

use super::*;

#[test]
fn problem_json_is_read_into_status_code_detail_and_field() {
    let body =
        br#"{"type":"https://slicebroker.dev/problems/invalid_input","title":"Invalid input",
        "status":400,"detail":"at most 60 seconds","code":"invalid_input","field":"wait"}"#;
    let p = Problem::parse(StatusCode::BAD_REQUEST, body);
    assert_eq!(
        p,
        Problem {
            status: 400,
            code: "invalid_input".into(),
            detail: "at most 60 seconds".into(),
            field: Some("wait".into()),
        }
    );
    assert_eq!(
        p.to_string(),
        "400 invalid_input: at most 60 seconds (field `wait`)"
    );
}

#[test]
fn an_answer_that_is_not_problem_json_still_says_what_came_back() {
    let p = Problem::parse(StatusCode::BAD_GATEWAY, b"<html>upstream down</html>\n");
    assert_eq!(p.status, 502);
    assert_eq!(p.code, "bad_gateway");
    assert_eq!(p.detail, "<html>upstream down</html>");
    let empty = Problem::parse(StatusCode::from_u16(599).unwrap(), b"");
    assert_eq!(
        (empty.code.as_str(), empty.detail.as_str()),
        ("http_599", "")
    );
    assert_eq!(empty.to_string(), "599 http_599");
    let long = Problem::parse(StatusCode::INTERNAL_SERVER_ERROR, &[b'x'; 1000]);
    assert_eq!(long.detail.len(), 200, "long bodies are cut");
}

#[test]
fn only_401_is_unauthenticated_and_only_server_side_failures_are_transient() {
    let http = |status: u16| ClientError::Http {
        method: Method::GET,
        url: "http://s/v1/agent/desired".into(),
        problem: Box::new(Problem::parse(StatusCode::from_u16(status).unwrap(), b"{}")),
    };
    assert!(http(401).is_unauthenticated());
    assert!(!http(403).is_unauthenticated());
    for status in [500, 502, 503, 408, 429] {
        assert!(http(status).is_transient(), "{status}");
    }
    for status in [400, 401, 404] {
        assert!(!http(status).is_transient(), "{status}");
    }
    let timeout = ClientError::Timeout {
        method: Method::GET,
        url: "u".into(),
        after: Duration::from_secs(3),
    };
    assert!(timeout.is_transient() && timeout.status().is_none());
}

#[test]
fn base_urls_are_http_with_a_host_and_join_paths_under_a_prefix() {
    let base = BaseUrl::parse("http://127.0.0.1:8080/").unwrap();
    assert_eq!(
        base.join("/v1/agent/register"),
        "http://127.0.0.1:8080/v1/agent/register"
    );
    let prefixed = BaseUrl::parse(" http://proxy.local/slicebroker ").unwrap();
    assert_eq!(
        prefixed.join(&desired_path(3, Duration::from_secs(5))),
        "http://proxy.local/slicebroker/v1/agent/desired?after=3&wait=5"
    );
    let https = BaseUrl::parse("https://broker.example").unwrap_err();
    assert!(https.to_string().contains("proxy or sidecar"), "{https}");
    for bad in ["broker:8080", "ftp://x", "http://", "http://h/?a=1", ""] {
        assert!(BaseUrl::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn long_poll_waits_are_capped_at_what_the_server_accepts() {
    assert_eq!(
        desired_path(0, Duration::from_secs(600)),
        "/v1/agent/desired?after=0&wait=60"
    );
    assert_eq!(
        desired_path(7, Duration::from_millis(1500)),
        "/v1/agent/desired?after=7&wait=1"
    );
}

#[tokio::test]
async fn a_server_that_is_not_there_is_a_transient_connection_error() {
    // A port that was just free: nothing listens there now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let client = ServerClient::new(BaseUrl::parse(&url).unwrap());
    let err = client
        .desired(0, Duration::ZERO)
        .await
        .expect_err("nothing listens");
    assert!(matches!(err, ClientError::Connect { .. }), "{err:?}");
    assert!(err.is_transient());
    assert!(err.to_string().contains(&url), "{err}");
}
