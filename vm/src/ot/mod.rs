//! Oblivious transfer (in progress).
