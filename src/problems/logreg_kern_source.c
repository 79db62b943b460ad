/* Template body of the logistic-regression kernels (logreg_kern.h), written
** once with GCC/Clang vector types of LR_LANES doubles and instantiated by
** logreg.c (2 lanes: SSE2 on x86-64, scalar code elsewhere),
** logreg_avx2.c (4) and logreg_avx512.c (8), each compiled with its own
** instruction-set flags.  Each lane's IEEE operations are exactly as
** written (the build has -ffp-contract=off), so every width gives the same
** bits.  LR_NAME(f) names an instance's kernels. */

typedef double lr_vd __attribute__((vector_size(8 * LR_LANES)));
typedef int64_t lr_vi __attribute__((vector_size(8 * LR_LANES)));
typedef uint64_t lr_vu __attribute__((vector_size(8 * LR_LANES)));

/* a where mask k is set, else b. */
static inline lr_vd lr_sel(lr_vi k, lr_vd a, lr_vd b) {
  return (lr_vd)(((lr_vi)a & k) | ((lr_vi)b & ~k));
}

/* v in every lane, its bits kept (-0.0 is a sign mask below). */
static inline lr_vd lr_splat(double v) {
  lr_vd r;
  for (int i = 0; i < LR_LANES; i++) r[i] = v;
  return r;
}

/* The fdlibm/glibc log1p kernel (s_log1p.c) on e in [0, 1] (NaN stays NaN),
** without its branches: k = 0 and f = e below sqrt(2) - 1, else k = 1 with
** 1 + e = 2 (1 + f) and c the rounding error of 1 + e, divided by 1 + e (u -
** 1 and u/2 - 1 are exact by Sterbenz, e - (u - 1) by Fast2Sum).  Below 1 ulp
** like the original: it equals glibc's log1p on all but about 0.07% of
** random e in [0, 1], and those by 1 ulp (glibc's build fuses some
** products).  libm's call, at about 20 ns, was a third of the gradient. */
static inline lr_vd lr_log1p_unit(lr_vd e) {
  lr_vd one = lr_splat(1.0), zero = lr_splat(0.0);
  lr_vd u = one + e, cu = (e - (u - one)) / u, fu = lr_splat(0.5) * u - one;
  lr_vi big = e >= lr_splat(TPC_LOG1P_SPLIT);
  lr_vd k = lr_sel(big, one, zero), c = lr_sel(big, cu, zero), f = lr_sel(big, fu, e);
  lr_vd hfsq = lr_splat(0.5) * f * f, s = f / (lr_splat(2.0) + f), z = s * s;
  lr_vd R = z * (TPC_LOG1P_LP1 +
                 z * (TPC_LOG1P_LP2 +
                      z * (TPC_LOG1P_LP3 +
                           z * (TPC_LOG1P_LP4 +
                                z * (TPC_LOG1P_LP5 + z * (TPC_LOG1P_LP6 + z * TPC_LOG1P_LP7))))));
  return k * TPC_LOG1P_LN2_HI - ((hfsq - (s * (hfsq + R) + (k * TPC_LOG1P_LN2_LO + c))) - f);
}

/* exp(-|m|) by fdlibm's rule (logreg_kern.h): x = -|m| clamped at
** TPC_EXP_MIN (NaN passes: the comparison is false), k = x/ln 2 rounded to
** nearest by the 1.5 2^52 shift and read from its low bits, r = x - k ln 2
** in two parts (k ln2_hi is exact), e^r from the rational approximation,
** and 2^k applied as 2^(k - k/2) 2^(k/2): both factors are normal down to
** k = -1077, the first product is exact and the second rounds once, so
** subnormal results are correctly scaled too.  k <= 0, so halving -k with a
** logical shift is floor division. */
static inline lr_vd lr_exp_neg(lr_vd m) {
  lr_vd x = (lr_vd)((lr_vi)m | (lr_vi)lr_splat(-0.0)); /* -|m|, NaN kept: the sign bit only */
  x = lr_sel(x < lr_splat(TPC_EXP_MIN), lr_splat(TPC_EXP_MIN), x);
  lr_vd t = x * TPC_EXP_INVLN2 + TPC_EXP_SHIFT, kd = t - TPC_EXP_SHIFT;
  lr_vd hi = x - kd * TPC_LOG1P_LN2_HI, lo = kd * TPC_LOG1P_LN2_LO, r = hi - lo;
  lr_vd z = r * r;
  lr_vd c = r - z * (TPC_EXP_P1 +
                     z * (TPC_EXP_P2 + z * (TPC_EXP_P3 + z * (TPC_EXP_P4 + z * TPC_EXP_P5))));
  lr_vd y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
  lr_vu nk = (lr_vu)lr_splat(TPC_EXP_SHIFT) - (lr_vu)t; /* -k */
  lr_vu half = nk >> 1, rest = nk - half;
  lr_vd s1 = (lr_vd)((1023 - half) << 52), s2 = (lr_vd)((1023 - rest) << 52);
  return y * s1 * s2;
}

void LR_NAME(exp)(const double *m, double *e) {
  for (size_t k = 0; k < TPC_LOGREG_BLOCK; k += LR_LANES) {
    lr_vd mk;
    memcpy(&mk, m + k, sizeof mk);
    lr_vd ek = lr_exp_neg(mk);
    memcpy(e + k, &ek, sizeof ek);
  }
}

/* One exp per row (e) serves both terms, and neither overflows. */
void LR_NAME(terms)(const double *m, const double *e, double *sp, double *s) {
  for (size_t k = 0; k < TPC_LOGREG_BLOCK; k += LR_LANES) {
    lr_vd mk, ek;
    memcpy(&mk, m + k, sizeof mk);
    memcpy(&ek, e + k, sizeof ek);
    lr_vi pos = mk >= lr_splat(0.0);
    lr_vd spk = lr_sel(pos, lr_splat(0.0), -mk) + lr_log1p_unit(ek);
    lr_vd sk = lr_sel(pos, ek, lr_splat(1.0)) / (lr_splat(1.0) + ek);
    memcpy(sp + k, &spk, sizeof spk);
    memcpy(s + k, &sk, sizeof sk);
  }
}
