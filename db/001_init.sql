-- Migration 1: the runs table.  Every result table added by later migrations
-- references runs(id) ON DELETE CASCADE.  Columns are documented in db/README.md.
CREATE TABLE runs (
  id          INTEGER PRIMARY KEY,
  command     TEXT NOT NULL,
  argv        TEXT,
  seed        INTEGER,
  threads     INTEGER,
  git_commit  TEXT,
  git_dirty   INTEGER CHECK (git_dirty IN (0, 1)),
  host        TEXT,
  cpu_model   TEXT,
  cores       INTEGER,
  compiler    TEXT,
  cflags      TEXT,
  tpc_version TEXT,
  started_at  TEXT NOT NULL,
  ended_at    TEXT,
  status      TEXT NOT NULL DEFAULT 'running'
              CHECK (status IN ('running', 'ok', 'failed', 'inconclusive',
                                'error', 'interrupted'))
);

CREATE INDEX runs_command_started ON runs (command, started_at);
