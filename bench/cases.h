/*
** The cases `tpc bench` times: which kernels exist, the inputs they share,
** and one group of interleaved cases per (kernel, dtype, d).
**
** Kernels (the KERNEL arguments), each a group of cases with their impls:
**   identity topk randk urandk permk bernoulli natural dither sign threshold
**            the base compressors of THEORY.md T2 through tpc_comp (impl
**            "comp"); topk adds every TopK implementation and instruction set
**            path the CPU runs (impl "filter/avx512", ...) and the peers
**   ef21     the EF21 step h + C(x - h) with C = topk (impl "topk")
**   clag     the CLAG step with C = topk, trigger firing (impl "send",
**            zeta = 0.5) and not firing (impl "skip", zeta = 2)
**   encode   tpc_wire_encode of one message of each kind (impl "sparse" from
**            topk, "sign", "quant" from dither(s=4), "pow2" from natural,
**            "dense" from identity)
**   decode   tpc_wire_decode of those bytes, the check of the parts' d and
**            dtype, the server's apply to its vector (a copy of x, restored
**            before each call: in place) and the decoded message's free
**   NAME     with --plugin, a plugin's compressor type (impl "comp"; its
**            floor: read x, write the output): NAME(k=K) for each k when the
**            type has a parameter k, as topk, else its bare spec.  A Python
**            type's group adds the bridge alone (impl "bridge": pyidentity,
**            registry/pyplugin.h, with the plugin's bytes), once per Python
**            kernel and (dtype, d), whatever --impl asks, and the plugin's
**            rows note what share of a call it is
** Each kernel is described once, in cases.c's kernel table (name, k, h and
** y, impls, how its cases are added, its spec and bytes).
** Every group also holds the three bandwidth cases of roofline.h.
**
** Inputs are allocated once per (dtype, d) and shared by every group at that
** size: x, and h, y for the mechanisms, standard normal draws from stream
** (seed, TPC_PURPOSE_BENCH, which << 48 | d) in double, rounded for float32,
** so a float32 and a float64 run see the same numbers.  Each group has one
** scratch buffer, the largest any of its cases asks for; kernels write their
** outputs there, and allocate nothing per call, but for decode:
** tpc_wire_decode returns a message that owns its buffers (wire.h), one
** allocation per call, which the case times as part of the server's work.
*/
#ifndef TPC_BENCH_CASES_H
#define TPC_BENCH_CASES_H

#include <stddef.h>
#include <stdint.h>

#include "bench/harness.h"
#include "registry/registry.h"

/* Kernel names in the order a run times them, NULL-terminated. */
const char *const *tpc_bench_kernels(void);
int tpc_bench_kernel_known(const char *name);
/* Whether the kernel's cases take k (--k / --ratio): a built-in's, or with
** reg (may be NULL) a plugin's compressor type that has a parameter k. */
int tpc_bench_kernel_has_k(const tpc_registry *reg, const char *name);

/* Whether the registry builds the kernel's spec at (d, k), checked before a
** run stores anything: TPC_OK for a built-in, else what building a plugin's
** type said (TPC_EINPUT: a required parameter other than k, a k its
** constructor refuses; the message says which, at which d). */
int tpc_bench_kernel_check(const tpc_registry *reg, const char *kernel, size_t d, size_t k);

/* The impl of a Python kernel's bridge case. */
#define TPC_BENCH_BRIDGE "bridge"

/* After the summaries: the note of each Python case of a group that has a
** bridge case, "bridge 6.1 us (42 %)", the bridge's median (instructions
** when counted) and its share of the case's. */
void tpc_bench_bridge_notes(tpc_bench_case *cases, size_t n);

/* Whether `impl` passes the --impl filters (all when nfilters == 0): equal to
** one, or one followed by '/' or '.' in impl ("filter" passes
** "filter/avx2", "numpy" passes "numpy.argpartition"). */
int tpc_bench_impl_matches(const char *const *filters, size_t nfilters, const char *impl);

/* Whether a filter matches some case of `kernel` (of any kernel when NULL),
** so that a typo is refused with exit 2 before any work. */
int tpc_bench_impl_known(const char *kernel, const char *filter);

typedef struct tpc_bench_inputs {
  tpc_dtype dtype;
  size_t d;
  void *x, *h, *y;   /* d elements of dtype; h, y NULL unless asked for */
} tpc_bench_inputs;

/* Allocate and fill the inputs; h and y only when with_hy.  TPC_ENOMEM. */
int tpc_bench_inputs_alloc(tpc_bench_inputs *in, tpc_dtype dtype, size_t d,
                           uint64_t seed, int with_hy);
void tpc_bench_inputs_free(tpc_bench_inputs *in);

/* Whether the kernel needs h and y. */
int tpc_bench_kernel_needs_hy(const char *name);

/* Whether other libraries are timed beside the kernel (peer.h). */
int tpc_bench_kernel_has_peers(const char *name);

/* The group of `kernel` at the inputs' size: the bandwidth cases, then one
** case per impl passing the filters and per k in ks[0..nk) (k is ignored by
** kernels without one).  *cases is allocated (free with
** tpc_bench_group_free), every case's scratch points into *scratch.
** TPC_OK, TPC_EINPUT (a spec the registry refuses) or TPC_ENOMEM. */
int tpc_bench_group_build(const tpc_registry *reg, const char *kernel,
                          const tpc_bench_inputs *in, const size_t *ks, size_t nk,
                          const char *const *filters, size_t nfilters, uint64_t seed,
                          tpc_bench_case **cases, size_t *n, void **scratch);

void tpc_bench_group_free(tpc_bench_case *cases, size_t n, void *scratch);

#endif
