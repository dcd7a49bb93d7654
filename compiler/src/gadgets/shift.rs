//! Shifts and rotations, by public constants (rewiring, free) and by secret
//! amounts (barrel shifters), with the semantics of
//! [`crate::semantics::shift`] and [`crate::semantics::rotate`]: the amount
//! is unsigned and of any width; shifting by the width or more gives zero
//! (all sign bits for an arithmetic right shift); rotations go modulo the
//! width.
//!
//! A barrel shifter has one multiplexer stage (`n` ANDs) per amount bit `j`
//! with `2^j < n`. The amount bits of weight `n` or more are ORed together
//! (one AND each but the first) and, if any is set, the result is replaced by
//! the fill (`n` ANDs). For a 32-bit value and a 32-bit amount that is
//! `5·32 + 26 + 32 = 218` ANDs. A rotation needs no such fill: amount bit
//! `j` rotates by `2^j mod n`, so every width, power of two or not, costs one
//! stage per amount bit whose weight is not a multiple of `n`.

use super::{mux::mux_word, Gates};

/// Which shift or rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShiftKind {
    /// Left shift, zeros in.
    Shl,
    /// Logical right shift, zeros in.
    LShr,
    /// Arithmetic right shift, sign bits in.
    AShr,
    /// Left rotation.
    Rotl,
    /// Right rotation.
    Rotr,
}

/// `x` shifted or rotated by the public amount `k`: only rewiring.
pub fn by_constant<G: Gates>(g: &mut G, x: &[G::Bit], kind: ShiftKind, k: u128) -> Vec<G::Bit> {
    let n = x.len();
    if n == 0 {
        return Vec::new();
    }
    let zero = g.constant(false);
    let sign = x[n - 1];
    // Shift amounts at or past the width are clamped to it.
    let s = usize::try_from(k).map_or(n, |k| k.min(n));
    match kind {
        ShiftKind::Shl => (0..n)
            .map(|i| if i >= s { x[i - s] } else { zero })
            .collect(),
        ShiftKind::LShr => (0..n)
            .map(|i| if i + s < n { x[i + s] } else { zero })
            .collect(),
        ShiftKind::AShr => (0..n)
            .map(|i| if i + s < n { x[i + s] } else { sign })
            .collect(),
        ShiftKind::Rotl | ShiftKind::Rotr => {
            let r = (k % n as u128) as usize;
            let r = if kind == ShiftKind::Rotl {
                r
            } else {
                (n - r) % n
            };
            // Left rotation by r: bit i comes from bit i - r (mod n).
            (0..n).map(|i| x[(i + n - r) % n]).collect()
        }
    }
}

/// `x` shifted or rotated by the secret unsigned amount `amount` (any width).
pub fn by_amount<G: Gates>(
    g: &mut G,
    x: &[G::Bit],
    kind: ShiftKind,
    amount: &[G::Bit],
) -> Vec<G::Bit> {
    let n = x.len();
    if n == 0 {
        return Vec::new();
    }
    let mut cur = x.to_vec();
    match kind {
        ShiftKind::Rotl | ShiftKind::Rotr => {
            // weight = 2^j mod n, updated by doubling.
            let mut weight = 1 % n;
            for &bit in amount {
                if weight != 0 {
                    let turned = by_constant(g, &cur, kind, weight as u128);
                    cur = mux_word(g, bit, &turned, &cur);
                }
                weight = (weight * 2) % n;
            }
            cur
        }
        ShiftKind::Shl | ShiftKind::LShr | ShiftKind::AShr => {
            let mut high = Vec::new();
            for (j, &bit) in amount.iter().enumerate() {
                let weight = u32::try_from(j)
                    .ok()
                    .and_then(|j| 1usize.checked_shl(j))
                    .filter(|&w| w < n);
                match weight {
                    Some(w) => {
                        let moved = by_constant(g, &cur, kind, w as u128);
                        cur = mux_word(g, bit, &moved, &cur);
                    }
                    None => high.push(bit),
                }
            }
            if high.is_empty() {
                return cur;
            }
            let over = super::or_all(g, &high);
            if kind == ShiftKind::AShr {
                let sign = x[n - 1];
                cur.iter().map(|&c| g.mux(over, sign, c)).collect()
            } else {
                let keep = g.not(over);
                cur.iter().map(|&c| g.and(c, keep)).collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gadgets::testing::{binary, pack, unpack, Rng};
    use crate::gadgets::PlainEval;
    use crate::ir::BinOp;

    const KINDS: [(ShiftKind, BinOp); 5] = [
        (ShiftKind::Shl, BinOp::Shl),
        (ShiftKind::LShr, BinOp::LShr),
        (ShiftKind::AShr, BinOp::AShr),
        (ShiftKind::Rotl, BinOp::Rotl),
        (ShiftKind::Rotr, BinOp::Rotr),
    ];

    #[test]
    fn shifts_match_semantics() {
        let mut rng = Rng(3);
        for w in [1u32, 2, 3, 4, 5, 6, 7, 8, 12, 24, 32, 33, 64, 100, 128] {
            for aw in [1u32, 2, 3, 4, 5, 7, 8, 16, 32, 128] {
                let mut cases: Vec<(u128, u128)> = Vec::new();
                if w <= 5 && aw <= 5 {
                    for x in 0..1u128 << w {
                        for y in 0..1u128 << aw {
                            cases.push((x, y));
                        }
                    }
                } else {
                    for i in 0..128 {
                        let y = if i % 2 == 0 {
                            rng.value(aw) % (2 * u128::from(w) + 2)
                        } else {
                            rng.value(aw)
                        };
                        cases.push((rng.value(w), y));
                    }
                }
                for chunk in cases.chunks(64) {
                    let xs: Vec<u128> = chunk.iter().map(|p| p.0).collect();
                    let ys: Vec<u128> = chunk.iter().map(|p| p.1).collect();
                    let (a, b) = (pack(&xs, w as usize), pack(&ys, aw as usize));
                    for (kind, op) in KINDS {
                        let mut g = PlainEval::default();
                        let out = by_amount(&mut g, &a, kind, &b);
                        for (lane, &(x, y)) in chunk.iter().enumerate() {
                            let want = binary(op, x, w, y, aw);
                            assert_eq!(
                                unpack(&out, lane),
                                want,
                                "{op} w={w} aw={aw} x={x:#x} y={y}"
                            );
                            let mut g = PlainEval::default();
                            let xs1 = pack(&[x], w as usize);
                            let c = by_constant(&mut g, &xs1, kind, y);
                            assert_eq!(unpack(&c, 0), want, "const {op} w={w} x={x:#x} y={y}");
                            assert_eq!(g.ands, 0);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn barrel_cost() {
        let mut g = PlainEval::default();
        let x = vec![0u64; 32];
        by_amount(&mut g, &x, ShiftKind::Shl, &x);
        assert_eq!(g.ands, 5 * 32 + 26 + 32);
    }
}
