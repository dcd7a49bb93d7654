//! Known answers: every vector of `shared/circuits/vectors.json`, on the
//! circuit as read from its Bristol file and after every round trip
//! (Bristol export and import, `.vc`, text).

mod common;

use std::fs;

use serde_json::Value as Json;
use veil_circuit::bristol::{self, BitOrder, BristolFormat, BristolOptions};
use veil_circuit::{evaluate, evaluate_bits, text, vc, Literal, ValidCircuit, Value, ValueType};

struct Vector {
    name: String,
    /// Per value: (bits in wire order, typed value read from the hex with the file's encoding).
    inputs: Vec<(Vec<bool>, Value)>,
    outputs: Vec<(Vec<bool>, Value)>,
}

fn str_field<'a>(j: &'a Json, key: &str) -> &'a str {
    j.get(key)
        .and_then(Json::as_str)
        .unwrap_or_else(|| panic!("missing string `{key}` in {j}"))
}

fn values(j: &Json, key: &str, widths: &[u32]) -> Vec<(Vec<bool>, Value)> {
    let items = j[key].as_array().expect("a list of values");
    assert_eq!(items.len(), widths.len(), "{key} count");
    items
        .iter()
        .zip(widths)
        .map(|(item, &w)| {
            let bits: Vec<bool> = str_field(item, "bits")
                .chars()
                .map(|c| match c {
                    '0' => false,
                    '1' => true,
                    other => panic!("bad bit `{other}`"),
                })
                .collect();
            assert_eq!(bits.len(), w as usize);
            let ty = ValueType::Int {
                signed: false,
                bits: w,
            };
            let value = Literal::parse(&format!("0x{}", str_field(item, "hex")))
                .and_then(|l| l.to_value(&ty))
                .expect("hex value of the stated width");
            (bits, value)
        })
        .collect()
}

fn widths(j: &Json, key: &str) -> Vec<u32> {
    j["header"][key]
        .as_array()
        .expect("widths")
        .iter()
        .map(|w| w.as_u64().expect("a width") as u32)
        .collect()
}

fn check_all(circuit: &ValidCircuit, vectors: &[Vector], what: &str) {
    for v in vectors {
        let ins: Vec<Value> = v.inputs.iter().map(|(_, x)| x.clone()).collect();
        let want: Vec<Value> = v.outputs.iter().map(|(_, x)| x.clone()).collect();
        let got = evaluate(circuit, &ins).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(got, want, "{what}: vector `{}`", v.name);
    }
}

#[test]
fn every_vector_on_every_form_of_every_circuit() {
    let Some(dir) = common::shared_circuits() else {
        return;
    };
    let json: Json = serde_json::from_str(
        &fs::read_to_string(dir.join("vectors.json")).expect("vectors.json is readable"),
    )
    .expect("vectors.json is JSON");
    let circuits = json["circuits"].as_object().expect("a `circuits` object");
    assert!(circuits.len() >= 17, "only {} circuits", circuits.len());
    let mut checked = 0;
    for (path, spec) in circuits {
        let text = fs::read_to_string(dir.join(path)).expect("circuit file is readable");
        let format = match str_field(spec, "format") {
            "bristol-fashion" => BristolFormat::Fashion,
            "bristol-format-old" => BristolFormat::Old,
            other => panic!("unknown format {other}"),
        };
        assert_eq!(bristol::detect_format(&text), Some(format), "{path}");
        let order = match str_field(spec, "encoding") {
            "lsb-first" => BitOrder::LsbFirst,
            "msb-first" => BitOrder::MsbFirst,
            other => panic!("unknown encoding {other}"),
        };
        let in_w = widths(spec, "input_widths");
        let out_w = widths(spec, "output_widths");
        let vectors: Vec<Vector> = spec["vectors"]
            .as_array()
            .expect("vectors")
            .iter()
            .map(|v| Vector {
                name: str_field(v, "name").to_string(),
                inputs: values(v, "inputs", &in_w),
                outputs: values(v, "outputs", &out_w),
            })
            .collect();

        // Wire order, straight from the bit strings.
        let raw = bristol::read(&text, &BristolOptions::default())
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(
            raw.circuit().gates.len() as u64,
            spec["header"]["gates"].as_u64().expect("gate count"),
            "{path}"
        );
        assert_eq!(
            raw.circuit().wires.len() as u64,
            spec["header"]["wires"].as_u64().expect("wire count"),
            "{path}"
        );
        for v in &vectors {
            let ins: Vec<Vec<bool>> = v.inputs.iter().map(|(b, _)| b.clone()).collect();
            let want: Vec<Vec<bool>> = v.outputs.iter().map(|(b, _)| b.clone()).collect();
            assert_eq!(
                evaluate_bits(&raw, &ins).expect("evaluates"),
                want,
                "{path}: vector `{}` on wire bits",
                v.name
            );
        }

        // Typed values, with the circuit's own bit order.
        let opts = BristolOptions {
            bit_order: order,
            ..BristolOptions::default()
        };
        let typed = bristol::read(&text, &opts).unwrap_or_else(|e| panic!("{path}: {e}"));
        check_all(&typed, &vectors, &format!("{path} (typed)"));

        // Bristol Fashion export, then import.
        let exported = bristol::write(&typed, order).expect("Boolean circuits export");
        let back = bristol::read(&exported, &opts).expect("exported text reads back");
        assert_eq!(back.circuit().gates.len(), typed.circuit().gates.len());
        check_all(&back, &vectors, &format!("{path} (Bristol round trip)"));

        // .vc round trip: identical circuit, identical answers.
        let decoded = vc::decode(&vc::encode(typed.circuit())).expect(".vc decodes");
        assert_eq!(&decoded, typed.circuit(), "{path}: .vc round trip");
        let decoded = ValidCircuit::new(decoded).expect("still valid");
        check_all(&decoded, &vectors, &format!("{path} (.vc round trip)"));

        // Text round trip.
        let parsed = text::parse(&text::to_text(typed.circuit())).expect("text parses back");
        assert_eq!(&parsed, typed.circuit(), "{path}: text round trip");
        let parsed = ValidCircuit::new(parsed).expect("still valid");
        check_all(&parsed, &vectors, &format!("{path} (text round trip)"));
        checked += vectors.len();
    }
    assert_eq!(
        checked as u64,
        json["vector_count"].as_u64().expect("vector_count"),
        "every vector was checked"
    );
}
