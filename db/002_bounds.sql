-- Migration 2: tpc bounds.  One row per checked spec (bounds_specs), one per
-- evaluated point (bounds_points) and one per point of the empirical A-B
-- frontier (bounds_frontier).  Columns are documented in db/README.md.
CREATE TABLE bounds_specs (
  id               INTEGER PRIMARY KEY,
  run_id           INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  position         INTEGER NOT NULL,
  spec             TEXT NOT NULL,
  kind             TEXT NOT NULL CHECK (kind IN ('compressor', 'mechanism')),
  check_kind       TEXT NOT NULL,
  d                INTEGER NOT NULL,
  n                INTEGER NOT NULL,
  trials           INTEGER,
  draws            INTEGER,
  families         TEXT,
  search_budget    INTEGER,
  confidence       REAL,
  deterministic    INTEGER CHECK (deterministic IN (0, 1)),
  declared_alpha   REAL,
  declared_omega   REAL,
  declared_A       REAL,
  declared_B       REAL,
  declared_c       REAL,
  sup_ratio        REAL,
  sup_ratio_ucb    REAL,
  alpha_hat        REAL,
  omega_hat        REAL,
  worst_ratio      REAL,
  worst_ratio_lcb  REAL,
  worst_ratio_ucb  REAL,
  worst_family     TEXT,
  worst_index      INTEGER,
  frontier_A       REAL,
  frontier_B       REAL,
  frontier_BA      REAL,
  frontier_BA_lcb  REAL,
  B_at_declared_A  REAL,
  step_factor      REAL,
  declared_step_factor REAL,
  step_gain        REAL,
  step_gain_max    REAL,
  unbiased_tests   INTEGER,
  unbiased_rejected INTEGER,
  unbiased_p       REAL,
  bits_mean        REAL,
  bits_max         REAL,
  dense_bits       REAL,
  no_compression   INTEGER CHECK (no_compression IN (0, 1)),
  loose            INTEGER CHECK (loose IN (0, 1)),
  loose_factor     REAL,
  points           INTEGER,
  evaluations      REAL,
  verdict          TEXT NOT NULL
                   CHECK (verdict IN ('pass', 'violated', 'inconclusive', 'error')),
  reason           TEXT,
  seconds          REAL
);

CREATE INDEX bounds_specs_run ON bounds_specs (run_id);
CREATE INDEX bounds_specs_spec ON bounds_specs (spec);

CREATE TABLE bounds_points (
  run_id     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  spec_id    INTEGER NOT NULL REFERENCES bounds_specs (id) ON DELETE CASCADE,
  family     TEXT NOT NULL,
  idx        INTEGER NOT NULL,
  confirm    INTEGER NOT NULL CHECK (confirm IN (0, 1, 2)),
  client     INTEGER,
  draws      INTEGER NOT NULL,
  scale_log2 INTEGER NOT NULL,
  e          REAL,
  e_lcb      REAL,
  e_ucb      REAL,
  u          REAL,
  v          REAL,
  w          REAL,
  s2         REAL,
  rhs        REAL,
  ratio      REAL,
  ratio_lcb  REAL,
  ratio_ucb  REAL,
  bits       REAL
);

CREATE INDEX bounds_points_spec ON bounds_points (spec_id);
CREATE INDEX bounds_points_run ON bounds_points (run_id);

CREATE TABLE bounds_frontier (
  run_id   INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  spec_id  INTEGER NOT NULL REFERENCES bounds_specs (id) ON DELETE CASCADE,
  A        REAL NOT NULL,
  B        REAL,
  B_lcb    REAL,
  B_ucb    REAL,
  declared INTEGER NOT NULL CHECK (declared IN (0, 1))
);

CREATE INDEX bounds_frontier_spec ON bounds_frontier (spec_id);
CREATE INDEX bounds_frontier_run ON bounds_frontier (run_id);
