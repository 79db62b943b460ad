-- Migration 11: the theorems of THEORY.md T8 and T9 in the catalogue
-- (bounds/theorems/catalogue.h).  rate_checks.check_kind takes every
-- theorem's kind (it was limited to T5's 'theorem1', 'pl', 'none'), and the
-- row records the constants those theorems read: L_max, the strong
-- convexity mu of f (musc), the clients' omega, the server's alpha, the
-- method's beta and p.  rate_best.metric gains 'final_f' (the smallest
-- f(x^T): --experiment ef21p).  rate_points records the observables of T8
-- and T9 and, for the checked runs, the theorem's measured quantity and its
-- bound at t (the report plots one against the other).
--
-- SQLite cannot change a CHECK constraint in place: the two tables are
-- rebuilt by the procedure of its documentation ("Making Other Kinds Of
-- Table Schema Changes", lang_altertable.html), which the store makes safe
-- by running migrations with foreign keys off and checking them before the
-- commit (src/store/store.c).  Documented in db/README.md.
CREATE TABLE rate_checks_new (
  id            INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  experiment    TEXT,
  label         TEXT,
  problem       TEXT NOT NULL,
  method        TEXT NOT NULL,
  server        TEXT,
  d             INTEGER NOT NULL,
  n             INTEGER NOT NULL,
  Lminus        REAL,
  Lminus_kind   TEXT,
  Lplus         REAL,
  Lplus_kind    TEXT,
  Lpm           REAL,
  Lpm_kind      TEXT,
  mu            REAL,
  mu_kind       TEXT,
  finf          REAL,
  finf_kind     TEXT,
  ineq          TEXT,
  A             REAL,
  B             REAL,
  deterministic INTEGER CHECK (deterministic IN (0, 1)),
  check_kind    TEXT NOT NULL CHECK (check_kind <> ''),
  x0            TEXT NOT NULL,
  init          TEXT NOT NULL,
  T             INTEGER NOT NULL,
  reps          INTEGER NOT NULL,
  eps           REAL,
  bits_budget   INTEGER,
  gamma_theory  REAL,
  mult          REAL,
  gamma         REAL NOT NULL,
  delta0        REAL,
  G0            REAL,
  bound         REAL,
  measured      REAL,
  ucb           REAL,
  ratio         REAL,
  confidence    REAL,
  verdict       TEXT NOT NULL
                CHECK (verdict IN ('pass', 'violated', 'inconclusive', 'n/a')),
  note          TEXT,
  slack         INTEGER,
  theorem       TEXT,
  Lmax          REAL,
  Lmax_kind     TEXT,
  musc          REAL,
  musc_kind     TEXT,
  omega         REAL,
  alpha         REAL,
  beta          REAL,
  p             REAL
);
INSERT INTO rate_checks_new (
    id, run_id, experiment, label, problem, method, server, d, n, Lminus, Lminus_kind,
    Lplus, Lplus_kind, Lpm, Lpm_kind, mu, mu_kind, finf, finf_kind, ineq, A, B,
    deterministic, check_kind, x0, init, T, reps, eps, bits_budget, gamma_theory, mult,
    gamma, delta0, G0, bound, measured, ucb, ratio, confidence, verdict, note, slack,
    theorem)
  SELECT
    id, run_id, experiment, label, problem, method, server, d, n, Lminus, Lminus_kind,
    Lplus, Lplus_kind, Lpm, Lpm_kind, mu, mu_kind, finf, finf_kind, ineq, A, B,
    deterministic, check_kind, x0, init, T, reps, eps, bits_budget, gamma_theory, mult,
    gamma, delta0, G0, bound, measured, ucb, ratio, confidence, verdict, note, slack,
    theorem FROM rate_checks;
DROP TABLE rate_checks;
ALTER TABLE rate_checks_new RENAME TO rate_checks;
CREATE INDEX rate_checks_run ON rate_checks (run_id);
CREATE INDEX rate_checks_theorem ON rate_checks (theorem);

CREATE TABLE rate_best_new (
  id            INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  experiment    TEXT NOT NULL,
  panel         TEXT,
  method        TEXT NOT NULL,
  K             INTEGER,
  zeta          REAL,
  metric        TEXT NOT NULL CHECK (metric IN ('bits_to_eps', 'final_gnorm2', 'final_f')),
  best_mult     REAL,
  best_gamma    REAL,
  trajectory_id INTEGER REFERENCES rate_trajectories (id) ON DELETE SET NULL,
  reached       INTEGER CHECK (reached IN (0, 1)),
  value         REAL,
  bits_up_per_client       REAL,
  bits_up_paper_per_client REAL,
  iters         INTEGER
);
INSERT INTO rate_best_new (
    id, run_id, experiment, panel, method, K, zeta, metric, best_mult, best_gamma,
    trajectory_id, reached, value, bits_up_per_client, bits_up_paper_per_client, iters)
  SELECT
    id, run_id, experiment, panel, method, K, zeta, metric, best_mult, best_gamma,
    trajectory_id, reached, value, bits_up_per_client, bits_up_paper_per_client, iters FROM rate_best;
DROP TABLE rate_best;
ALTER TABLE rate_best_new RENAME TO rate_best;
CREATE INDEX rate_best_run ON rate_best (run_id);

ALTER TABLE rate_points ADD COLUMN bits_down_paper INTEGER;
ALTER TABLE rate_points ADD COLUMN f_x REAL;
ALTER TABLE rate_points ADD COLUMN gnorm2_x REAL;
ALTER TABLE rate_points ADD COLUMN dist2 REAL;
ALTER TABLE rate_points ADD COLUMN f_avg REAL;
ALTER TABLE rate_points ADD COLUMN H REAL;
ALTER TABLE rate_points ADD COLUMN wx2 REAL;
ALTER TABLE rate_points ADD COLUMN measure REAL;
ALTER TABLE rate_points ADD COLUMN bound REAL;
