-- Migration 15 (dist): Algorithm 1 over MPI (README.md "Algorithm 1 over
-- MPI", dist/alg1_net.h):
-- the links from rank 0 to each rank, measured at the start of a
-- distributed `tpc rate`, and each rank's time in each part of a run's
-- rounds, summed over the run.

CREATE TABLE dist_links (
  run_id        INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  rank          INTEGER NOT NULL CHECK (rank >= 1),
  ranks         INTEGER NOT NULL,
  latency       REAL,            -- a: half the median round trip, seconds
  bandwidth     REAL,            -- b: bytes per second of the bulk messages
  ping_bytes    INTEGER NOT NULL,
  bulk_bytes    INTEGER NOT NULL,
  PRIMARY KEY (run_id, rank)
) WITHOUT ROWID;

CREATE TABLE dist_alg1_times (
  trajectory_id INTEGER NOT NULL REFERENCES rate_trajectories (id) ON DELETE CASCADE,
  rank          INTEGER NOT NULL CHECK (rank >= 0),
  ranks         INTEGER NOT NULL,
  clients       INTEGER NOT NULL,
  rounds        INTEGER NOT NULL,
  grad_s        REAL NOT NULL,
  compress_s    REAL NOT NULL,
  wait_s        REAL NOT NULL,
  comm_s        REAL NOT NULL,
  decode_s      REAL NOT NULL,
  server_s      REAL NOT NULL,
  stats_s       REAL NOT NULL,
  bytes_sent    INTEGER NOT NULL,
  bytes_recv    INTEGER NOT NULL,
  stats_bytes   INTEGER NOT NULL,
  model_s       REAL,            -- rank 0: a + bytes/b of its messages
  PRIMARY KEY (trajectory_id, rank)
) WITHOUT ROWID;
