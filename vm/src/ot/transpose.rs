//! Transposing the 128 × n bit matrix of OT extension, without `unsafe`.
//!
//! IKNP produces 128 columns of n bits (one per base OT) and needs n rows of
//! 128 bits (one per extended OT). We cut the matrix into 64 × 64 tiles and
//! transpose each with the mask-and-shift method (six rounds of swapping
//! half-blocks: 32 × 32, 16 × 16, …, 1 × 1). Eight tiles are processed side by
//! side as `[u64; 8]` lanes so that every round is the same vector operation
//! on all lanes, which the compiler turns into AVX2/AVX-512 code.

use crate::block::Block;

/// `u64` words per row handled together in the bulk loop (four blocks).
const LANES: usize = 8;

/// Transposes the matrix whose row `i < 128` is `rows[i·bpr .. (i+1)·bpr]`
/// (bit `j` of a row = bit `j % 128` of block `j / 128`): bit `i` of
/// `out[j]` becomes bit `j` of row `i`. Only the first `out.len()` columns
/// (at most `128·bpr`) are written.
pub(crate) fn transpose_128(rows: &[Block], bpr: usize, out: &mut [Block]) {
    debug_assert_eq!(rows.len(), 128 * bpr);
    debug_assert!(out.len() <= 128 * bpr);
    let blocks_needed = out.len().div_ceil(128);
    let mut first = 0;
    while first + LANES / 2 <= blocks_needed {
        group::<LANES>(rows, bpr, first, out);
        first += LANES / 2;
    }
    while first < blocks_needed {
        group::<2>(rows, bpr, first, out);
        first += 1;
    }
}

/// Transposes the columns held in blocks `first .. first + L/2` of every row.
#[inline(always)]
fn group<const L: usize>(rows: &[Block], bpr: usize, first: usize, out: &mut [Block]) {
    let mut lo = [[0u64; L]; 64];
    let mut hi = [[0u64; L]; 64];
    for (half, tile) in [&mut lo, &mut hi].into_iter().enumerate() {
        for (r, words) in tile.iter_mut().enumerate() {
            let row = &rows[(64 * half + r) * bpr + first..][..L / 2];
            for (pair, b) in words.chunks_exact_mut(2).zip(row) {
                let v = b.to_u128();
                pair[0] = v as u64;
                pair[1] = (v >> 64) as u64;
            }
        }
        transpose_64(tile);
    }
    // Word l of the group holds columns 64·(2·first + l) + k, k < 64.
    let base = 128 * first;
    if base + 64 * L <= out.len() {
        let dst = &mut out[base..base + 64 * L];
        for (k, (x, y)) in lo.iter().zip(hi.iter()).enumerate() {
            for l in 0..L {
                dst[64 * l + k] = Block::from_u128(u128::from(x[l]) | (u128::from(y[l]) << 64));
            }
        }
    } else {
        for (k, (x, y)) in lo.iter().zip(hi.iter()).enumerate() {
            for l in 0..L {
                if let Some(o) = out.get_mut(base + 64 * l + k) {
                    *o = Block::from_u128(u128::from(x[l]) | (u128::from(y[l]) << 64));
                }
            }
        }
    }
}

/// Transposes `L` independent 64 × 64 tiles (lane `l` of every word is tile
/// `l`; bit `c` of word `r` is entry (r, c)).
#[inline(always)]
fn transpose_64<const L: usize>(a: &mut [[u64; L]; 64]) {
    swap_round::<L, 32>(a, 0x0000_0000_FFFF_FFFF);
    swap_round::<L, 16>(a, 0x0000_FFFF_0000_FFFF);
    swap_round::<L, 8>(a, 0x00FF_00FF_00FF_00FF);
    swap_round::<L, 4>(a, 0x0F0F_0F0F_0F0F_0F0F);
    swap_round::<L, 2>(a, 0x3333_3333_3333_3333);
    swap_round::<L, 1>(a, 0x5555_5555_5555_5555);
}

/// Swaps entry (k, c + J) with (k + J, c) for every `k`, `c` with bit `J`
/// clear (`mask` has the bits `c` with bit `J` clear).
#[inline(always)]
fn swap_round<const L: usize, const J: usize>(a: &mut [[u64; L]; 64], mask: u64) {
    // Whole-row operations, one row pair at a time: the compiler maps each
    // row to vector registers instead of gathering across rows.
    for k in (0..64).filter(|k| k & J == 0) {
        let (x, y) = (a[k], a[k + J]);
        let t: [u64; L] = std::array::from_fn(|l| ((x[l] >> J) ^ y[l]) & mask);
        a[k] = std::array::from_fn(|l| x[l] ^ (t[l] << J));
        a[k + J] = std::array::from_fn(|l| y[l] ^ t[l]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn naive(rows: &[Block], bpr: usize, n: usize) -> Vec<Block> {
        (0..n)
            .map(|j| {
                let mut x = 0u128;
                for i in 0..128 {
                    let bit = (rows[i * bpr + j / 128].to_u128() >> (j % 128)) & 1;
                    x |= bit << i;
                }
                Block::from_u128(x)
            })
            .collect()
    }

    fn matrix(seed: u64, bpr: usize) -> Vec<Block> {
        let mut prg = crate::crypto::Prg::from_seed(Block::from_u128(u128::from(seed)));
        (0..128 * bpr).map(|_| prg.block()).collect()
    }

    #[test]
    fn single_bits_land_where_they_should() {
        let bpr = 5;
        for (i, j) in [
            (0, 0),
            (0, 639),
            (127, 0),
            (127, 639),
            (63, 64),
            (64, 63),
            (5, 300),
        ] {
            let mut rows = vec![Block::ZERO; 128 * bpr];
            rows[i * bpr + j / 128] = Block::from_u128(1u128 << (j % 128));
            let mut out = vec![Block::ZERO; 128 * bpr];
            transpose_128(&rows, bpr, &mut out);
            for (k, o) in out.iter().enumerate() {
                let want = if k == j {
                    Block::from_u128(1u128 << i)
                } else {
                    Block::ZERO
                };
                assert_eq!(*o, want, "bit ({i}, {j}), column {k}");
            }
        }
    }

    proptest! {
        #[test]
        fn matches_bit_by_bit(seed in any::<u64>(), bpr in 1usize..12, cut in 0usize..128) {
            let rows = matrix(seed, bpr);
            // Every output length, including ones that end inside a block.
            let n = (128 * bpr).saturating_sub(cut);
            let mut out = vec![Block::from_u128(u128::MAX); n];
            transpose_128(&rows, bpr, &mut out);
            prop_assert_eq!(out, naive(&rows, bpr, n));
        }
    }
}
