//! Register assignment along a schedule, shared by the garbling plan and the
//! secret-sharing layers: every secret wire gets a register when it is
//! written and gives it back after its last read, so a run's memory follows
//! the live wires, not the circuit's size.

use veil_circuit::Circuit;

/// Where a wire's value lives during a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Src {
    /// A register holding this party's share or label.
    Secret(u32),
    /// A slot of the public table, which every party holds in full.
    Known(u32),
}

/// "No register" / "never read".
pub(crate) const NONE: u32 = u32::MAX;
/// The last use of an output wire: the end of the run.
const FOREVER: u32 = u32::MAX - 1;

/// Registers of the wires, and the free list.
pub(crate) struct Allocator {
    reg: Vec<u32>,
    last: Vec<u32>,
    free: Vec<u32>,
    count: u32,
}

impl Allocator {
    /// An allocator for a circuit with `wires` wires whose secret wires are
    /// read at the schedule positions `reads` gives (`(position, wire)`);
    /// registers below `reserved` are never handed out. Secret output wires
    /// (those with no public `slot`) stay live to the end.
    pub fn new(
        c: &Circuit,
        slot: &[u32],
        reserved: u32,
        reads: impl IntoIterator<Item = (u32, u32)>,
    ) -> Allocator {
        let n = c.wires.len();
        let mut last = vec![NONE; n];
        for (pos, w) in reads {
            last[w as usize] = pos;
        }
        for g in &c.outputs {
            for w in g.wires.iter() {
                if slot[w.index()] == NONE {
                    last[w.index()] = FOREVER;
                }
            }
        }
        Allocator {
            reg: vec![NONE; n],
            last,
            free: Vec::new(),
            count: reserved,
        }
    }

    /// Gives the secret input wires their registers (in order), renames the
    /// `Src::Secret(wire)` placeholders of `inputs` to registers, and frees
    /// the registers of inputs nothing reads.
    pub fn inputs(&mut self, secret_inputs: &[u32], inputs: &mut [Vec<Src>]) {
        for &w in secret_inputs {
            self.define(w);
        }
        for s in inputs.iter_mut().flatten() {
            if let Src::Secret(w) = *s {
                *s = Src::Secret(self.reg[w as usize]);
            }
        }
        for &w in secret_inputs {
            if self.last[w as usize] == NONE {
                self.free.push(self.reg[w as usize]);
            }
        }
    }

    /// A register for `wire`, which is being written.
    pub fn define(&mut self, wire: u32) -> u32 {
        let r = self.free.pop().unwrap_or_else(|| {
            self.count += 1;
            self.count - 1
        });
        self.reg[wire as usize] = r;
        r
    }

    /// The register of `wire`.
    pub fn reg(&self, wire: u32) -> u32 {
        self.reg[wire as usize]
    }

    /// After position `pos`: frees the registers of the wires it `read` for
    /// the last time (each once) and of the wires it `wrote` that nothing reads.
    pub fn after(&mut self, pos: u32, read: &[u32], wrote: &[u32]) {
        for (i, &w) in read.iter().enumerate() {
            if self.last[w as usize] == pos && !read[..i].contains(&w) {
                self.free.push(self.reg[w as usize]);
            }
        }
        for &w in wrote {
            if self.last[w as usize] == NONE {
                self.free.push(self.reg[w as usize]);
            }
        }
    }

    /// Where each output group's wires are, after the schedule.
    pub fn outputs(&self, c: &Circuit, slot: &[u32]) -> Vec<Vec<Src>> {
        c.outputs
            .iter()
            .map(|g| {
                g.wires
                    .iter()
                    .map(|w| match slot[w.index()] {
                        NONE => Src::Secret(self.reg[w.index()]),
                        s => Src::Known(s),
                    })
                    .collect()
            })
            .collect()
    }

    /// The number of registers used (reserved ones included).
    pub fn count(&self) -> u32 {
        self.count
    }
}
