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
    let primary = Label::new(located(sources, d.primary.span)).with_order(0);
    report = report.with_label(if d.primary.text.is_empty() {
        primary
    } else {
        primary.with_message(&d.primary.text)
    });
    for (i, l) in d.secondary.iter().enumerate() {
        report = report.with_label(
            Label::new(located(sources, l.span))
                .with_message(&l.text)
                .with_order(i as i32 + 1),
        );
    }
    if let Some(help) = &d.help {
        report = report.with_help(help);
    }
    report.finish()
}
