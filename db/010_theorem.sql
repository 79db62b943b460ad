-- Migration 10: the catalogue of theorems (bounds/theorems/catalogue.h).
-- rate_checks.theorem is the catalogue id of the theorem a row checks
-- ('T5.thm1', 'T5.pl'; NULL for a run without a check).  Rows written before
-- it get the id their check_kind names, so old rows read like new ones.
-- Documented in db/README.md.
ALTER TABLE rate_checks ADD COLUMN theorem TEXT;
UPDATE rate_checks SET theorem = CASE check_kind WHEN 'theorem1' THEN 'T5.thm1'
                                                 WHEN 'pl' THEN 'T5.pl' END;
CREATE INDEX rate_checks_theorem ON rate_checks (theorem);
