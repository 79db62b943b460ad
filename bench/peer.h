/*
** Peers: other libraries timed on the same input at the same size as the
** TopK kernels, so that tpc's TopK is measured against what users would
** otherwise call (numpy.argpartition, torch.topk); stored as role 'peer'
** rows so reports compare them.
**
** The bench writes the group's input x to a temporary file (raw float32 or
** float64), runs bench/peers/topk_peers.py with python3, and parses the
** samples it prints (the script's docstring has the protocol).  The child's
** environment lacks OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which slow numpy
** on some machines; nothing else changes.  A missing interpreter, numpy or
** torch skips that peer with a note and is no error.
**
** Where things are looked for:
**   the script    $TPC_PEERS_DIR/topk_peers.py, then
**                 <dir of the tpc binary>/../bench/peers/, then
**                 <dir of the tpc binary>/../share/tpc/peers/, then
**                 ./bench/peers/
**   python        $TPC_PYTHON, else python3 on PATH and then /usr/bin/python3
**                 (Debian's, where python3-numpy installs) when the first
**                 cannot import numpy.
*/
#ifndef TPC_BENCH_PEER_H
#define TPC_BENCH_PEER_H

#include <stddef.h>

#include "bench/cases.h"
#include "bench/harness.h"

/* Time the TopK peers that pass the --impl filters on in->x for every k.
** Appends role-PEER cases (kernel "topk", impl "numpy.argpartition" or
** "torch.topk", summaries computed at o->level, seq numbers from o->seq) to
** *cases and *n (realloc'd).  *note (note_size bytes) says which versions ran
** and what was skipped and why.  TPC_OK (also when every peer was skipped),
** TPC_ENOMEM, or TPC_EIO when the input file cannot be written. */
int tpc_bench_peers_topk(const tpc_bench_inputs *in, const size_t *ks, size_t nk,
                         const char *const *filters, size_t nfilters,
                         tpc_bench_opts *o, int threads, tpc_bench_case **cases,
                         size_t *n, char *note, size_t note_size);

#endif
