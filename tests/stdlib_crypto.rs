//! `std::crypto`: AES-128 and the SHA-256 compression function.
//!
//! - Known answers (FIPS-197 Appendices B and C.1; SHA-256 of "abc" and of
//!   the empty message, one padded block through the compression function)
//!   through `veil run` under the interpreter and the clear backend, and
//!   AES once under garbled circuits.
//! - The S-box circuit against the FIPS-197 table on all 256 bytes.
//! - Property tests, in process: random keys and blocks through the
//!   interpreter and the compiled circuit, against the `aes` crate and a
//!   small Rust SHA-256 compression function. 16 cases by default; set
//!   `VEIL_PROPTEST_CASES` for more.

mod common;

use common::program::{list, runner, Prog};
use common::*;

use std::path::Path;

use aes::cipher::{BlockCipherEncrypt, KeyInit};
use proptest::prelude::*;
use veil_circuit::value::Value;
use veil_compiler::driver::Target;

const AES_PROGRAM: &str = "tests/stdlib/crypto_aes128.mpc";
const SHA_PROGRAM: &str = "tests/stdlib/crypto_sha256.mpc";
const SBOX_PROGRAM: &str = "tests/stdlib/crypto_sbox.mpc";

/// FIPS-197 Appendix C.1: key, plaintext, ciphertext.
const AES_C1: ([u8; 16], [u8; 16], [u8; 16]) = (
    [
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
        0x0f,
    ],
    [
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,
        0xff,
    ],
    [
        0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30, 0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5,
        0x5a,
    ],
);

/// FIPS-197 Appendix B: key, input, output.
const AES_B: ([u8; 16], [u8; 16], [u8; 16]) = (
    [
        0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f,
        0x3c,
    ],
    [
        0x32, 0x43, 0xf6, 0xa8, 0x88, 0x5a, 0x30, 0x8d, 0x31, 0x31, 0x98, 0xa2, 0xe0, 0x37, 0x07,
        0x34,
    ],
    [
        0x39, 0x25, 0x84, 0x1d, 0x02, 0xdc, 0x09, 0xfb, 0xdc, 0x11, 0x85, 0x97, 0x19, 0x6a, 0x0b,
        0x32,
    ],
);

/// The SHA-256 initial hash value (FIPS 180-4 §5.3.3).
const SHA256_IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// "abc" padded to one block: the bytes, 0x80, zeros, the length in bits (24).
const SHA256_ABC_BLOCK: [u32; 16] = [0x61626380, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 24];

/// SHA-256("abc") (FIPS 180-4 examples).
const SHA256_ABC: [u32; 8] = [
    0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223, 0xb00361a3, 0x96177a9c, 0xb410ff61, 0xf20015ad,
];

/// The empty message padded to one block: 0x80, zeros, length 0.
const SHA256_EMPTY_BLOCK: [u32; 16] = [0x80000000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

/// SHA-256("").
const SHA256_EMPTY: [u32; 8] = [
    0xe3b0c442, 0x98fc1c14, 0x9afbf4c8, 0x996fb924, 0x27ae41e4, 0x649b934c, 0xa495991b, 0x7852b855,
];

/// `veil run PROGRAM --backend BACKEND --input …`; the standard output, after
/// checking that it succeeded.
fn run(program: &str, backend: &str, inputs: &[String]) -> String {
    let mut args = vec![
        "run".to_string(),
        program.to_string(),
        "--backend".to_string(),
        backend.to_string(),
    ];
    for i in inputs {
        args.push("--input".into());
        args.push(i.clone());
    }
    let o = veil(&args);
    assert!(
        o.status.success(),
        "veil {}: {}",
        args.join(" "),
        stderr(&o)
    );
    stdout(&o)
}

/// What every party prints for one output `name` of both parties.
fn both(name: &str, value: &str) -> String {
    format!("alice: {name} = {value}\nbob: {name} = {value}\n")
}

fn aes_inputs(key: &[u8; 16], block: &[u8; 16]) -> Vec<String> {
    vec![
        format!("alice.key={}", list(key)),
        format!("bob.block={}", list(block)),
    ]
}

fn sha_inputs(state: &[u32; 8], block: &[u32; 16]) -> Vec<String> {
    vec![
        format!("alice.state={}", list(state)),
        format!("bob.block={}", list(block)),
    ]
}

#[test]
fn aes128_fips197_vectors_under_interp_and_clear() {
    for (key, block, want) in [AES_C1, AES_B] {
        for backend in ["interp", "clear"] {
            assert_eq!(
                run(AES_PROGRAM, backend, &aes_inputs(&key, &block)),
                both("c", &list(&want)),
                "{backend}"
            );
        }
    }
}

#[test]
fn aes128_fips197_c1_under_garbled_circuits() {
    let (key, block, want) = AES_C1;
    assert_eq!(
        run(AES_PROGRAM, "gc", &aes_inputs(&key, &block)),
        both("c", &list(&want))
    );
}

#[test]
fn sha256_abc_and_empty_message_under_interp_and_clear() {
    for (block, want) in [
        (SHA256_ABC_BLOCK, SHA256_ABC),
        (SHA256_EMPTY_BLOCK, SHA256_EMPTY),
    ] {
        for backend in ["interp", "clear"] {
            assert_eq!(
                run(SHA_PROGRAM, backend, &sha_inputs(&SHA256_IV, &block)),
                both("h", &list(&want)),
                "{backend}"
            );
        }
    }
}

/// The FIPS-197 S-box, from its definition: the inverse in GF(2^8) modulo
/// x^8+x^4+x^3+x+1 (0 to 0), then the affine map with constant 0x63.
fn sbox_table() -> [u8; 256] {
    fn mul(mut a: u8, mut b: u8) -> u8 {
        let mut r = 0;
        while b != 0 {
            if b & 1 == 1 {
                r ^= a;
            }
            a = (a << 1) ^ if a & 0x80 != 0 { 0x1b } else { 0 };
            b >>= 1;
        }
        r
    }
    let mut table = [0u8; 256];
    for (x, out) in table.iter_mut().enumerate() {
        let x = x as u8;
        let inv = (1..=255u8).find(|&y| mul(x, y) == 1).unwrap_or(0);
        *out = 0x63
            ^ inv
            ^ inv.rotate_left(1)
            ^ inv.rotate_left(2)
            ^ inv.rotate_left(3)
            ^ inv.rotate_left(4);
    }
    table
}

#[test]
fn sbox_circuit_matches_the_fips197_table_on_every_byte() {
    let table = sbox_table();
    // Spot checks of the reference table itself (FIPS-197 Figure 7).
    assert_eq!((table[0x00], table[0x53], table[0xff]), (0x63, 0xed, 0x16));
    let xs: Vec<u8> = (0..=255).collect();
    for mask in [0u8, 0xa5] {
        let want: Vec<u8> = xs.iter().map(|&x| table[usize::from(x ^ mask)]).collect();
        let inputs = [
            format!("alice.xs={}", list(&xs)),
            format!("bob.mask={mask}"),
        ];
        for backend in ["interp", "clear"] {
            assert_eq!(
                run(SBOX_PROGRAM, backend, &inputs),
                both("s", &list(&want)),
                "{backend}, mask {mask:#x}"
            );
        }
    }
}

fn array_of(bits: u32, xs: &[u128]) -> Value {
    Value::Array(xs.iter().map(|&x| Value::int(false, bits, x)).collect())
}

#[test]
fn aes128_agrees_with_the_aes_crate_on_random_keys_and_blocks() {
    let c = Prog::file(AES_PROGRAM, &[Target::Bool]);
    let mut runner = runner();
    let result = runner.run(&(any::<[u8; 16]>(), any::<[u8; 16]>()), |(key, block)| {
        let mut want = aes::Block::from(block);
        aes::Aes128::new(&key.into()).encrypt_block(&mut want);
        let want: Vec<u128> = want.iter().map(|&b| u128::from(b)).collect();
        c.check(
            &[("alice", "key", list(&key)), ("bob", "block", list(&block))],
            &[array_of(8, &want)],
        )
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// The SHA-256 round constants.
const K256: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// The SHA-256 compression function (FIPS 180-4 §6.2.2), the reference.
fn sha256_compress(state: [u32; 8], block: [u32; 16]) -> [u32; 8] {
    let mut w = [0u32; 64];
    w[..16].copy_from_slice(&block);
    for i in 16..64 {
        let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
        let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16]
            .wrapping_add(s0)
            .wrapping_add(w[i - 7])
            .wrapping_add(s1);
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = state;
    for i in 0..64 {
        let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
        let ch = (e & f) ^ (!e & g);
        let t1 = h
            .wrapping_add(s1)
            .wrapping_add(ch)
            .wrapping_add(K256[i])
            .wrapping_add(w[i]);
        let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t2 = s0.wrapping_add(maj);
        h = g;
        g = f;
        f = e;
        e = d.wrapping_add(t1);
        d = c;
        c = b;
        b = a;
        a = t1.wrapping_add(t2);
    }
    let out = [a, b, c, d, e, f, g, h];
    std::array::from_fn(|i| state[i].wrapping_add(out[i]))
}

#[test]
fn rust_reference_sha256_gives_the_known_digests() {
    assert_eq!(sha256_compress(SHA256_IV, SHA256_ABC_BLOCK), SHA256_ABC);
    assert_eq!(sha256_compress(SHA256_IV, SHA256_EMPTY_BLOCK), SHA256_EMPTY);
}

#[test]
fn sha256_compress_agrees_with_the_reference_on_random_states_and_blocks() {
    let c = Prog::file(SHA_PROGRAM, &[Target::Bool]);
    let mut runner = runner();
    let result = runner.run(
        &(any::<[u32; 8]>(), any::<[u32; 16]>()),
        |(state, block)| {
            let want: Vec<u128> = sha256_compress(state, block)
                .iter()
                .map(|&x| u128::from(x))
                .collect();
            c.check(
                &[
                    ("alice", "state", list(&state)),
                    ("bob", "block", list(&block)),
                ],
                &[array_of(32, &want)],
            )
        },
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Both functions are label-generic: with one argument public and the other
/// secret (or both public) they still check and compute the same values.
#[test]
fn public_and_secret_arguments_mix() {
    let (key, block, cipher) = AES_C1;
    let bytes = |xs: &[u8]| -> Vec<u128> { xs.iter().map(|&x| u128::from(x)).collect() };
    let words = |xs: &[u32]| -> Vec<u128> { xs.iter().map(|&x| u128::from(x)).collect() };
    let want = [
        array_of(8, &bytes(&cipher)),
        array_of(32, &words(&SHA256_ABC)),
    ];
    for alice in ["", "public "] {
        for bob in ["", "public "] {
            let text = format!(
                "use std::crypto;\n\
                 party alice;\n\
                 party bob;\n\
                 fn main(key: {alice}[u8; 16] from alice, block: {bob}[u8; 16] from bob,\n\
                         state: {alice}[u32; 8] from alice, words: {bob}[u32; 16] from bob) {{\n\
                     output c = reveal(crypto::aes128(key, block));\n\
                     output h = reveal(crypto::sha256_compress(state, words));\n\
                 }}\n"
            );
            let c = Prog::new(Path::new("labels.mpc"), text, &[Target::Bool]);
            let inputs = [
                ("alice", "key", list(&key)),
                ("bob", "block", list(&block)),
                ("alice", "state", list(&SHA256_IV)),
                ("bob", "words", list(&SHA256_ABC_BLOCK)),
            ];
            if let Err(e) = c.check(&inputs, &want) {
                panic!("alice `{alice}`, bob `{bob}`: {e}");
            }
        }
    }
}
