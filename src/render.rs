//! Renders compiler diagnostics for people: ariadne reports with
//! `file:line:column`, coloured on a terminal and plain otherwise.

use std::io::Write;

use ariadne::{CharSet, Config, IndexType, Label, Report, ReportKind};
use veil_compiler::diagnostic::{Diagnostic, Severity};
use veil_compiler::span::{SourceMap, Span};

/// Writes every diagnostic to `out`; `color` selects terminal styling.
pub fn diagnostics(out: &mut dyn Write, sources: &SourceMap, diags: &[Diagnostic], color: bool) {
    let cache = ariadne::sources(
        sources
            .files()
            .map(|(_, f)| (f.path.display().to_string(), f.text.clone()))
            .collect::<Vec<_>>(),
    );
    let mut cache = cache;
    for d in diags {
        let report = build(sources, d, color);
        // A failed write to stderr leaves nothing better to do than carry on.
        let _ = report.write(&mut cache, &mut *out);
    }
}

fn located(sources: &SourceMap, span: Span) -> (String, std::ops::Range<usize>) {
    let file = sources.get(span.file);
    let len = file.text.len();
    let start = (span.start as usize).min(len);
    let end = (span.end as usize).clamp(start, len);
    (file.path.display().to_string(), start..end)
}

fn build(
    sources: &SourceMap,
    d: &Diagnostic,
    color: bool,
) -> Report<'static, (String, std::ops::Range<usize>)> {
    let kind = match d.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let config = Config::default()
        .with_color(color)
        .with_index_type(IndexType::Byte)
        .with_char_set(if color {
            CharSet::Unicode
        } else {
            CharSet::Ascii
        });
    let mut report = Report::build(kind, located(sources, d.primary.span))
        .with_config(config)
        .with_code(d.code)
        .with_message(&d.message);
    // ariadne starts a new section whenever a label lies above the previous
    // one, so labels go in source order to keep one file in one section.
    let mut labels: Vec<&veil_compiler::diagnostic::Label> =
        std::iter::once(&d.primary).chain(&d.secondary).collect();
    labels.sort_by_key(|l| (l.span.file, l.span.start));
    for (i, l) in labels.into_iter().enumerate() {
        let label = Label::new(located(sources, l.span)).with_order(i as i32);
        report = report.with_label(if l.text.is_empty() {
            label
        } else {
            label.with_message(&l.text)
        });
    }
    if let Some(help) = &d.help {
        report = report.with_help(help);
    }
    report.finish()
}
