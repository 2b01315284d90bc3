//! `slicectl classes`: the slice classes the caller may use (admins: every class).

use super::Ctx;
use crate::error::Result;
use crate::output::{self, Style, Table};
use slicebroker_types::api::SliceClass;

pub async fn list(ctx: &mut Ctx) -> Result<()> {
    let classes: Vec<SliceClass> = ctx.session.get("/v1/classes").await?;
    ctx.show(classes.as_slice(), classes_table);
    Ok(())
}

/// What a class gives, in one cell: its profile per model, then its need elsewhere.
fn gives(c: &SliceClass) -> String {
    let mut parts: Vec<String> = c
        .profiles
        .iter()
        .map(|(model, profile)| format!("{profile} on {model}"))
        .collect();
    if let Some(gib) = c.min_memory_gib {
        let need = format!("≥{gib}GiB/≥{}g", c.min_compute_slices.unwrap_or(1));
        parts.push(if c.profiles.is_empty() {
            need
        } else {
            format!("{need} elsewhere")
        });
    }
    parts.join(", ")
}

fn classes_table(classes: &[SliceClass], style: &Style) -> String {
    if classes.is_empty() {
        return "No slice classes are open to you.\n".into();
    }
    let mut t = Table::new(&[
        "class",
        "gives",
        "default",
        "longest",
        "idle timeout",
        "priority",
        "description",
    ]);
    for c in classes {
        t.row(vec![
            c.name.clone().into(),
            gives(c).into(),
            output::duration(c.default_duration_seconds).into(),
            output::duration(c.max_duration_seconds).into(),
            output::duration(c.idle_timeout_seconds).into(),
            c.priority.to_string().into(),
            c.description.clone().into(),
        ]);
    }
    t.render(style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_class_row_says_what_it_gives_per_model_and_elsewhere() {
        let now = chrono::Utc::now();
        let c = SliceClass {
            name: "notebook".into(),
            description: "Notebooks".into(),
            profiles: [("h100-80gb".to_owned(), "1g.10gb".to_owned())].into(),
            min_memory_gib: Some(10),
            min_compute_slices: None,
            default_duration_seconds: 3600,
            max_duration_seconds: 8 * 3600,
            idle_timeout_seconds: 1800,
            priority: 0,
            tenants: None,
            created_at: now,
            updated_at: now,
        };
        assert_eq!(gives(&c), "1g.10gb on h100-80gb, ≥10GiB/≥1g elsewhere");
        let text = classes_table(&[c], &Style { color: false });
        assert!(text.contains("notebook"), "{text}");
    }
}
