//! Differential tests of the passes: on random well-formed modules, every
//! pass alone, and the -O1 and -O2 pipelines, must give the same outputs
//! as the unoptimised module on random inputs (evaluated by
//! `ir::eval::evaluate`, the reference semantics), and leave verified IR.
//! The number of cases follows `PROPTEST_CASES` (default 256).

mod ir_gen;

use ir_gen::{arb_spec, build, random_inputs, Rng};
use proptest::prelude::*;
use veil_compiler::ir::eval::evaluate;
use veil_compiler::ir::text;
use veil_compiler::ir::verify::verify;
use veil_compiler::ir::Module;
use veil_compiler::passes::{pass_by_name, pass_names, run_passes, run_pipeline, OptLevel, Plan};

const INPUT_SETS: usize = 6;

fn nothing(_: &str, _: &Module) {}

/// Checks `after` against `before` on random inputs; the error names `what`.
fn same_outputs(before: &Module, after: &Module, seed: u64, what: &str) -> Result<(), String> {
    verify(after).map_err(|e| format!("{what}: invalid IR: {e:?}\n{after}"))?;
    let mut rng = Rng(seed);
    for _ in 0..INPUT_SETS {
        let inputs = random_inputs(before, &mut rng);
        let want = evaluate(before, &inputs);
        let got = evaluate(after, &inputs);
        if want != got {
            return Err(format!(
                "{what} changed the outputs\ninputs: {inputs:?}\nwant: {want:?}\ngot:  {got:?}\nbefore:\n{before}\nafter:\n{after}"
            ));
        }
    }
    Ok(())
}

fn check_module(m: &Module, seed: u64) -> Result<(), String> {
    verify(m).map_err(|e| format!("generator made invalid IR: {e:?}\n{m}"))?;
    for name in pass_names() {
        let pass = pass_by_name(name).ok_or("registry lookup failed")?;
        let mut after = m.clone();
        run_passes(&mut after, &[pass], 1, true, None, &mut nothing)
            .map_err(|e| format!("{name}: {e}\n{m}"))?;
        same_outputs(m, &after, seed, name)?;
    }
    for level in [OptLevel::O1, OptLevel::O2] {
        let mut after = m.clone();
        let mut plan = Plan::level(level);
        plan.verify_each = true;
        run_pipeline(&mut after, &plan, &mut nothing).map_err(|e| format!("{level:?}: {e}"))?;
        same_outputs(m, &after, seed, &format!("{level:?}"))?;
        if level == OptLevel::O2 {
            // The fixed point: one more round changes nothing.
            let mut again = after.clone();
            let reports =
                run_pipeline(&mut again, &plan, &mut nothing).map_err(|e| e.to_string())?;
            let changed: Vec<_> = reports.iter().filter(|(_, r)| r.changed).collect();
            if !changed.is_empty() && again.insts.len() > after.insts.len() {
                return Err(format!(
                    "O2 grew on a second run: {changed:?}\n{after}\n{again}"
                ));
            }
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn passes_preserve_meaning(spec in arb_spec(40), seed in any::<u64>()) {
        let m = build(&spec);
        if let Err(e) = check_module(&m, seed) {
            prop_assert!(false, "{}", e);
        }
    }

    #[test]
    fn generated_modules_round_trip_through_text(spec in arb_spec(40)) {
        let m = build(&spec);
        let printed = text::print(&m);
        prop_assert_eq!(text::parse(&printed), Ok(m), "{}", printed);
    }
}

/// Long chains exercise reassociation and narrowing together: a counter of
/// many secret bits, summed in a loop as lowering would produce it.
#[test]
fn long_counter_is_rebalanced_and_narrowed() {
    let n = 160;
    let mut src = String::from("parties a b\ninput 0 a bits: [bool; 160] secret\n");
    for i in 0..n {
        src.push_str(&format!("v{i}:u1 secret = input 0 @{i}\n"));
    }
    src.push_str(&format!("v{n}:u32 public = const 0\n"));
    let mut acc = n;
    let mut next = n + 1;
    for i in 0..n {
        src.push_str(&format!("v{next}:u32 secret = zext v{i}\n"));
        src.push_str(&format!("v{}:u32 secret = add v{acc} v{next}\n", next + 1));
        acc = next + 1;
        next += 2;
    }
    src.push_str(&format!("output count: u32 to a b = v{acc}\n"));
    let m = text::parse(&src).unwrap();
    let mut opt = m.clone();
    let mut plan = Plan::level(OptLevel::O2);
    plan.verify_each = true;
    run_pipeline(&mut opt, &plan, &mut nothing).unwrap();
    same_outputs(&m, &opt, 7, "O2").unwrap();
    // Every addition is at most 8 bits wide, and there are n-1 of them.
    let adds: Vec<_> = opt
        .insts
        .iter()
        .filter(|i| {
            matches!(
                i.op,
                veil_compiler::ir::Op::Binary(veil_compiler::ir::BinOp::Add, ..)
            )
        })
        .collect();
    assert_eq!(adds.len(), n - 1, "{opt}");
    assert!(adds.iter().all(|i| i.width <= 8), "{opt}");
    // A balanced tree: 80 additions at 2 bits, 40 at 3, 20 at 4, 10 at 5,
    // 5 at 6, 3 at 7 and 1 at 8 (a chain would need over 1000 bits).
    let total_bits: u32 = adds.iter().map(|i| i.width).sum();
    assert!(total_bits <= 469, "total adder width {total_bits}\n{opt}");
    // Depth 8 = ceil(log2 160): count additions on the longest path.
    let mut depth = vec![0u32; opt.insts.len()];
    for (i, inst) in opt.insts.iter().enumerate() {
        let below = inst
            .op
            .operands()
            .map(|v| depth[v.index()])
            .max()
            .unwrap_or(0);
        let own = u32::from(matches!(inst.op, veil_compiler::ir::Op::Binary(..)));
        depth[i] = below + own;
    }
    let out = opt.outputs[0].values[0];
    assert_eq!(depth[out.index()], 8, "{opt}");
}

/// Every binary operation at widths 1 to 4, with every constant on either
/// side, with both operands the same value, and (for `narrow`) on
/// zero-extended operands against every constant, checked on every input:
/// the identities of `simplify` and the bounds of `narrow` must be exact on
/// the widths where signed and unsigned corner cases crowd together.
#[test]
fn small_widths_exhaustively() {
    use veil_circuit::value::Value;
    use veil_compiler::ir::BinOp;
    let mut checked = 0;
    for w in 1u32..=4 {
        for op in BinOp::ALL {
            let name = op.name();
            let out = |w: u32| if op.is_comparison() { 1 } else { w };
            // Each body defines v1, v2, v3 after v0 = x; the output is v3.
            let mut bodies = Vec::new();
            for c in 0..1u32 << w {
                for (a, b) in [("v0", "v2"), ("v2", "v0")] {
                    bodies.push((
                        out(w),
                        format!(
                            "v1:u{w} secret = not v0\nv2:u{w} public = const {c}\n\
                             v3:u{} secret = {name} {a} {b}\n",
                            out(w)
                        ),
                    ));
                }
            }
            for (a, b) in [("v0", "v0"), ("v0", "v1")] {
                bodies.push((
                    out(w),
                    format!(
                        "v1:u{w} secret = not v0\nv2:u{w} secret = neg v0\n\
                         v3:u{} secret = {name} {a} {b}\n",
                        out(w)
                    ),
                ));
            }
            if w <= 3 {
                let wide = w + 2;
                for c in 0..1u32 << wide {
                    for (a, b) in [("v1", "v2"), ("v2", "v1")] {
                        bodies.push((
                            out(wide),
                            format!(
                                "v1:u{wide} secret = zext v0\nv2:u{wide} public = const {c}\n\
                                 v3:u{} secret = {name} {a} {b}\n",
                                out(wide)
                            ),
                        ));
                    }
                }
            }
            for (out_w, body) in bodies {
                let src = format!(
                    "parties a\ninput 0 a x: u{w} secret\nv0:u{w} secret = input 0 @0\n{body}\
                     output y: u{out_w} to a = v3\n"
                );
                let m = text::parse(&src).unwrap();
                verify(&m).unwrap_or_else(|e| panic!("{e:?}\n{src}"));
                let mut variants = Vec::new();
                for pass_name in pass_names() {
                    let mut after = m.clone();
                    let pass = pass_by_name(pass_name).unwrap();
                    run_passes(&mut after, &[pass], 1, true, None, &mut nothing)
                        .unwrap_or_else(|e| panic!("{pass_name}: {e}\n{src}"));
                    variants.push((pass_name.to_string(), after));
                }
                let mut o2 = m.clone();
                let mut plan = Plan::level(OptLevel::O2);
                plan.verify_each = true;
                run_pipeline(&mut o2, &plan, &mut nothing).unwrap();
                variants.push(("O2".into(), o2));
                for x in 0..1u128 << w {
                    let inputs = [Value::int(false, w, x)];
                    let want = evaluate(&m, &inputs);
                    for (pass_name, after) in &variants {
                        assert_eq!(
                            evaluate(after, &inputs),
                            want,
                            "{pass_name} on x = {x}\n{src}\nafter:\n{after}"
                        );
                    }
                }
                checked += 1;
            }
        }
    }
    // 21 operations x (2 * 2^w constants + 2 shapes) for w = 1..=4, plus
    // 2 * 2^(w+2) zero-extended shapes for w = 1..=3.
    assert_eq!(checked, 21 * (68 + 2 * (8 + 16 + 32)));
}
