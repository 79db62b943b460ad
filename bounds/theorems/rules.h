/*
** The step rules and bounds of THEORY.md T8 (shifted compression), T9
** (EF21-P and its DIANA and DCGD variants) and T10 (bidirectional 3PC) as
** pure functions of the
** constants, for the catalogue's entries of those theorems
** (bounds/theorems/catalogue.h), which need the methods of src/methods/ to
** be checked.  Inputs: the problem's constants (L-, L+, L_max, mu, ...), the
** compressors' omega (Q_i in U(omega)) and alpha (C_s in B(alpha)), the
** method's beta or p, n clients, the step gamma and the iterations T (or k),
** and the start's distances as sums over the clients:
**   dist0  = ||x^0 - x*||^2,      gap0 = f(x^0) - f*,
**   shift0 = sum_i ||h_i^0 - h_i*||^2,   hstar = sum_i ||h_i*||^2.
** Powers (1 - c)^T are taken as exp(T log1p(-c)), as the PL bound of T5 is.
*/
#ifndef TPC_THEOREMS_RULES_H
#define TPC_THEOREMS_RULES_H

/* T8.2 fixed shift: gamma <= 1/A_sh, A_sh = L- + 2 omega L_max/n;
** sigma^2 = (2/n^2) omega sum_i ||h_i - h_i*||^2;
** E||x^k - x*||^2 <= (1 - gamma mu)^k dist0 + gamma sigma^2/mu. */
double tpc_rule_t82_step(double Lminus, double Lmax, double omega, double n);
double tpc_rule_t82_sigma2(double omega, double n, double shift);
double tpc_rule_t82_bound(double mu, double gamma, double k, double dist0, double sigma2);

/* T8.3 DIANA shift: beta <= 1/(omega+1), gamma <= 1/(L- + 6 omega L_max/n);
** Psi^k = ||x^k - x*||^2 + w H^k with w = 4 omega gamma^2/(n beta),
** H^k = (1/n) sum_i ||h_i^k - h_i*||^2;
** E[Psi^k] <= max{1 - gamma mu, 1 - beta/2}^k Psi^0. */
double tpc_rule_t83_beta_max(double omega);
double tpc_rule_t83_step(double Lminus, double Lmax, double omega, double n);
double tpc_rule_t83_weight(double omega, double n, double gamma, double beta);
double tpc_rule_t83_bound(double mu, double gamma, double beta, double k, double psi0);

/* T8.4 Rand-DIANA: T8.3 with beta replaced by p, any p in (0, 1]; the step
** is T8.3's. */
double tpc_rule_t84_weight(double omega, double n, double gamma, double p);
double tpc_rule_t84_bound(double mu, double gamma, double p, double k, double psi0);

/* T8.5 compressed iterates with the optimal shift, mu common to every f_i:
** gamma <= 2/(L_max + mu); one step contracts E||x - x*||^2 by
** rho^2 + omega rho_max^2/n, rho = max{|1 - gamma mu|, |1 - gamma L-|},
** rho_max = max_i max{|1 - gamma mu|, |1 - gamma L_i|}: the L_i enter
** through their extremes Lmin_i and L_max (|1 - gamma L| is convex in L). */
double tpc_rule_t85_step(double Lmax, double mu);
double tpc_rule_t85_factor(double gamma, double mu, double Lminus, double Lmin_i, double Lmax,
                           double omega, double n);

/* T9.1 EF21-P, Thm D.1: gamma <= alpha/(16 L-);
** (1/(2 gamma)) E||x^T - x*||^2 + E[f(x^T) - f*] <=
**     (1 - gamma mu/2)^T ((1/(2 gamma)) dist0 + gap0).
** Nonconvex form: gamma <= alpha/(8 L-), min_{t<T} E||grad f(x^t)||^2 <=
** 384 Delta0 L-/(alpha T) (T >= 384 Delta0 L-/(alpha eps) solved for eps). */
double tpc_rule_t91_step(double alpha, double Lminus);
double tpc_rule_t91_bound(double mu, double gamma, double T, double dist0, double gap0);
double tpc_rule_t91_nonconvex_step(double alpha, double Lminus);
double tpc_rule_t91_nonconvex_bound(double delta0, double Lminus, double alpha, double T);

/* T9.3 EF21-P + DIANA, Thm 5.1: beta = 1/(omega+1) (tpc_rule_t83_beta_max),
** gamma <= min{n/(160 omega L_max), alpha/(100 L-), 1/((omega+1) mu)}
** (omega = 0: the first term is +inf);
** (1/(2 gamma)) E||x^T - x*||^2 + E[f(x^T) - f*] <= (1 - gamma mu/2)^T V0,
** V0 = dist0/(2 gamma) + gap0 + (8 gamma omega (omega+1)/n^2) shift0. */
double tpc_rule_t93_step(double n, double omega, double Lmax, double alpha, double Lminus,
                         double mu);
double tpc_rule_t93_bound(double mu, double gamma, double T, double omega, double n,
                          double dist0, double gap0, double shift0);

/* T9.4 EF21-P + DIANA, Thm F.1, one step: beta in (0, 1/(omega+1)],
** gamma <= min{n/(160 omega L_max), alpha/(100 L-), beta/mu} (omega = 0:
** the first term is +inf; mu = 0: the last);
** nu = 192 gamma omega L+^2/(n alpha) + 32 L-/alpha,
** kappa = 4 gamma omega/(n beta) + 768 gamma^3 omega^2 L+^2/(n^2 alpha beta)
**         + 128 gamma^2 omega L-/(n alpha beta)  (0 when omega = 0);
** at a point with dist2 = ||x - x*||^2, gap = f(x) - f*,
** H = (1/n) sum_i ||h_i - h_i*||^2 and wx2 = ||w - x||^2 (each an expectation),
**   lhs = dist2/(2 gamma) + gap + kappa H + nu wx2               (at t+1)
**   rhs = (1 - gamma mu/2)(dist2/(2 gamma) + kappa H + nu wx2) + gap/2   (at t)
** and the theorem is E lhs(t+1) <= E rhs(t). */
double tpc_rule_t94_step(double n, double omega, double Lmax, double alpha, double Lminus,
                         double mu, double beta);
double tpc_rule_t94_nu(double gamma, double omega, double Lplus, double n, double alpha,
                       double Lminus);
double tpc_rule_t94_kappa(double gamma, double omega, double n, double beta, double Lplus,
                          double alpha, double Lminus);
double tpc_rule_t94_lhs(double gamma, double kappa, double nu, double dist2, double gap,
                        double H, double wx2);
double tpc_rule_t94_rhs(double gamma, double mu, double kappa, double nu, double dist2,
                        double gap, double H, double wx2);

/* T9.5 EF21-P + DIANA, Thm F.2 (mu = 0): beta = 1/(omega+1), gamma <=
** min{n/(160 omega L_max), alpha/(100 L-)} (tpc_rule_t96_step);
** E f(xbar^T) - f* <= dist0/(gamma T) + gap0/T
**                     + (16 gamma omega (omega+1)/(T n^2)) shift0. */
double tpc_rule_t95_bound(double gamma, double T, double omega, double n, double dist0,
                          double gap0, double shift0);

/* T9.6 EF21-P + DCGD, Thms G.3 and G.2: gamma <= min{n/(160 omega L_max),
** alpha/(100 L-)}; strongly convex:
**   (1 - gamma mu/2)^T (dist0/(2 gamma) + gap0) + (8 omega/(n mu)) hstar/n;
** mu = 0: E f(xbar^T) - f* <= dist0/(gamma T) + gap0/T + (8 gamma omega/n) hstar/n. */
double tpc_rule_t96_step(double n, double omega, double Lmax, double alpha, double Lminus);
double tpc_rule_t96_bound(double mu, double gamma, double T, double omega, double n,
                          double dist0, double gap0, double hstar);
double tpc_rule_t96_convex_bound(double gamma, double T, double omega, double n, double dist0,
                                 double gap0, double hstar);

/* T9.7 EF21-P + DCGD, Thm 6.2 (nonconvex), with delta0 = f(x^0) - f^inf
** and delta_star = (1/n) sum_i (f* - f_i*), f_i* a lower bound of f_i.
** The theorem fixes gamma as a function of eps and T,
**   gamma = min{alpha/(8 L-), sqrt(n)/sqrt(2 omega L- L_max T),
**               n eps/(32 delta_star omega L- L_max)}
** (omega = 0: the last two terms are +inf; delta_star = 0: the last), and
** gives min_{t<T} E||grad f(x^t)||^2 <= eps once
**   T >= (48 delta0 L-/eps) max{8/alpha, 96 delta0 omega L_max/(n eps),
**                               32 delta_star omega L_max/(n eps)}.
** Each of the three terms of that bound falls as eps grows, so the bound
** holds iff T is at least each term, and the smallest eps it allows is
**   eps(T) = max{384 delta0 L-/(alpha T),
**                sqrt(4608 delta0^2 omega L- L_max/(n T)),
**                sqrt(1536 delta0 delta_star omega L- L_max/(n T))}
** (48*8 = 384, 48*96 = 4608, 48*32 = 1536; at eps(T) the bound is met with
** equality, which tests/test_rules.c checks).  A check of the theorem takes
** eps(T) at the run's T (tpc_rule_t97_eps), runs the method with the gamma
** of that eps (tpc_rule_t97_step) and compares min_{t<T} of the mean over
** runs of ||grad f(x^t)||^2 with eps(T).  At omega = 0 the two are T9.1's
** nonconvex bound and step.
** Upper bounds of delta0 and delta_star keep the statement, as THEORY.md
** T9.7 gives it, valid:
** delta_star is defined by any lower bounds f_i*, and lowering every f_i*
** by the same c >= 0 raises delta_star by c, so any upper bound is itself a
** delta_star of the theorem; delta0 does not enter gamma, and the bound on
** T only grows with delta0, so the T that meets it with an upper bound of
** delta0 meets it with delta0.  The eps is then larger (weaker) but true.
** eps(T) is a few roundings from the exact value: compare with a relative
** tolerance of a few ulps. */
double tpc_rule_t97_eps(double delta0, double delta_star, double Lminus, double Lmax,
                        double alpha, double omega, double n, double T);
double tpc_rule_t97_step(double alpha, double Lminus, double Lmax, double omega, double n,
                         double T, double delta_star, double eps);

/* T10.2 bidirectional 3PC [derived], clients' pair (A_w, B_w), server's
** (A_s, B_s):
**   M = sqrt(2 [3 B_s (B_w L+^2 + L-^2)/A_s + (1 + 6 B_s/A_s) B_w L+^2/A_w]),
**   gamma <= 1/(L- + M),
**   (1/T) sum_{t<T} E||grad f(x^t)||^2 <= 2 delta0/(gamma T)
** with the exact initialization, delta0 = f(x^0) - f^inf.  An exact server
** (A_s = 1, B_s = 0) gives M = L+ sqrt(2 B_w/A_w): T5 Theorem 1's step with
** sqrt(2) more in front of L+ (T10.2 is a sufficient condition). */
double tpc_rule_t102_M(double Lminus, double Lplus, double Aw, double Bw, double As, double Bs);
double tpc_rule_t102_step(double Lminus, double Lplus, double Aw, double Bw, double As,
                          double Bs);
double tpc_rule_t102_bound(double delta0, double gamma, double T);

#endif
