//! Server, agent and `slicectl` over https, with a CA made at run time: a lease from login to
//! active to ended, a client without the CA refused with an error that says why, and a renewed
//! certificate taken up on SIGHUP.

use crate::agent::{DEADLINE, node, wait_host};
use crate::cli::Slicectl;
use slicebroker_testkit::{Cluster, ClusterOptions, Http, TestCa, bin, wait_until};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_agent_and_slicectl_work_over_https_with_a_private_ca() {
    let mut c = Cluster::start_with(
        1,
        ClusterOptions {
            tls: true,
            ..ClusterOptions::default()
        },
    )
    .await;
    let url = c.server_url(0).to_owned();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let ca_file = c.ca_file().unwrap().to_owned();
    // The agent is given --ca-file; it enrolls and registers over https.
    c.add_agent(node("gpu-tls", "h100-80gb:1", 31)).await;
    wait_host(&c, "gpu-tls", 1).await;

    // slicectl logs in with --ca-file (SLICEBROKER_CA_FILE); the profile keeps it, so later
    // commands need none.
    let mut admin = Slicectl::new(&c, "admin", Some("admin"));
    admin.ca_file = Some(ca_file.clone());
    admin
        .run_with_stdin(&["login"], Some(&c.admin_key))
        .await
        .ok();
    admin.ca_file = None;
    admin.run(&["tenant", "create", "vision"]).await.ok();
    let key = admin
        .run(&["key", "create", "alice", "--tenant", "vision", "-o", "json"])
        .await
        .json();
    let secret = key["secret"].as_str().unwrap().to_owned();
    let mut user = Slicectl::new(&c, "alice", None);
    user.ca_file = Some(ca_file.clone());
    user.run_with_stdin(&["login"], Some(&secret)).await.ok();
    user.ca_file = None;

    let lease = user
        .run(&[
            "lease", "create", "2g.20gb", "--for", "1h", "--wait", "-o", "json",
        ])
        .await
        .json();
    assert_eq!(lease["state"], "active", "{lease}");
    let mig = lease["slices"][0]["cuda_visible_devices"].as_str().unwrap();
    assert!(mig.starts_with("MIG-"), "{lease}");
    let id = lease["id"].as_str().unwrap().to_owned();
    user.run(&["lease", "release", &id]).await.ok();
    wait_until(DEADLINE, "the lease to end", async || {
        let l = user.run(&["lease", "show", &id, "-o", "json"]).await.json();
        if l["state"] == "ended" {
            Ok(())
        } else {
            Err(l["state"].clone())
        }
    })
    .await;

    // Without the CA: slicectl and the agent are refused, saying why and what to give.
    let stranger = Slicectl::new(&c, "stranger", None);
    let refused = stranger.run_with_stdin(&["login"], Some(&secret)).await;
    refused.fails_with(1, "UnknownIssuer");
    assert!(refused.stderr.contains("--ca-file"), "{refused:?}");
    let agent = tokio::process::Command::new(bin("slicebroker-agent"))
        .args(["--backend", "sim", "--sim-gpus", "a30"])
        .args(["run", "--server", &url, "--enrollment-token", "sbe_unused"])
        .arg("--checkpoint")
        .arg(c.dir.join("stranger-agent/checkpoint.json"))
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&agent.stderr);
    assert_eq!(agent.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("TLS with ") && stderr.contains("UnknownIssuer"),
        "{stderr}"
    );

    // A renewed certificate from another CA, copied over the files: SIGHUP, and new
    // connections get it.
    let renewed = TestCa::new("renewing CA");
    let renewed_ca = renewed.write_ca(&c.dir.join("renewed-ca.pem"));
    renewed.write_server_files(&c.dir);
    c.hangup_server(0);
    wait_until(DEADLINE, "the renewed certificate served", async || {
        // A fresh client each time: a pooled connection would keep the old certificate.
        match Http::new(&url, Some(renewed_ca.clone()))
            .try_request("GET", &format!("{url}/readyz"), None, None)
            .await
        {
            Ok(r) if r.status == 200 => Ok(()),
            Ok(r) => Err(format!("{} {}", r.status, r.text)),
            Err(e) => Err(e),
        }
    })
    .await;
    let old = Http::new(&url, Some(ca_file))
        .try_request("GET", &format!("{url}/readyz"), None, None)
        .await;
    assert!(
        old.as_ref().is_err_and(|e| e.contains("UnknownIssuer")),
        "{old:?}"
    );
}
