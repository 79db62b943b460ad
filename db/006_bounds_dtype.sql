-- Migration 6: the element type a tpc bounds check ran its kernels in
-- (`--dtype`); rows written before it checked float64.  Documented in
-- db/README.md.
ALTER TABLE bounds_specs ADD COLUMN dtype TEXT NOT NULL DEFAULT 'f64'
  CHECK (dtype IN ('f32', 'f64'));
