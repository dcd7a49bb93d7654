//! `veil party` (this process is one party of a run over mutually
//! authenticated TLS) and `veil keygen` (certificates for a test network).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use veil_circuit::binding::GivenInput;
use veil_vm::net::config::NetConfig;
use veil_vm::net::tls;
use veil_vm::{run_network, NetworkOptions};

use crate::logger::{self, LogLevel};
use crate::{circuit_for, inputs, local, output, Backend, BuildArgs, OutputArgs, ProtocolArgs};

/// The program or an input is wrong.
const EXIT_INVALID: u8 = 1;
/// The command line is wrong.
const EXIT_USAGE: u8 = 2;

#[derive(Debug, clap::Args)]
pub struct PartyArgs {
    /// A `.mpc` program, a `.vc` circuit, or a Bristol circuit: the same file
    /// (or the same compiled circuit) for every party.
    file: PathBuf,
    /// The parties' addresses and certificates (`parties.toml`, see docs/deployment.md).
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// Which party this process is: its name in the program and in the configuration.
    #[arg(long, value_name = "PARTY")]
    id: String,
    /// The protocol: `gc`, `gmw`, `arith`, `rep3` (or `clear`, a reference with no privacy).
    #[arg(long, value_enum)]
    backend: Backend,
    /// One of this party's inputs: `NAME=VALUE` (or `PARTY.NAME=VALUE` with
    /// this party's name), VALUE as for `veil run`.
    #[arg(long = "input", value_name = "NAME=VALUE")]
    inputs: Vec<String>,
    #[command(flatten)]
    output: OutputArgs,
    /// Seconds to wait for a silent peer once connected; then every party stops (exit 3).
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    timeout: u64,
    /// Seconds to keep trying to reach the other parties, which may start in any order.
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    connect_timeout: u64,
    /// How much to say on stderr.
    #[arg(long, value_enum, default_value = "info")]
    log_level: LogLevel,
    #[command(flatten)]
    protocol: ProtocolArgs,
    #[command(flatten)]
    build: BuildArgs,
}

#[derive(Debug, clap::Args)]
pub struct KeygenArgs {
    /// The parties' configuration: a certificate and key are written for each
    /// party, at its `certificate` and `key` paths.
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// Replace certificates and keys that already exist.
    #[arg(long)]
    force: bool,
}

/// Runs this process's party; prints its outputs once every party is done.
pub fn party(args: &PartyArgs) -> u8 {
    logger::init(&args.id, args.log_level);
    let Some(kind) = args.backend.protocol() else {
        eprintln!("error: `veil party` runs a protocol among processes; `--backend interp` runs the whole program in one (use `veil run`)");
        return EXIT_USAGE;
    };
    let given = match own_inputs(&args.inputs, &args.id) {
        Ok(g) => g,
        Err(code) => return code,
    };
    let config = match NetConfig::load(&args.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INVALID;
        }
    };
    let circuit = match circuit_for(&args.file, &args.build, args.backend.default_target()) {
        Ok(c) => Arc::new(c),
        Err(code) => return code,
    };
    let options = args.protocol.options();
    let protocol = match local::protocol(kind, &circuit, &options) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let Some(me) = protocol.parties().iter().position(|p| *p == args.id) else {
        eprintln!(
            "error: `{}` is not a party of this {} run (its parties are {})",
            args.id,
            kind.name(),
            protocol.parties().join(", ")
        );
        return EXIT_INVALID;
    };
    let n = args.protocol.parallel as usize;
    let own = match local::bind_instances_for(&circuit, &given, n, Some(me)) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let total = protocol.paid_gates() * n as u64;
    let result = local::with_progress(total, |progress| {
        let options = NetworkOptions {
            connect_deadline: Duration::from_secs(args.connect_timeout),
            timeout: Duration::from_secs(args.timeout),
            progress,
            ..NetworkOptions::default()
        };
        run_network(&protocol, &circuit, &config, &args.id, &own, &options)
    });
    let run = match result {
        Ok(r) => r,
        Err(e) => return local::report_error(&e),
    };
    let parties = protocol.parties().len();
    for line in local::cost_report(
        protocol.as_ref(),
        parties,
        n,
        run.wall,
        std::slice::from_ref(&run.report),
        false,
    )
    .lines()
    {
        log::info!("{}", line.trim_start());
    }
    let c = circuit.circuit();
    let names: Vec<String> = c.outputs.iter().map(|o| o.name.clone()).collect();
    let mine = if n == 1 {
        run.instances.into_iter().next().unwrap_or_default()
    } else {
        local::instances_as_arrays(&[run.instances], names.len())
            .pop()
            .unwrap_or_default()
    };
    let text = if args.output.json {
        output::json(
            &output::Received {
                parties: std::slice::from_ref(&args.id),
                outputs: &names,
                received: std::slice::from_ref(&mine),
            },
            args.output.hex,
        )
    } else {
        output::text_unprefixed(&names, &mine, args.output.hex)
    };
    print!("{text}");
    if args.output.stats {
        use std::io::Write;
        let _ = std::io::stdout().flush();
        eprint!(
            "{}",
            local::cost_report(
                protocol.as_ref(),
                parties,
                n,
                run.wall,
                &[run.report],
                args.output.json
            )
        );
    }
    0
}

/// This party's `--input`s: `NAME=VALUE`, or `PARTY.NAME=VALUE` naming this party.
fn own_inputs(args: &[String], me: &str) -> Result<Vec<GivenInput>, u8> {
    let mut given = inputs::read_all(args).map_err(|e| {
        eprintln!("{e}");
        EXIT_INVALID
    })?;
    for g in &mut given {
        match &g.party {
            Some(p) if p != me => {
                eprintln!(
                    "error[E0050]: `--input {p}.{}`: this process is party `{me}`; each party gives only its own inputs",
                    g.name
                );
                return Err(EXIT_INVALID);
            }
            _ => g.party = Some(me.to_string()),
        }
    }
    Ok(given)
}

/// Writes a self-signed certificate and key for every configured party.
pub fn keygen(args: &KeygenArgs) -> u8 {
    let config = match NetConfig::load(&args.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INVALID;
        }
    };
    match tls::keygen(&config, args.force) {
        Ok(paths) => {
            for p in paths {
                println!("wrote {}", p.display());
            }
            eprintln!(
                "note: these certificates are self-signed, for a test network; give each party only its own key (docs/deployment.md)"
            );
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_INVALID
        }
    }
}
