//! Shared helpers for the VM's integration tests: random circuits, the shared
//! Bristol circuits, and running a backend next to the plaintext reference.
#![allow(dead_code)]

pub mod tap;

use std::path::PathBuf;
use std::sync::Arc;

use proptest::prelude::*;
use veil_circuit::{BristolOptions, CircuitBuilder, Domain, ValidCircuit, Value, ValueType, Wire};
use veil_vm::net::NetError;
use veil_vm::ot::OtError;
use veil_vm::preprocess::Preprocessing;
use veil_vm::{prepare, run_local, BackendKind, BackendOptions, LocalOptions, Protocol, VmError};

/// `../shared/circuits`, if this checkout has it.
pub fn shared_circuits() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/circuits");
    dir.is_dir().then_some(dir)
}

/// Reads a shared Bristol circuit (with at least two parties).
pub fn bristol(path: &std::path::Path, msb: bool) -> ValidCircuit {
    let text = std::fs::read_to_string(path).expect("circuit file");
    let opts = BristolOptions {
        bit_order: if msb {
            veil_circuit::BitOrder::MsbFirst
        } else {
            veil_circuit::BitOrder::LsbFirst
        },
        ..BristolOptions::default()
    };
    veil_circuit::bristol::read(&text, &opts).expect("valid Bristol circuit")
}

/// Runs `kind` in local mode and returns, per party, what it received.
pub fn run(kind: BackendKind, circuit: &ValidCircuit, inputs: &[Value]) -> Vec<Vec<Option<Value>>> {
    let circuit = Arc::new(circuit.clone());
    let protocol = prepare(kind, Arc::clone(&circuit)).expect("backend accepts the circuit");
    run_local(&protocol, &circuit, inputs, LocalOptions::default())
        .expect("run succeeds")
        .outputs
}

/// What each party should receive, from the plaintext evaluator.
pub fn expected(
    circuit: &ValidCircuit,
    inputs: &[Value],
    parties: usize,
) -> Vec<Vec<Option<Value>>> {
    let out = veil_circuit::evaluate(circuit, inputs).expect("plaintext evaluation");
    (0..parties)
        .map(|p| {
            circuit
                .circuit()
                .outputs
                .iter()
                .zip(&out)
                .map(|(g, v)| g.recipients.contains(&(p as u32)).then(|| v.clone()))
                .collect()
        })
        .collect()
}

/// A random gate, as indices into the wires built so far.
#[derive(Debug, Clone)]
pub enum RandGate {
    Xor(usize, usize),
    And(usize, usize),
    Not(usize),
    Const(bool),
    Copy(usize),
}

/// A random two-party Boolean circuit and inputs for it.
#[derive(Debug, Clone)]
pub struct RandCircuit {
    pub circuit: ValidCircuit,
    pub inputs: Vec<Value>,
}

fn gate() -> impl Strategy<Value = RandGate> {
    let idx = any::<prop::sample::Index>();
    prop_oneof![
        4 => (idx.clone(), any::<prop::sample::Index>()).prop_map(|(a, b)| RandGate::Xor(a.index(usize::MAX), b.index(usize::MAX))),
        4 => (idx.clone(), any::<prop::sample::Index>()).prop_map(|(a, b)| RandGate::And(a.index(usize::MAX), b.index(usize::MAX))),
        1 => idx.clone().prop_map(|a| RandGate::Not(a.index(usize::MAX))),
        1 => any::<bool>().prop_map(RandGate::Const),
        1 => idx.prop_map(|a| RandGate::Copy(a.index(usize::MAX))),
    ]
}

/// Random circuits over `parties` parties: secret and public inputs of a few
/// bits each, up to `max_gates` gates, outputs to random recipient sets.
pub fn rand_circuit(parties: usize, max_gates: usize) -> impl Strategy<Value = RandCircuit> {
    let inputs = prop::collection::vec((0..parties, 1u32..=8, any::<bool>(), any::<u64>()), 1..6);
    let gates = prop::collection::vec(gate(), 0..max_gates);
    let outputs = prop::collection::vec(
        (any::<prop::sample::Index>(), 1u32..=4, 1u32..(1 << parties)),
        1..5,
    );
    (inputs, gates, outputs).prop_map(move |(inputs, gates, outputs)| {
        let mut b = CircuitBuilder::new(64);
        let ps: Vec<u32> = (0..parties).map(|i| b.party(format!("p{i}"))).collect();
        let mut wires: Vec<Wire> = Vec::new();
        let mut values = Vec::new();
        for (k, &(owner, bits, public, raw)) in inputs.iter().enumerate() {
            let ty = ValueType::Int {
                signed: false,
                bits,
            };
            let ws = b.input(
                ps[owner],
                format!("in{k}"),
                ty.clone(),
                public && k % 2 == 0,
                Domain::Bool,
            );
            wires.extend(ws.iter());
            let v = raw & ((1u64 << bits) - 1);
            values.push(Value::Int(veil_circuit::IntValue::from_u128_wrapping(
                false,
                bits,
                u128::from(v),
            )));
        }
        for g in gates {
            let n = wires.len();
            let w = match g {
                RandGate::Xor(a, c) => b.xor(wires[a % n], wires[c % n]),
                RandGate::And(a, c) => b.and(wires[a % n], wires[c % n]),
                RandGate::Not(a) => b.not(wires[a % n]),
                RandGate::Const(v) => b.constant(v),
                RandGate::Copy(a) => b.copy(wires[a % n]),
            };
            wires.push(w);
        }
        for (k, (start, width, mask)) in outputs.into_iter().enumerate() {
            let n = wires.len();
            let s = start.index(n);
            let ws: Vec<Wire> = (0..width as usize).map(|i| wires[(s + i) % n]).collect();
            let recipients: Vec<u32> = (0..parties as u32).filter(|p| mask >> p & 1 == 1).collect();
            b.output(
                format!("out{k}"),
                recipients,
                ValueType::Int {
                    signed: false,
                    bits: width,
                },
                Domain::Bool,
                ws,
            );
        }
        let circuit = b.finish().expect("random circuit is valid");
        RandCircuit {
            circuit,
            inputs: values,
        }
    })
}

/// The value of type `ty` (an integer) whose hexadecimal digits are `hex`,
/// bit i on wire i, as `vectors.json` writes them.
pub fn hex_value(ty: &ValueType, hex: &str) -> Value {
    let ValueType::Int { bits, .. } = ty else {
        panic!("Bristol inputs are integers")
    };
    let digits: Vec<u32> = hex
        .chars()
        .rev()
        .map(|c| c.to_digit(16).expect("hex"))
        .collect();
    let bitsv: Vec<bool> = (0..*bits as usize)
        .map(|i| digits.get(i / 4).copied().unwrap_or(0) >> (i % 4) & 1 == 1)
        .collect();
    Value::from_bits(ty, &bitsv).expect("value")
}

/// The inverse of [`hex_value`].
pub fn to_hex(v: &Value) -> String {
    let bits = v.to_bits();
    let mut digits = String::new();
    for chunk in bits.chunks(4).rev() {
        let d = chunk
            .iter()
            .enumerate()
            .map(|(i, &b)| u32::from(b) << i)
            .sum::<u32>();
        digits.push(char::from_digit(d, 16).expect("digit"));
    }
    digits
}

/// One circuit of `../shared/circuits/vectors.json` with its known answers.
pub struct VectorSet {
    /// The circuit's path under `shared/circuits`.
    pub path: String,
    pub circuit: ValidCircuit,
    /// Per vector: its name, one value per input group, and the expected
    /// outputs in hexadecimal without leading zeros.
    pub vectors: Vec<(String, Vec<Value>, Vec<String>)>,
}

impl VectorSet {
    /// The inputs of every vector, for `run_local_many`.
    pub fn runs(&self) -> Vec<Vec<Value>> {
        self.vectors
            .iter()
            .map(|(_, inputs, _)| inputs.clone())
            .collect()
    }

    /// Checks what every party received in a run of vector `i`: the
    /// circuit's own parties get every output with the expected value, a
    /// helper party (beyond the circuit's) gets nothing.
    pub fn check(&self, i: usize, received: &[Vec<Option<Value>>], label: &str) {
        let (name, _, want) = &self.vectors[i];
        let own = self.circuit.circuit().parties.len();
        for (party, outs) in received.iter().enumerate() {
            if party >= own {
                assert!(
                    outs.iter().all(Option::is_none),
                    "{label}: helper {party} got an output"
                );
                continue;
            }
            for (k, want) in want.iter().enumerate() {
                let value = outs[k]
                    .as_ref()
                    .expect("every party receives Bristol outputs");
                assert_eq!(
                    to_hex(value).trim_start_matches('0'),
                    want,
                    "{} [{name}] party {party} output {k} ({label})",
                    self.path
                );
            }
        }
    }
}

/// Every circuit of `vectors.json` whose path passes `keep`, or `None` (after
/// saying so) when `../shared/circuits` is absent.
pub fn shared_vectors(keep: impl Fn(&str) -> bool) -> Option<Vec<VectorSet>> {
    let Some(dir) = shared_circuits() else {
        eprintln!("skipping: ../shared/circuits is absent");
        return None;
    };
    let text = std::fs::read_to_string(dir.join("vectors.json")).expect("vectors.json");
    let json: serde_json::Value = serde_json::from_str(&text).expect("json");
    let mut sets = Vec::new();
    for (path, c) in json["circuits"].as_object().expect("circuits") {
        if !keep(path) {
            continue;
        }
        let circuit = bristol(&dir.join(path), c["encoding"] == "msb-first");
        let vectors = c["vectors"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| {
                let inputs = circuit
                    .circuit()
                    .inputs
                    .iter()
                    .zip(v["inputs"].as_array().expect("inputs"))
                    .map(|(g, i)| hex_value(&g.ty, i["hex"].as_str().expect("hex")))
                    .collect();
                let outputs = v["outputs"]
                    .as_array()
                    .expect("outputs")
                    .iter()
                    .map(|o| {
                        o["hex"]
                            .as_str()
                            .expect("hex")
                            .trim_start_matches('0')
                            .to_string()
                    })
                    .collect();
                (v["name"].to_string(), inputs, outputs)
            })
            .collect();
        sets.push(VectorSet {
            path: path.clone(),
            circuit,
            vectors,
        });
    }
    Some(sets)
}

/// Runs `instances` of `circuit` as one batch and checks every instance for
/// every party: the batch gives what the plaintext reference gives, and so
/// does a separate run of every `separate_every`-th instance.
pub fn check_batch(
    protocol: &Arc<dyn Protocol>,
    circuit: &Arc<ValidCircuit>,
    instances: &[Vec<Value>],
    separate_every: usize,
    label: &str,
) {
    let together = veil_vm::run_local_batches(
        protocol,
        circuit,
        std::slice::from_ref(&instances.to_vec()),
        LocalOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{label}: batched run: {e}"));
    // The separate runs share one session, as a user's repeated runs would.
    let picked: Vec<Vec<Value>> = instances.iter().step_by(separate_every).cloned().collect();
    let separate = veil_vm::run_local_many(protocol, circuit, &picked, LocalOptions::default())
        .unwrap_or_else(|e| panic!("{label}: separate runs: {e}"));
    let parties = protocol.parties().len();
    for (i, inputs) in instances.iter().enumerate() {
        let want = expected(circuit, inputs, parties);
        if i % separate_every == 0 {
            assert_eq!(
                separate[i / separate_every].outputs,
                want,
                "{label}: separate run {i}"
            );
        }
        for (p, want) in want.iter().enumerate() {
            assert_eq!(
                &together[0].instances[p][i],
                want,
                "{label}: {} instances, instance {i}, party {p}",
                instances.len()
            );
        }
    }
}

/// An unsigned integer type of `bits` bits.
pub fn uint(bits: u32) -> ValueType {
    ValueType::Int {
        signed: false,
        bits,
    }
}

/// An unsigned value of `bits` bits.
pub fn uv(bits: u32, x: u128) -> Value {
    Value::int(false, bits, x)
}

/// Four copies of `x` as u64s (the inputs of the privacy tests' circuits).
pub fn array4(x: u64) -> Value {
    Value::Array((0..4).map(|_| uv(64, u128::from(x))).collect())
}

/// Property-test cases: `default`, or `VEIL_PROPTEST_CASES`.
pub fn cases(default: u32) -> u32 {
    std::env::var("VEIL_PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Backend options of the sharing protocols' tests.
pub fn options(parties: Option<usize>, preprocessing: Preprocessing) -> BackendOptions {
    BackendOptions {
        parties,
        preprocessing,
    }
}

/// Whether `e` only echoes a peer's hang-up (seen from the other end).
pub fn is_disconnection(e: &VmError) -> bool {
    matches!(
        e,
        VmError::Net(NetError::Disconnected { .. })
            | VmError::Ot(OtError::Net(NetError::Disconnected { .. }))
    )
}

/// The fraction of 1 bits in `bytes`.
pub fn byte_balance(bytes: &[u8]) -> f64 {
    let ones: u64 = bytes.iter().map(|b| u64::from(b.count_ones())).sum();
    ones as f64 / (8 * bytes.len()) as f64
}

/// Ripple-carry `x + y` (wrapping), one AND per bit after the first.
pub fn add_bits(b: &mut CircuitBuilder, x: &[Wire], y: &[Wire]) -> Vec<Wire> {
    let mut out = Vec::with_capacity(x.len());
    let mut carry: Option<Wire> = None;
    for i in 0..x.len() {
        let s = b.xor(x[i], y[i]);
        out.push(match carry {
            Some(c) => b.xor(s, c),
            None => s,
        });
        if i + 1 < x.len() {
            carry = Some(match carry {
                None => b.and(x[i], y[i]),
                Some(c) => {
                    // c' = c ⊕ ((x ⊕ c) ∧ (y ⊕ c))
                    let xc = b.xor(x[i], c);
                    let yc = b.xor(y[i], c);
                    let t = b.and(xc, yc);
                    b.xor(c, t)
                }
            });
        }
    }
    out
}
