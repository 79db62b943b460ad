-- Migration 4: tpc bench.  One bench_env row per run, one bench_cases row per
-- case (kernel, bandwidth measurement or peer library) with its summary and
-- roofline, one bench_samples row per timed sample, one bench_bandwidth row
-- per bandwidth measured.  Columns are documented in db/README.md.
CREATE TABLE bench_env (
  run_id            INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
  cpu_model         TEXT,
  cores             INTEGER,
  governor          TEXT,
  turbo             TEXT,
  compiler          TEXT,
  cflags            TEXT,
  git_commit        TEXT,
  git_dirty         INTEGER CHECK (git_dirty IN (0, 1)),
  threads           INTEGER,
  timer             TEXT,
  timer_overhead_ns REAL,
  read_isa          TEXT,
  kernel_override   TEXT,
  samples           INTEGER,
  target_sample_ns  REAL,
  ci_level          REAL,
  seed              INTEGER,
  peak_rss_kib      INTEGER,
  peers             TEXT
);

CREATE TABLE bench_cases (
  id            INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  grp           INTEGER NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('kernel', 'bandwidth', 'peer')),
  kernel        TEXT NOT NULL,
  dtype         TEXT NOT NULL CHECK (dtype IN ('f32', 'f64')),
  d             INTEGER NOT NULL,
  k             INTEGER,
  impl          TEXT NOT NULL,
  spec          TEXT,
  note          TEXT,
  in_place      INTEGER NOT NULL DEFAULT 0 CHECK (in_place IN (0, 1)),
  iters         INTEGER,
  nsamples      INTEGER NOT NULL,
  median_ns     REAL,
  mad_ns        REAL,
  ci_lo_ns      REAL,
  ci_hi_ns      REAL,
  ci_level      REAL,
  q1_ns         REAL,
  q3_ns         REAL,
  outliers      INTEGER,
  min_ns        REAL,
  max_ns        REAL,
  bytes_read    REAL,
  bytes_written REAL,
  gbps          REAL,
  floor_ns      REAL,
  ratio         REAL
);

CREATE INDEX bench_cases_run ON bench_cases (run_id);
CREATE INDEX bench_cases_key ON bench_cases (kernel, dtype, d, k, impl);

CREATE TABLE bench_samples (
  run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  case_id INTEGER NOT NULL REFERENCES bench_cases (id) ON DELETE CASCADE,
  sample  INTEGER NOT NULL,
  seq     INTEGER NOT NULL,
  ns      REAL NOT NULL,
  PRIMARY KEY (case_id, sample)
);

CREATE INDEX bench_samples_run ON bench_samples (run_id);

CREATE TABLE bench_bandwidth (
  run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  case_id INTEGER NOT NULL REFERENCES bench_cases (id) ON DELETE CASCADE,
  grp     INTEGER NOT NULL,
  dtype   TEXT NOT NULL CHECK (dtype IN ('f32', 'f64')),
  d       INTEGER NOT NULL,
  kind    TEXT NOT NULL CHECK (kind IN ('read', 'copy', 'write')),
  bytes   INTEGER NOT NULL,
  gbps    REAL
);

CREATE INDEX bench_bandwidth_run ON bench_bandwidth (run_id);
