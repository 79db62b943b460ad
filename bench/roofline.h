/*
** The roofline of `tpc bench`: how fast this machine moves the bytes of a
** case, measured in the same run, at the same size, interleaved with the
** cases it judges (one set per group), and the floor each case is held to.
**
** Three bandwidths over the group's input (d elements of the dtype):
**   read   a vectorized 64-bit integer sum of every byte (the widest of
**          AVX-512, AVX2 or portable code the CPU runs; the sum goes to a
**          volatile sink, so the compiler cannot drop the loop)
**   copy   memcpy of the input to the scratch buffer (glibc's best, which
**          uses non-temporal stores for large sizes)
**   write  memset of the scratch buffer
** each as bytes of the buffer per ns (= GB/s) over the FASTEST sample: the
** floor is what the machine demonstrably did in this run, so interference
** (a busy neighbour makes samples bimodal on a shared machine) can only
** inflate a kernel's ratio, never shrink its floor by chance.  Small sizes
** measure a cache, large ones memory: that is the point of measuring at the
** case's size.
**
** A case that must read R bytes and write W bytes per call has the floor
**     P = min(R, W):  floor = P / copy + (R - P) / read + (W - P) / write,
** so memcpy, the sum and memset themselves sit at ratio 1.  What R and W are
** for each kernel is documented where the cases are built (cases.c).
*/
#ifndef TPC_BENCH_ROOFLINE_H
#define TPC_BENCH_ROOFLINE_H

#include <stddef.h>
#include <stdint.h>

#include "bench/harness.h"

typedef enum { TPC_BW_READ = 0, TPC_BW_COPY, TPC_BW_WRITE, TPC_BW_KINDS } tpc_bw_kind;

/* "read", "copy", "write": the impl name of the bandwidth cases. */
const char *tpc_bench_bw_name(tpc_bw_kind k);

/* Sum of buf's bytes as little-endian 64-bit words (tail bytes added one by
** one), by the widest available path; and each path, for tests. */
uint64_t tpc_bench_read_sum(const void *buf, size_t bytes);
uint64_t tpc_bench_read_sum_portable(const void *buf, size_t bytes);
uint64_t tpc_bench_read_sum_avx2(const void *buf, size_t bytes);
uint64_t tpc_bench_read_sum_avx512(const void *buf, size_t bytes);

/* The path tpc_bench_read_sum takes: "avx512", "avx2" or "portable". */
const char *tpc_bench_read_isa(void);

/* Fill out[0..3) with the read, copy and write cases over src (bytes long);
** copy and write need `bytes` of scratch.  dtype and d label the rows.
** TPC_OK or TPC_ENOMEM (nothing left allocated). */
int tpc_bench_bw_cases(tpc_bench_case out[TPC_BW_KINDS], const void *src,
                       size_t bytes, tpc_dtype dtype, size_t d);

/* Floor in ns of a call that reads r and writes w bytes, with bandwidths in
** bytes per ns; 0 when a bandwidth it needs is not positive. */
double tpc_bench_floor_ns(double r, double w, const double bw[TPC_BW_KINDS]);

/* Bandwidths (bytes/ns, from each bandwidth case's fastest sample; 0 where
** absent) of a timed group, then every case's floor_ns and ratio (median /
** floor: a bandwidth case's own ratio shows its spread). */
void tpc_bench_roofline_apply(tpc_bench_case *cases, size_t n,
                              double bw[TPC_BW_KINDS]);

#endif
