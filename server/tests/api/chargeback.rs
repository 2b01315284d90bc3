//! Chargeback over HTTP: the cost-rate card's refusals, audit and reading, and the usage
//! report's cost and CSV export, scoped to the caller's tenant.

use crate::errors::{Case, NIL, expect_problems, r, world};
use crate::harness::spawn_app;
use serde_json::json;

#[tokio::test]
async fn rate_cards_out_of_bounds_or_ambiguous_are_refused_naming_the_rate() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = app.admin_token().await;
    let put = |body: &'static str, status, code, field| -> Case<'static> {
        (r("PUT /v1/rates"), Some(body), status, code, field)
    };
    let many = Box::leak(
        json!({ "rates": (0..1001).map(|i| json!({ "profile": format!("p{i}"), "per_hour": 1 }))
            .collect::<Vec<_>>() })
        .to_string()
        .into_boxed_str(),
    );
    #[rustfmt::skip]
    let cases = [
        put(r#"{"rates":[{"per_hour":-1}]}"#, 400, "invalid_input", Some("/rates/0/per_hour")),
        put(r#"{"rates":[{"per_hour":1},{"profile":"1g.10gb","per_hour":1e7}]}"#, 400, "invalid_input", Some("/rates/1/per_hour")),
        put(r#"{"rates":[{"model":"","per_hour":1}]}"#, 400, "invalid_input", Some("/rates/0/model")),
        put(r#"{"rates":[{"profile":"1g.10gb","per_hour":1},{"profile":"1g.10gb","per_hour":2}]}"#, 400, "invalid_input", Some("/rates/1")),
        put(many, 400, "invalid_input", Some("rates")),
    ];
    expect_problems(&app, Some(&admin), &cases).await;
    let before = app.snapshot().await;
    let r = app
        .request(
            "PUT",
            "/v1/rates",
            Some(&admin),
            Some(r#"{"rates":[{"per_hour":1,"currency":"EUR"}]}"#),
            &[],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(
        app.snapshot().await,
        before,
        "an unknown field changes nothing"
    );
    expect_problems(
        &app,
        Some(&w.member),
        &[put(r#"{"rates":[]}"#, 403, "forbidden", None)],
    )
    .await;
}

#[tokio::test]
async fn admins_replace_the_rate_card_audited_and_everyone_reads_it() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = app.admin_token().await;
    let card = json!({ "rates": [
        { "model": "h100-80gb", "profile": "1g.10gb", "per_hour": 2.5 },
        { "model": null, "profile": null, "per_hour": 0.5 },
    ]});
    let put = |body: serde_json::Value| {
        let admin = admin.clone();
        let app = &app;
        async move {
            app.request(
                "PUT",
                "/v1/rates",
                Some(&admin),
                Some(&body.to_string()),
                &[],
            )
            .await
        }
    };
    put(card.clone()).await.ok(200);
    put(json!({ "rates": [{ "per_hour": 1 }] })).await.ok(200);
    let shown = app.get("/v1/rates", &w.member).await;
    assert_eq!(
        shown.ok(200)["rates"],
        json!([{ "model": null, "profile": null, "per_hour": 1.0 }])
    );
    let audit = app.get("/v1/rates/audit", &admin).await;
    let audit = audit.ok(200).as_array().unwrap().clone();
    assert_eq!(audit.len(), 2, "{audit:?}");
    assert_eq!(audit[0]["action"], "rates.replace");
    assert_eq!(audit[0]["before"]["rates"], json!([]));
    assert_eq!(audit[1]["before"]["rates"].as_array().unwrap().len(), 2);
    assert_eq!(audit[1]["after"], shown.body);
}

#[tokio::test]
async fn usage_is_priced_and_exported_as_csv_for_the_callers_tenant_only() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = app.admin_token().await;
    let (other, other_member) = app.tenant("team-b", serde_json::Value::Null).await;
    app.post(
        "/v1/leases",
        &other_member,
        &json!({"profile": "2g.20gb", "duration": "1h"}),
    )
    .await
    .ok(201);
    app.request(
        "PUT",
        "/v1/rates",
        Some(&admin),
        Some(r#"{"rates":[{"profile":"1g.10gb","per_hour":3}]}"#),
        &[],
    )
    .await
    .ok(200);
    let today = chrono::Utc::now().date_naive();
    let period = format!(
        "from={today}T00:00:00Z&to={}T00:00:00Z",
        today + chrono::Days::new(1)
    );

    let mine = app.get(&format!("/v1/usage?{period}"), &w.member).await;
    let rows = mine.ok(200).as_array().unwrap();
    assert_eq!(rows.len(), 1, "only the member's tenant: {rows:?}");
    let row = &rows[0];
    assert_eq!(row["tenant"], "team-a");
    let hours = row["slice_hours"].as_f64().unwrap();
    assert!(hours > 0.0, "{row}");
    assert!(
        (row["cost"].as_f64().unwrap() - 3.0 * hours).abs() < 1e-9,
        "{row}"
    );
    assert!(row["idle_held_slice_hours"].as_f64().unwrap() <= hours);

    let all = app.get(&format!("/v1/usage?{period}"), &admin).await;
    let rows = all.ok(200).as_array().unwrap();
    assert_eq!(rows.len(), 2, "admins see every tenant: {rows:?}");
    let b = rows.iter().find(|r| r["tenant"] == "team-b").unwrap();
    assert_eq!(b["cost"], serde_json::Value::Null, "no rate for 2g.20gb");

    for (query, accept) in [("&format=csv", None), ("", Some("text/csv"))] {
        let headers: Vec<(&str, &str)> = accept.map(|a| ("accept", a)).into_iter().collect();
        let csv = app
            .request(
                "GET",
                &format!("/v1/usage?{period}{query}"),
                Some(&admin),
                None,
                &headers,
            )
            .await;
        assert_eq!(csv.status, 200, "{}", csv.text);
        assert!(
            csv.content_type.starts_with("text/csv"),
            "{}",
            csv.content_type
        );
        let lines: Vec<&str> = csv.text.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "day,tenant_id,tenant,model,profile,slice_hours,compute_slice_hours,\
             idle_held_slice_hours,cost"
        );
        assert_eq!(
            lines.len(),
            4,
            "two rows and the final line end: {}",
            csv.text
        );
        let b_line = lines.iter().find(|l| l.contains(",team-b,")).unwrap();
        assert!(
            b_line.starts_with(&format!("{today},{other},team-b,h100-80gb,2g.20gb,")),
            "{b_line}"
        );
        assert!(b_line.ends_with(','), "unpriced: empty cost: {b_line}");
    }

    let t = &w.tenant;
    #[rustfmt::skip]
    let cases = [
        (format!("GET /v1/usage?{period}&format=xml"), None, 400, "invalid_input", Some("format")),
        (format!("GET /v1/usage?{period}&tenant_id={other}"), None, 404, "not_found", None),
        (format!("GET /v1/usage?{period}&tenant_id={NIL}&format=csv"), None, 404, "not_found", None),
    ];
    expect_problems(&app, Some(&w.member), &cases).await;
    app.get(&format!("/v1/usage?{period}&tenant_id={t}"), &w.member)
        .await
        .ok(200);
    // An admin naming a tenant that does not exist is told so, not given an empty report.
    let admin = app.admin_token().await;
    #[rustfmt::skip]
    let cases = [
        (format!("GET /v1/usage?{period}&tenant_id={NIL}"), None, 404, "not_found", None),
        (format!("GET /v1/usage/rightsizing?{period}&tenant_id={NIL}"), None, 404, "not_found", None),
        (format!("GET /v1/leases?tenant_id={NIL}"), None, 404, "not_found", None),
    ];
    expect_problems(&app, Some(&admin), &cases).await;
    app.get(&format!("/v1/leases?tenant_id={t}"), &admin)
        .await
        .ok(200);
}
