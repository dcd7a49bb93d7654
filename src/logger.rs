//! `--log-level` for `veil party`: the VM's log records (connections made
//! and refused, the run summary) on stderr, each line naming this party, so
//! that logs of several organisations' processes can be told apart.

use std::io::Write;
use std::time::Instant;

use clap::ValueEnum;

/// How much a party process says on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogLevel {
    /// Only errors.
    Error,
    /// Errors and warnings (rejected connections, a peer gone after the run).
    Warn,
    /// Also connections made and the per-run summary (the default).
    Info,
    /// Also set-up details (addresses, timings, the session digest).
    Debug,
}

impl LogLevel {
    fn filter(self) -> log::LevelFilter {
        match self {
            LogLevel::Error => log::LevelFilter::Error,
            LogLevel::Warn => log::LevelFilter::Warn,
            LogLevel::Info => log::LevelFilter::Info,
            LogLevel::Debug => log::LevelFilter::Debug,
        }
    }
}

struct StderrLogger {
    party: String,
    start: Instant,
}

impl log::Log for StderrLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        // Veil's own records only: dependencies' logs are not for users.
        metadata.target().starts_with("veil")
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let level = match record.level() {
            log::Level::Error => "error",
            log::Level::Warn => "warning",
            log::Level::Info => "info",
            log::Level::Debug | log::Level::Trace => "debug",
        };
        let _ = writeln!(
            std::io::stderr().lock(),
            "[{:8.3}s {}] {level}: {}",
            self.start.elapsed().as_secs_f64(),
            self.party,
            record.args()
        );
    }

    fn flush(&self) {}
}

/// Sends log records at `level` and above to stderr, tagged with `party`.
pub fn init(party: &str, level: LogLevel) {
    let logger = StderrLogger {
        party: party.to_string(),
        start: Instant::now(),
    };
    if log::set_boxed_logger(Box::new(logger)).is_ok() {
        log::set_max_level(level.filter());
    }
}
