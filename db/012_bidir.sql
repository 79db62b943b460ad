-- Migration 12: bidirectional 3PC (THEORY.md T10).  rate_checks records the
-- server mechanism's declared pair A_s, B_s of a bidir(M_w, M_s) method (the
-- clients' pair is A, B); NULL for other methods.  Documented in db/README.md.
ALTER TABLE rate_checks ADD COLUMN A_s REAL;
ALTER TABLE rate_checks ADD COLUMN B_s REAL;
