//! Writing the Prometheus text exposition format (version 0.0.4): one family at a time, its
//! `HELP` and `TYPE` first, label values escaped, non-finite values spelled as Prometheus
//! spells them.

use std::fmt::Write;

#[derive(Debug, Default)]
pub struct Text {
    out: String,
}

impl Text {
    /// Starts a family; its samples must follow before the next family starts.
    pub fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.out, "# HELP {name} {help}");
        let _ = writeln!(self.out, "# TYPE {name} {kind}");
    }

    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.out.push_str(name);
        if !labels.is_empty() {
            self.out.push_str(&labels_block(labels));
        }
        self.out.push(' ');
        push_value(&mut self.out, value);
        self.out.push('\n');
    }

    /// A sample whose labels were written once by [`labels_block`], for series that carry the
    /// same labels in several families (each slice's five).
    pub fn sample_with(&mut self, name: &str, block: &str, value: f64) {
        self.out.push_str(name);
        self.out.push_str(block);
        self.out.push(' ');
        push_value(&mut self.out, value);
        self.out.push('\n');
    }

    /// A family of one unlabelled sample.
    pub fn single(&mut self, name: &str, kind: &str, help: &str, value: f64) {
        self.family(name, kind, help);
        self.sample(name, &[], value);
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// `{a="x",b="y"}`, values escaped.
pub fn labels_block(labels: &[(&str, &str)]) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in labels.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{k}=\"");
        for c in v.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                '\n' => out.push_str("\\n"),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    out.push('}');
    out
}

fn push_value(out: &mut String, v: f64) {
    if v.is_nan() {
        out.push_str("NaN");
    } else if v == f64::INFINITY {
        out.push_str("+Inf");
    } else if v == f64::NEG_INFINITY {
        out.push_str("-Inf");
    } else {
        let _ = write!(out, "{v}");
    }
}

/// A histogram with fixed upper bounds: counts per bucket (not cumulative), sum and count.
#[derive(Clone, Debug)]
pub struct Histogram {
    bounds: &'static [f64],
    counts: Vec<u64>,
    sum: f64,
}

impl Histogram {
    pub fn new(bounds: &'static [f64]) -> Self {
        Self {
            bounds,
            counts: vec![0; bounds.len() + 1],
            sum: 0.0,
        }
    }

    pub fn observe(&mut self, v: f64) {
        let i = self.bounds.partition_point(|&b| b < v);
        self.counts[i] += 1;
        self.sum += v;
    }

    /// Writes `<name>_bucket` (cumulative, ending with `+Inf`), `<name>_sum` and
    /// `<name>_count` with `labels` (the family must have been started).
    pub fn render(&self, text: &mut Text, name: &str, labels: &[(&str, &str)]) {
        let bucket = format!("{name}_bucket");
        let mut cumulative = 0;
        for (i, n) in self.counts.iter().enumerate() {
            cumulative += n;
            let le = self
                .bounds
                .get(i)
                .map_or_else(|| "+Inf".to_owned(), |b| b.to_string());
            let mut with_le = labels.to_vec();
            with_le.push(("le", &le));
            text.sample(&bucket, &with_le, cumulative as f64);
        }
        text.sample(&format!("{name}_sum"), labels, self.sum);
        text.sample(&format!("{name}_count"), labels, cumulative as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_counts_each_value_in_the_first_bucket_that_holds_it_cumulatively() {
        let mut h = Histogram::new(&[0.125, 1.0]);
        for v in [0.0625, 0.125, 0.5, 2.0] {
            h.observe(v);
        }
        let mut t = Text::default();
        t.family("x", "histogram", "X.");
        h.render(&mut t, "x", &[("a", "b")]);
        let out = t.finish();
        assert!(out.contains("x_bucket{a=\"b\",le=\"0.125\"} 2\n"), "{out}");
        assert!(out.contains("x_bucket{a=\"b\",le=\"1\"} 3\n"), "{out}");
        assert!(out.contains("x_bucket{a=\"b\",le=\"+Inf\"} 4\n"), "{out}");
        assert!(out.contains("x_sum{a=\"b\"} 2.6875\n"), "{out}");
        assert!(out.contains("x_count{a=\"b\"} 4\n"), "{out}");
    }

    #[test]
    fn label_values_are_escaped_and_infinities_spelled_as_prometheus_does() {
        let mut t = Text::default();
        t.sample("y", &[("h", "a\"b\\c\nd")], f64::INFINITY);
        assert_eq!(t.finish(), "y{h=\"a\\\"b\\\\c\\nd\"} +Inf\n");
    }
}
