//! Spec-tabulated constants used by the E-AC-3 (Annex E) decode path.
//!
//! The values in [`aht_codebooks`] are transcribed verbatim from
//! ATSC A/52:2018 Annex E §4 (= ETSI TS 102 366 v1.4.1 Annex E §4) and
//! are spec values, not implementation source. See the per-table doc
//! comments for the originating Table E4.x reference.

pub mod aht_codebooks;
