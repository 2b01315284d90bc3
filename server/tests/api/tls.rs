//! The server over https: the API through a CA made at run time, a client that does not trust
//! it refused, a reload that swaps the certificate for new connections, and graceful shutdown.

use crate::harness::{spawn_app, spawn_with, wait_until};
use serde_json::json;
use slicebroker_client::ClientError;
use slicebroker_server::http::tls::Certificates;
use slicebroker_testkit::{Http, TestCa};
use std::time::Duration;

#[tokio::test]
async fn the_api_is_served_over_https_and_a_reload_changes_the_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (TestCa::new("first CA"), TestCa::new("second CA"));
    let first_ca = first.write_ca(&dir.path().join("first-ca.pem"));
    let second_ca = second.write_ca(&dir.path().join("second-ca.pem"));
    let files = first.write_server_files(dir.path());
    let app = spawn_with(|c| {
        c.tls_cert_file = Some(files.cert.clone());
        c.tls_key_file = Some(files.key.clone());
    })
    .await;
    let url = format!("https://{}", app.addr);

    let trusting = Http::new(&url, Some(first_ca.clone()));
    let token = trusting
        .request(
            "POST",
            "/v1/auth/token",
            None,
            Some(&json!({ "api_key": app.admin_key })),
        )
        .await
        .ok(200)["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let tenants = trusting
        .send("GET", "/v1/tenants", Some(&token), None, &[])
        .await;
    assert_eq!(tenants.ok(200), &json!([]));

    let stranger = Http::new(&url, Some(second_ca.clone()));
    let refused = stranger
        .try_send("GET", "/healthz", None, None, &[])
        .await
        .unwrap_err();
    assert!(matches!(refused, ClientError::Tls { .. }), "{refused:?}");
    assert!(refused.to_string().contains("UnknownIssuer"), "{refused}");

    // A renewed certificate, from the second CA, copied over the files and reloaded.
    second.write_server_files(dir.path());
    app.tls.as_ref().unwrap().reload().unwrap();
    stranger
        .send("GET", "/healthz", None, None, &[])
        .await
        .ok(200);
    // New connections get the new certificate: a fresh client of the first CA is refused.
    let err = Http::new(&url, Some(first_ca))
        .try_send("GET", "/healthz", None, None, &[])
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Tls { .. }), "{err:?}");
}

#[tokio::test]
async fn an_https_server_shuts_down_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("shutdown CA");
    let ca_file = ca.write_ca(&dir.path().join("ca.pem"));
    let files = ca.write_server_files(dir.path());
    let certs = Certificates::load(&files.cert, &files.key).unwrap();
    let app = spawn_app().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn({
        let app = app.app.clone();
        async move {
            slicebroker_server::http::serve_tls(listener, &certs, app, async {
                let _ = stopped.await;
            })
            .await
        }
    });
    let client = Http::new(&url, Some(ca_file));
    client
        .send("GET", "/healthz", None, None, &[])
        .await
        .ok(200);

    stop.send(()).unwrap();
    // The idle keep-alive connection is closed and serving ends; nothing is accepted after.
    wait_until(Duration::from_secs(10), "serving to end", async || {
        if served.is_finished() {
            Ok(())
        } else {
            Err("still serving")
        }
    })
    .await;
    served.await.unwrap().unwrap();
    let after = client.try_send("GET", "/healthz", None, None, &[]).await;
    assert!(after.is_err(), "{after:?}");
}
