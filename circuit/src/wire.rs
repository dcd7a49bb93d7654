//! Wires: dense `u32` ids for the value slots of a circuit, and compact lists of them.
//!
//! A wire is named by its index into the circuit's wire table, written `w5`
//! in every text form, so a log line or an error message greps straight to
//! the circuit text. Runs of consecutive wires are stored as a start and a
//! length ([`WireRange`]), and lists of wires as runs ([`WireList`]): the
//! input of a 512-bit value costs one run, not 512 entries.

use std::fmt;

/// One wire of a circuit: an index into [`crate::Circuit::wires`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Wire(pub u32);

impl Wire {
    /// The wire's index as a `usize`, for indexing per-wire tables.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for Wire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "w{}", self.0)
    }
}

impl fmt::Debug for Wire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "w{}", self.0)
    }
}

/// `len` consecutive wires starting at `start`, in increasing order.
///
/// Conversion gates and wire lists hold ranges rather than vectors so that a
/// gate stays a small `Copy` value. The range may run past `u32::MAX` only in
/// an invalid circuit; [`WireRange::end`] is therefore a `u64`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct WireRange {
    /// The first wire.
    pub start: Wire,
    /// The number of wires.
    pub len: u32,
}

impl WireRange {
    /// The range `start .. start + len`.
    pub fn new(start: Wire, len: u32) -> Self {
        WireRange { start, len }
    }

    /// One past the last wire's index (may exceed `u32::MAX` in an invalid circuit).
    pub fn end(self) -> u64 {
        u64::from(self.start.0) + u64::from(self.len)
    }

    /// Whether the range holds no wire.
    pub fn is_empty(self) -> bool {
        self.len == 0
    }

    /// The `i`-th wire of the range, if `i < len` and the wire id fits in `u32`.
    pub fn get(self, i: u32) -> Option<Wire> {
        if i < self.len {
            self.start.0.checked_add(i).map(Wire)
        } else {
            None
        }
    }

    /// The wires in increasing order.
    pub fn iter(self) -> RangeIter {
        RangeIter {
            next: u64::from(self.start.0),
            end: self.end(),
        }
    }
}

impl fmt::Display for WireRange {
    /// `w3..=w7` for five wires, `w3` for one, `w3..w3` for none.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.len {
            0 => write!(f, "w{}..w{}", self.start.0, self.start.0),
            1 => write!(f, "w{}", self.start.0),
            _ => write!(f, "w{}..=w{}", self.start.0, self.end() - 1),
        }
    }
}

impl fmt::Debug for WireRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl IntoIterator for WireRange {
    type Item = Wire;
    type IntoIter = RangeIter;
    fn into_iter(self) -> RangeIter {
        self.iter()
    }
}

/// Iterator over the wires of a [`WireRange`].
#[derive(Debug, Clone)]
pub struct RangeIter {
    next: u64,
    end: u64,
}

impl Iterator for RangeIter {
    type Item = Wire;
    fn next(&mut self) -> Option<Wire> {
        if self.next < self.end {
            let w = self.next;
            self.next += 1;
            // Ids past u32::MAX only occur in invalid circuits; wrapping keeps
            // the iterator total instead of panicking.
            Some(Wire(w as u32))
        } else {
            None
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::try_from(self.end - self.next).unwrap_or(usize::MAX);
        (n, Some(n))
    }
}

impl DoubleEndedIterator for RangeIter {
    fn next_back(&mut self) -> Option<Wire> {
        if self.next < self.end {
            self.end -= 1;
            Some(Wire(self.end as u32))
        } else {
            None
        }
    }
}

impl ExactSizeIterator for RangeIter {}

/// An ordered list of wires stored as runs of consecutive wires.
///
/// Invariant: no run is empty and no run continues the previous one (they
/// would have been merged), so two lists holding the same wires in the same
/// order are equal, whatever way they were built.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct WireList {
    runs: Vec<WireRange>,
}

impl WireList {
    /// The empty list.
    pub fn new() -> Self {
        WireList::default()
    }

    /// Appends one wire.
    pub fn push(&mut self, wire: Wire) {
        self.push_range(WireRange::new(wire, 1));
    }

    /// Appends a run of wires, merging it with the last run when it continues it.
    pub fn push_range(&mut self, range: WireRange) {
        if range.is_empty() {
            return;
        }
        if let Some(last) = self.runs.last_mut() {
            if last.end() == u64::from(range.start.0) {
                if let Some(len) = last.len.checked_add(range.len) {
                    last.len = len;
                    return;
                }
            }
        }
        self.runs.push(range);
    }

    /// The number of wires (runs may overlap or repeat, so this counts entries).
    pub fn len(&self) -> u64 {
        self.runs.iter().map(|r| u64::from(r.len)).sum()
    }

    /// Whether the list holds no wire.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// The runs, in order.
    pub fn runs(&self) -> &[WireRange] {
        &self.runs
    }

    /// The wires, in order.
    pub fn iter(&self) -> impl Iterator<Item = Wire> + '_ {
        self.runs.iter().flat_map(|r| r.iter())
    }

    /// The same wires in the opposite order.
    pub fn reversed(&self) -> WireList {
        let mut out = WireList::new();
        for run in self.runs.iter().rev() {
            for i in (0..run.len).rev() {
                // Every wire of a run fits in u32 here only for valid lists;
                // an overflowing run is kept as is (wrapping) rather than panicking.
                out.push(Wire(run.start.0.wrapping_add(i)));
            }
        }
        out
    }
}

impl fmt::Display for WireList {
    /// The runs separated by spaces, e.g. `w0..=w7 w12`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.runs.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for WireList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{self}]")
    }
}

impl FromIterator<Wire> for WireList {
    fn from_iter<I: IntoIterator<Item = Wire>>(iter: I) -> Self {
        let mut list = WireList::new();
        for w in iter {
            list.push(w);
        }
        list
    }
}

impl From<WireRange> for WireList {
    fn from(range: WireRange) -> Self {
        let mut list = WireList::new();
        list.push_range(range);
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_merge_runs_so_equal_lists_compare_equal() {
        let a: WireList = [0, 1, 2, 5, 6].into_iter().map(Wire).collect();
        let mut b = WireList::from(WireRange::new(Wire(0), 2));
        b.push(Wire(2));
        b.push_range(WireRange::new(Wire(5), 2));
        b.push_range(WireRange::new(Wire(9), 0));
        assert_eq!(a, b);
        assert_eq!(a.runs().len(), 2);
        assert_eq!(a.len(), 5);
        assert_eq!(a.to_string(), "w0..=w2 w5..=w6");
        let r: Vec<u32> = a.reversed().iter().map(|w| w.0).collect();
        assert_eq!(r, vec![6, 5, 2, 1, 0]);
    }

    #[test]
    fn ranges_print_and_iterate() {
        assert_eq!(WireRange::new(Wire(3), 0).to_string(), "w3..w3");
        assert_eq!(WireRange::new(Wire(3), 1).to_string(), "w3");
        assert_eq!(WireRange::new(Wire(3), 5).to_string(), "w3..=w7");
        assert_eq!(WireRange::new(Wire(3), 5).iter().count(), 5);
        assert_eq!(WireRange::new(Wire(u32::MAX), 2).get(1), None);
    }
}
