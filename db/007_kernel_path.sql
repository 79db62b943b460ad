-- Migration 7: kernel paths.  bench_cases.path is the kernel path a case
-- ran: its kernel's instruction set, and TopK's selection ('avx512',
-- 'filter/avx512', 'portable'); the read sum's for a bandwidth case ('libc'
-- for memcpy and memset); NULL for a peer and for rows written before it.
-- Timings of different paths are not comparable: bench compare and regress
-- match on it.  regress_runs.not_comparable counts the bench cases a regress
-- run matched with the baseline's but did not compare, their path or CPU
-- model being another (NULL before it).  Documented in db/README.md.
ALTER TABLE bench_cases ADD COLUMN path TEXT;
ALTER TABLE regress_runs ADD COLUMN not_comparable INTEGER;
