//! Statistics on every shared Bristol circuit, against the published counts
//! in `shared/circuits/SOURCES.md` (gates, wires, AND, XOR, INV, EQW, AND
//! depth, value widths); every file also round-trips through `.vc` and text.

mod common;

use std::fs;

use veil_circuit::bristol::{self, BristolOptions};
use veil_circuit::{text, vc, Stats};

struct Row {
    file: &'static str,
    gates: u64,
    wires: u64,
    and: u64,
    xor: u64,
    inv: u64,
    eqw: u64,
    depth: u64,
    ins: &'static [u64],
    outs: &'static [u64],
}

#[rustfmt::skip]
const PUBLISHED: &[Row] = &[
    Row { file: "bristol-fashion/adder64.txt", gates: 376, wires: 504, and: 63, xor: 313, inv: 0, eqw: 0, depth: 63, ins: &[64, 64], outs: &[64] },
    Row { file: "bristol-fashion/AES-non-expanded.txt", gates: 33616, wires: 33872, and: 6800, xor: 25124, inv: 1692, eqw: 0, depth: 40, ins: &[128, 128], outs: &[128] },
    Row { file: "bristol-fashion/aes_128.txt", gates: 36663, wires: 36919, and: 6400, xor: 28176, inv: 2087, eqw: 0, depth: 60, ins: &[128, 128], outs: &[128] },
    Row { file: "bristol-fashion/aes_192.txt", gates: 41565, wires: 41885, and: 7168, xor: 32080, inv: 2317, eqw: 0, depth: 72, ins: &[192, 128], outs: &[128] },
    Row { file: "bristol-fashion/aes_256.txt", gates: 50666, wires: 51050, and: 8832, xor: 39008, inv: 2826, eqw: 0, depth: 84, ins: &[256, 128], outs: &[128] },
    Row { file: "bristol-fashion/divide64.txt", gates: 29926, wires: 30054, and: 4664, xor: 24817, inv: 445, eqw: 0, depth: 4158, ins: &[64, 64], outs: &[64] },
    Row { file: "bristol-fashion/FP-add.txt", gates: 15637, wires: 15765, and: 5385, xor: 8190, inv: 2062, eqw: 0, depth: 235, ins: &[64, 64], outs: &[64] },
    Row { file: "bristol-fashion/FP-ceil.txt", gates: 1618, wires: 1682, and: 650, xor: 597, inv: 371, eqw: 0, depth: 71, ins: &[64], outs: &[64] },
    Row { file: "bristol-fashion/FP-eq.txt", gates: 1217, wires: 1345, and: 315, xor: 65, inv: 837, eqw: 0, depth: 9, ins: &[64, 64], outs: &[64] },
    Row { file: "bristol-fashion/FP-f2i.txt", gates: 3932, wires: 3996, and: 1467, xor: 1625, inv: 840, eqw: 0, depth: 94, ins: &[64], outs: &[64] },
    Row { file: "bristol-fashion/FP-floor.txt", gates: 1613, wires: 1677, and: 651, xor: 595, inv: 367, eqw: 0, depth: 71, ins: &[64], outs: &[64] },
    Row { file: "bristol-fashion/FP-i2f.txt", gates: 7136, wires: 7200, and: 2416, xor: 3605, inv: 1115, eqw: 0, depth: 206, ins: &[64], outs: &[64] },
    Row { file: "bristol-fashion/FP-lt.txt", gates: 1536, wires: 1664, and: 381, xor: 257, inv: 898, eqw: 0, depth: 67, ins: &[64, 64], outs: &[64] },
    Row { file: "bristol-fashion/FP-mul.txt", gates: 44899, wires: 45027, and: 19626, xor: 21947, inv: 3326, eqw: 0, depth: 129, ins: &[64, 64], outs: &[64] },
    Row { file: "bristol-fashion/LSSS_to_GC.txt", gates: 11637, wires: 13173, and: 2817, xor: 7664, inv: 1156, eqw: 0, depth: 1028, ins: &[512, 512, 512], outs: &[64] },
    Row { file: "bristol-fashion/ModAdd512.txt", gates: 9720, wires: 11256, and: 3583, xor: 2556, inv: 3581, eqw: 0, depth: 1027, ins: &[512, 512, 512], outs: &[512] },
    Row { file: "bristol-fashion/mult2_64.txt", gates: 28032, wires: 28160, and: 8128, xor: 19904, inv: 0, eqw: 0, depth: 127, ins: &[64, 64], outs: &[64, 64] },
    Row { file: "bristol-fashion/mult64.txt", gates: 13675, wires: 13803, and: 4033, xor: 9642, inv: 0, eqw: 0, depth: 63, ins: &[64, 64], outs: &[64] },
    Row { file: "bristol-fashion/neg64.txt", gates: 190, wires: 254, and: 62, xor: 63, inv: 64, eqw: 1, depth: 62, ins: &[64], outs: &[64] },
    Row { file: "bristol-fashion/sha256.txt", gates: 135073, wires: 135841, and: 22573, xor: 110644, inv: 1856, eqw: 0, depth: 1607, ins: &[512, 256], outs: &[256] },
    Row { file: "bristol-fashion/sub64.txt", gates: 439, wires: 567, and: 63, xor: 313, inv: 63, eqw: 0, depth: 63, ins: &[64, 64], outs: &[64] },
    Row { file: "bristol-fashion/udivide64.txt", gates: 16952, wires: 17080, and: 4285, xor: 12603, inv: 64, eqw: 0, depth: 2204, ins: &[64, 64], outs: &[64] },
    Row { file: "bristol-fashion/zero_equal.txt", gates: 127, wires: 191, and: 63, xor: 0, inv: 64, eqw: 0, depth: 6, ins: &[64], outs: &[1] },
    Row { file: "bristol-fashion/variants/udivide64-pre-v1.11/udivide64.txt", gates: 28284, wires: 28412, and: 4094, xor: 24063, inv: 127, eqw: 0, depth: 4094, ins: &[64, 64], outs: &[64] },
    Row { file: "bristol/adder_32bit.txt", gates: 375, wires: 439, and: 127, xor: 61, inv: 187, eqw: 0, depth: 63, ins: &[32, 32], outs: &[33] },
    Row { file: "bristol/adder_64bit.txt", gates: 759, wires: 887, and: 265, xor: 115, inv: 379, eqw: 0, depth: 127, ins: &[64, 64], outs: &[65] },
    Row { file: "bristol/AES-expanded.txt", gates: 27692, wires: 29228, and: 5440, xor: 20325, inv: 1927, eqw: 0, depth: 40, ins: &[128, 1408], outs: &[128] },
    Row { file: "bristol/AES-non-expanded.txt", gates: 33616, wires: 33872, and: 6800, xor: 25124, inv: 1692, eqw: 0, depth: 40, ins: &[128, 128], outs: &[128] },
    Row { file: "bristol/comparator_32bit_signed_lt.txt", gates: 300, wires: 364, and: 150, xor: 0, inv: 150, eqw: 0, depth: 22, ins: &[32, 32], outs: &[1] },
    Row { file: "bristol/comparator_32bit_signed_lteq.txt", gates: 312, wires: 376, and: 150, xor: 0, inv: 162, eqw: 0, depth: 21, ins: &[32, 32], outs: &[1] },
    Row { file: "bristol/comparator_32bit_unsigned_lt.txt", gates: 300, wires: 364, and: 150, xor: 0, inv: 150, eqw: 0, depth: 22, ins: &[32, 32], outs: &[1] },
    Row { file: "bristol/comparator_32bit_unsigned_lteq.txt", gates: 312, wires: 376, and: 150, xor: 0, inv: 162, eqw: 0, depth: 21, ins: &[32, 32], outs: &[1] },
    Row { file: "bristol/DES-expanded.txt", gates: 30401, wires: 31233, and: 18175, xor: 1351, inv: 10875, eqw: 0, depth: 261, ins: &[64, 768], outs: &[64] },
    Row { file: "bristol/DES-non-expanded.txt", gates: 30313, wires: 30441, and: 18124, xor: 1340, inv: 10849, eqw: 0, depth: 263, ins: &[64, 64], outs: &[64] },
    Row { file: "bristol/md5.txt", gates: 77861, wires: 78373, and: 29084, xor: 14150, inv: 34627, eqw: 0, depth: 2972, ins: &[512], outs: &[128] },
    Row { file: "bristol/mult_32x32.txt", gates: 12374, wires: 12438, and: 5926, xor: 1069, inv: 5379, eqw: 0, depth: 127, ins: &[32, 32], outs: &[64] },
    Row { file: "bristol/sha-1.txt", gates: 106601, wires: 107113, and: 37300, xor: 24166, inv: 45135, eqw: 0, depth: 5503, ins: &[512], outs: &[160] },
    Row { file: "bristol/sha-256.txt", gates: 116246, wires: 116758, and: 22272, xor: 91780, inv: 2194, eqw: 0, depth: 1604, ins: &[512], outs: &[256] },
];

#[test]
fn counts_match_the_published_figures() {
    let Some(dir) = common::shared_circuits() else {
        return;
    };
    for row in PUBLISHED {
        let text = fs::read_to_string(dir.join(row.file)).expect("circuit file is readable");
        let c = bristol::read(&text, &BristolOptions::default())
            .unwrap_or_else(|e| panic!("{}: {e}", row.file));
        let s = Stats::of(&c);
        let copies = c
            .circuit()
            .gates
            .iter()
            .filter(|g| matches!(g, veil_circuit::Gate::Copy { .. }))
            .count() as u64;
        let got = (s.gates, s.wires, s.and, s.xor, s.not, copies, s.and_depth);
        let want = (
            row.gates, row.wires, row.and, row.xor, row.inv, row.eqw, row.depth,
        );
        assert_eq!(
            got, want,
            "{}: (gates, wires, and, xor, not, eqw, and_depth)",
            row.file
        );
        assert_eq!(s.arith, None);

        // Input value k belongs to party pk; every output goes to every party.
        let ins: Vec<u64> = s.inputs.iter().map(|(_, b)| *b).collect();
        assert_eq!(ins, row.ins, "{}: input bits per party", row.file);
        let total_out: u64 = row.outs.iter().sum();
        assert!(
            s.outputs.iter().all(|(_, b)| *b == total_out),
            "{}",
            row.file
        );
        assert!(s.peak_live_wires <= s.wires, "{}", row.file);
        assert!(
            s.peak_live_wires >= row.ins.iter().sum::<u64>(),
            "{}",
            row.file
        );

        let json = s.to_json();
        assert!(
            json.starts_with(&format!("{{\"and\":{},\"xor\":{},", row.and, row.xor)),
            "{json}"
        );

        assert_eq!(
            &vc::decode(&vc::encode(c.circuit())).expect("decodes"),
            c.circuit()
        );
        assert_eq!(
            &text::parse(&text::to_text(c.circuit())).expect("parses"),
            c.circuit()
        );
    }
}

#[test]
fn aes_128_json_has_exactly_the_documented_keys() {
    let Some(dir) = common::shared_circuits() else {
        return;
    };
    let text = fs::read_to_string(dir.join("bristol-fashion/aes_128.txt")).expect("readable");
    let c = bristol::read(&text, &BristolOptions::default()).expect("reads");
    let json: serde_json::Value =
        serde_json::from_str(&Stats::of(&c).to_json()).expect("stats JSON parses");
    let keys: Vec<&str> = json
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    let mut want = vec![
        "and",
        "xor",
        "not",
        "gates",
        "and_depth",
        "wires",
        "peak_live_wires",
        "inputs",
        "outputs",
    ];
    let mut keys_sorted = keys.clone();
    keys_sorted.sort_unstable();
    want.sort_unstable();
    assert_eq!(keys_sorted, want);
    assert_eq!(json["and"], 6400);
    assert_eq!(json["inputs"]["p0"], 128);
    assert_eq!(json["inputs"]["p1"], 128);
    assert_eq!(json["outputs"]["p1"], 128);
}
