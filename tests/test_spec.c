/*
** Tests of the spec-string parser and printer (src/spec/spec.c): round trips
** of every spec name the project uses, exact number formatting, one test per
** class of syntax error with the column it must name, copy/equal/find, and a
** fuzz loop (random and mutated texts) that must only ever give TPC_OK or
** TPC_EINPUT, a tree that prints and parses back equal when OK.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "rng/pcg.h"
#include "spec/spec.h"

/* Every example of README.md and every spec name of THEORY.md T2/T3, written
** in printed form (no blanks, args before params). */
static const char *const canonical[] = {
    "identity", "topk(k=10)", "topk(ratio=0.01)", "randk(k=3)",
    "urandk(k=10)", "permk", "bernoulli(p=0.5)", "natural", "dither(s=4)",
    "sign", "threshold(lambda=0.5)", "scaled(urandk(k=5))",
    "compose(urandk(k=2),permk)", "gd", "ef21(topk(k=10))", "lag(zeta=4)",
    "clag(topk(k=10),zeta=2)", "3pcv1(topk(k=1))", "3pcv2(urandk(k=2),topk(k=8))",
    "3pcv3(lag(zeta=4),topk(k=10))", "3pcv4(topk(k=1),topk(k=2))",
    "3pcv5(topk(k=3),p=0.1)", "adacgd(topk(k=1),topk(k=10),topk(k=100),zeta=4)",
    "adacgd(topk(k=1),topk(k=10),zeta=4)", "marina(urandk(k=10),p=0.01)",
    "shifted(urandk(k=3))", "diana(urandk(k=3),beta=0.25)",
    "scaled(urandk(k=5))"};

/* parse(text) must succeed, print back to text exactly, and parse(print)
** must equal the first tree. */
static void check_canonical(const char *text) {
  tpc_spec *s = NULL, *t = NULL;
  char buf[256];
  int rc = tpc_spec_parse(text, &s);
  cr_assert(eq(int, rc, TPC_OK), "%s: %s", text, tpc_error_msg());
  size_t n = tpc_spec_print(s, buf, sizeof buf);
  cr_assert(eq(sz, n, strlen(text)));
  cr_assert(eq(str, buf, (char *)text));
  cr_assert(eq(int, tpc_spec_parse(buf, &t), TPC_OK));
  cr_assert(tpc_spec_equal(s, t), "%s", text);
  tpc_spec_free(s);
  tpc_spec_free(t);
}

Test(spec, roundtrip_every_name) {
  for (size_t i = 0; i < sizeof canonical / sizeof *canonical; i++)
    check_canonical(canonical[i]);
}

Test(spec, tree_shape) {
  tpc_spec *s = NULL;
  cr_assert(eq(int, tpc_spec_parse("adacgd(topk(k=1),topk(k=10),zeta=4)", &s),
               TPC_OK));
  cr_assert(eq(str, s->name, "adacgd"));
  cr_assert(eq(sz, s->nargs, 2));
  cr_assert(eq(sz, s->nparams, 1));
  cr_assert(eq(str, s->args[1]->name, "topk"));
  cr_assert(eq(dbl, s->args[1]->params[0].value, 10.0));
  cr_assert(eq(str, s->params[0].key, "zeta"));
  cr_assert(eq(dbl, s->params[0].value, 4.0));
  cr_assert(eq(sz, s->args[0]->pos, 7)); /* byte offset of the inner name */
  tpc_spec_free(s);
}

Test(spec, blanks_ignored) {
  tpc_spec *a = NULL, *b = NULL;
  cr_assert(eq(int, tpc_spec_parse(" clag ( topk( k = 10 ) , zeta=2 ) ", &a),
               TPC_OK), "%s", tpc_error_msg());
  cr_assert(eq(int, tpc_spec_parse("clag(topk(k=10),zeta=2)", &b), TPC_OK));
  cr_assert(tpc_spec_equal(a, b));
  cr_assert(eq(sz, a->pos, 1));
  cr_assert(eq(sz, a->args[0]->pos, 8));
  tpc_spec_free(a);
  tpc_spec_free(b);
  cr_assert(eq(int, tpc_spec_parse("\tgd\n", &a), TPC_OK));
  cr_assert(eq(str, a->name, "gd"));
  tpc_spec_free(a);
}

/* Parameters may come before positional items; printing puts args first. */
Test(spec, params_before_args) {
  tpc_spec *a = NULL, *b = NULL;
  char buf[64];
  cr_assert(eq(int, tpc_spec_parse("clag(zeta=2,topk(k=10))", &a), TPC_OK));
  cr_assert(eq(int, tpc_spec_parse("clag(topk(k=10),zeta=2)", &b), TPC_OK));
  cr_assert(tpc_spec_equal(a, b));
  tpc_spec_print(a, buf, sizeof buf);
  cr_assert(eq(str, buf, "clag(topk(k=10),zeta=2)"));
  tpc_spec_free(a);
  tpc_spec_free(b);
}

/* The shortest text strtod reads back bit for bit, in the printed form:
** integers without exponent below 1e15, exponents without '+' or
** leading zeros. */
Test(spec, format_double_known) {
  static const struct {
    double v;
    const char *text;
  } cases[] = {{10, "10"},         {0.01, "0.01"},      {1e-300, "1e-300"},
               {0.1, "0.1"},       {1e15, "1e15"},      {1e-5, "1e-5"},
               {-0.0, "-0"},       {0, "0"},            {1.5e20, "1.5e20"},
               {-3, "-3"},         {2.5, "2.5"},        {5e-324, "5e-324"},
               {1.0 / 3, "0.3333333333333333"},
               {123456789012345.0, "123456789012345"},
               {1.7976931348623157e308, "1.7976931348623157e308"}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char buf[48];
    size_t n = tpc_format_double(cases[i].v, buf, sizeof buf);
    cr_assert(eq(str, buf, (char *)cases[i].text));
    cr_assert(eq(sz, n, strlen(cases[i].text)));
  }
}

/* Bit-exact round trip through text, directly and inside a spec. */
static void check_number(double v) {
  char num[48], text[96], back[96];
  tpc_format_double(v, num, sizeof num);
  double w = strtod(num, NULL);
  cr_assert(eq(int, memcmp(&v, &w, sizeof v), 0), "%a -> %s", v, num);
  snprintf(text, sizeof text, "f(x=%s)", num);
  tpc_spec *s = NULL;
  cr_assert(eq(int, tpc_spec_parse(text, &s), TPC_OK), "%s: %s", text,
            tpc_error_msg());
  cr_assert(eq(int, memcmp(&s->params[0].value, &v, sizeof v), 0), "%s", text);
  tpc_spec_print(s, back, sizeof back);
  cr_assert(eq(str, back, text));
  tpc_spec_free(s);
}

Test(spec, numbers_roundtrip_exactly) {
  const double fixed[] = {0.1, 1e-300, 5e-324, 1.7976931348623157e308,
                          -1.7976931348623157e308, DBL_MIN, -0.0, 0.0,
                          1e15, 999999999999999.0, 0.3, 2.0 / 3,
                          nextafter(1.0, 2.0), nextafter(DBL_MIN, 0.0), 1e22,
                          1e23, 9007199254740993.0, -4.9406564584124654e-324};
  for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
    check_number(fixed[i]);
  /* random bit patterns cover every exponent, subnormals included */
  gsl_rng *r = tpc_rng_alloc_stream(1, TPC_PURPOSE_TEST, 0);
  cr_assert(ne(ptr, r, NULL));
  for (int i = 0; i < 20000; i++) {
    uint64_t u = gsl_rng_get(r);
    double v;
    memcpy(&v, &u, sizeof v);
    if (isfinite(v)) check_number(v);
  }
  gsl_rng_free(r);
}

Test(spec, number_forms_accepted) {
  static const struct {
    const char *text;
    double v;
  } cases[] = {{"f(x=+1)", 1},     {"f(x=1.)", 1},       {"f(x=.5)", 0.5},
               {"f(x=-2.5E+2)", -250}, {"f(x=007)", 7}, {"f(x=1e-3)", 1e-3}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    tpc_spec *s = NULL;
    cr_assert(eq(int, tpc_spec_parse(cases[i].text, &s), TPC_OK), "%s",
              cases[i].text);
    cr_assert(eq(dbl, s->params[0].value, cases[i].v));
    tpc_spec_free(s);
  }
}

/* Each class of syntax error: TPC_EINPUT, no tree, and a message naming the
** column and what was expected. */
Test(spec, errors_name_column) {
  static const struct {
    const char *text;
    size_t column;
    const char *says;
  } cases[] = {
      {"topk(k=)", 8, "expected a value after 'k=' (a number, a word, a path, or "
                      "\"double-quoted\" text), found ')'"},
      {"logreg(file='x.svm')", 13, "\"double-quoted\" text), found '\''"},
      {"topk)", 5, "expected '(' or end of spec, found ')'"},
      {"", 1, "empty spec"},
      {"   ", 4, "empty spec"},
      {"topk(k=1", 9, "expected ',' or ')' to close the '(' of column 5"},
      {"clag(topk(k=1),zeta=2", 22, "'(' of column 5, found end of spec"},
      {"topk(k=1))", 10, "expected end of spec, found ')'"},
      {"topk(k=1)x", 10, "expected end of spec, found 'x'"},
      {"topk(k=1,k=2)", 10, "parameter 'k' given twice"},
      {"topk(k=inf)", 8, "expected a number after 'k='"},
      {"topk(k=nan)", 8, "expected a number after 'k='"},
      {"topk(k=-inf)", 8, "expected a number after 'k='"},
      {"topk(k=1e999)", 8, "out of the range"},
      {"topk(k=-1e999)", 8, "out of the range"},
      {"topk(k=1e-400)", 8, "out of the range"},
      {"topk(k==1)", 8, "expected a value"},
      {"topk()", 6, "expected a name or a parameter, found ')'"},
      {"topk(,)", 6, "expected a name or a parameter, found ','"},
      {"topk(k=1,)", 10, "expected a name or a parameter, found ')'"},
      {"(topk)", 1, "expected a name, found '('"},
      {"_topk", 1, "starts with '_'"},
      {"topk(1k=3)", 6, "starts with a digit"},
      {"clag(topk k=1)", 11, "expected '(', ',' or ')', found 'k'"},
      {"topk(k=1 2)", 10, "expected ',' or ')', found '2'"},
      {"top-k", 4, "expected '(' or end of spec, found '-'"},
      {"topk(k=\x01)", 8, "found byte 0x01"},
      {"t\xc3\xa9", 2, "found byte 0xc3"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    tpc_spec *s = (tpc_spec *)1;
    char col[32];
    int rc = tpc_spec_parse(cases[i].text, &s);
    cr_assert(eq(int, rc, TPC_EINPUT), "%s", cases[i].text);
    cr_assert(eq(ptr, s, NULL));
    const char *msg = tpc_error_msg();
    snprintf(col, sizeof col, ", column %zu: ", cases[i].column);
    cr_assert(eq(int, strncmp(msg, "spec '", 6), 0), "%s", msg);
    cr_assert(ne(ptr, strstr(msg, col), NULL), "%s: want %s", msg, col);
    cr_assert(ne(ptr, strstr(msg, cases[i].says), NULL), "%s: want %s", msg,
              cases[i].says);
  }
}

/* The example message of spec.h, whole. */
Test(spec, error_message_exact) {
  tpc_spec *s = NULL;
  cr_assert(eq(int, tpc_spec_parse("topk(k=)", &s), TPC_EINPUT));
  cr_assert(eq(str, (char *)tpc_error_msg(),
               "spec 'topk(k=)', column 8: expected a value after 'k=' (a number, "
               "a word, a path, or \"double-quoted\" text), found ')'"));
}

/* n names "a(" deep around "b": depth n + 1 names in all. */
static char *nested(int n) {
  char *t = malloc((size_t)(3 * n + 2));
  size_t k = 0;
  for (int i = 0; i < n; i++) t[k++] = 'a', t[k++] = '(';
  t[k++] = 'b';
  for (int i = 0; i < n; i++) t[k++] = ')';
  t[k] = '\0';
  return t;
}

/* 32 levels parse; the 33rd is refused at its column, and 100000 levels
** neither exhaust the stack nor take long. */
Test(spec, depth_limit) {
  tpc_spec *s = NULL;
  char *ok = nested(31), *deep = nested(32), *hostile = nested(100000);
  cr_assert(eq(int, tpc_spec_parse(ok, &s), TPC_OK), "%s", tpc_error_msg());
  tpc_spec_free(s);
  cr_assert(eq(int, tpc_spec_parse(deep, &s), TPC_EINPUT));
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "column 65: specs nested deeper "
                           "than 32"), NULL), "%s", tpc_error_msg());
  cr_assert(eq(int, tpc_spec_parse(hostile, &s), TPC_EINPUT));
  free(ok);
  free(deep);
  free(hostile);
}

/* A long spec is quoted shortened, but the column is still exact. */
Test(spec, long_spec_error) {
  char text[300];
  memset(text, 'x', 250);
  memcpy(text + 250, "(k=)", 5);
  tpc_spec *s = NULL;
  cr_assert(eq(int, tpc_spec_parse(text, &s), TPC_EINPUT));
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "...', column 254: expected a "
                           "value"), NULL), "%s", tpc_error_msg());
}

Test(spec, print_truncates_like_snprintf) {
  tpc_spec *s = NULL;
  const char *text = "clag(topk(k=10),zeta=2)";
  char small[8];
  cr_assert(eq(int, tpc_spec_parse(text, &s), TPC_OK));
  cr_assert(eq(sz, tpc_spec_print(s, small, sizeof small), strlen(text)));
  cr_assert(eq(str, small, "clag(to"));
  cr_assert(eq(sz, tpc_spec_print(s, NULL, 0), strlen(text)));
  char one[1] = {'z'};
  tpc_spec_print(s, one, 1);
  cr_assert(eq(chr, one[0], '\0'));
  cr_assert(eq(sz, tpc_format_double(0.01, small, 3), 4));
  cr_assert(eq(str, small, "0."));
  tpc_spec_free(s);
}

Test(spec, copy_equal_find) {
  tpc_spec *s = NULL, *t = NULL;
  cr_assert(eq(int, tpc_spec_parse("3pcv2(urandk(k=2),topk(k=8),a=1,b=-0)",
                                   &s), TPC_OK));
  tpc_spec *c = tpc_spec_copy(s);
  cr_assert(ne(ptr, c, NULL));
  cr_assert(tpc_spec_equal(s, c));
  cr_assert(ne(ptr, c->args[0], s->args[0])); /* deep: nothing shared */
  cr_assert(ne(ptr, c->params[0].key, s->params[0].key));
  cr_assert(eq(dbl, tpc_spec_param_find(c, "a")->value, 1.0));
  cr_assert(eq(ptr, (void *)tpc_spec_param_find(c, "k"), NULL)); /* nested only */
  cr_assert(eq(ptr, (void *)tpc_spec_param_find(c, "zeta"), NULL));
  c->params[1].value = 0.0; /* -0 and 0 differ bitwise */
  cr_assert(not(tpc_spec_equal(s, c)));
  tpc_spec_free(c);
  static const char *const differ[] = {
      "3pcv2(topk(k=8),urandk(k=2),a=1,b=-0)", "3pcv2(urandk(k=2),topk(k=8),b=-0,a=1)",
      "3pcv2(urandk(k=2),topk(k=8),a=1)", "3pcv2(urandk(k=2),topk(k=9),a=1,b=-0)",
      "3pcv1(urandk(k=2),topk(k=8),a=1,b=-0)", "3pcv2(urandk(k=2),topk,a=1,b=-0)"};
  for (size_t i = 0; i < sizeof differ / sizeof *differ; i++) {
    cr_assert(eq(int, tpc_spec_parse(differ[i], &t), TPC_OK));
    cr_assert(not(tpc_spec_equal(s, t)), "%s", differ[i]);
    tpc_spec_free(t);
  }
  cr_assert(tpc_spec_equal(NULL, NULL));
  cr_assert(not(tpc_spec_equal(s, NULL)));
  tpc_spec_free(s);
  tpc_spec_free(NULL);
}

/* A parse either fails cleanly or gives a tree whose print parses back to
** an equal tree. */
static void check_any(const char *text) {
  tpc_spec *s = (tpc_spec *)1, *t = NULL;
  int rc = tpc_spec_parse(text, &s);
  cr_assert(rc == TPC_OK || rc == TPC_EINPUT, "rc %d for %s", rc, text);
  if (rc == TPC_EINPUT) {
    cr_assert(eq(ptr, s, NULL));
    cr_assert(eq(int, strncmp(tpc_error_msg(), "spec '", 6), 0));
    return;
  }
  size_t n = tpc_spec_print(s, NULL, 0);
  char *buf = malloc(n + 1);
  tpc_spec_print(s, buf, n + 1);
  cr_assert(eq(int, tpc_spec_parse(buf, &t), TPC_OK), "%s -> %s: %s", text,
            buf, tpc_error_msg());
  cr_assert(tpc_spec_equal(s, t), "%s -> %s", text, buf);
  free(buf);
  tpc_spec_free(s);
  tpc_spec_free(t);
}

/* Random texts over an alphabet rich in the grammar's own characters (plus
** any byte now and then), and single/double edits of the valid specs. */
Test(spec, fuzz_never_crashes) {
  static const char alphabet[] = "topk(k=1,)e.-+ 0x_9a/\"'";
  gsl_rng *r = tpc_rng_alloc_stream(2, TPC_PURPOSE_TEST, 0);
  char text[128];
  for (int it = 0; it < 30000; it++) {
    size_t n = gsl_rng_uniform_int(r, 40);
    for (size_t i = 0; i < n; i++)
      text[i] = gsl_rng_uniform(r) < 0.1
                    ? (char)(1 + gsl_rng_uniform_int(r, 255))
                    : alphabet[gsl_rng_uniform_int(r, sizeof alphabet - 1)];
    text[n] = '\0';
    check_any(text);
  }
  size_t ncanon = sizeof canonical / sizeof *canonical;
  for (int it = 0; it < 30000; it++) {
    const char *base = canonical[gsl_rng_uniform_int(r, ncanon)];
    size_t n = strlen(base);
    memcpy(text, base, n + 1);
    for (int e = 0; e < 2; e++) {
      size_t at = gsl_rng_uniform_int(r, n + 1);
      char c = alphabet[gsl_rng_uniform_int(r, sizeof alphabet - 1)];
      int op = (int)gsl_rng_uniform_int(r, 3);
      if (op == 0 && at < n) { /* replace */
        text[at] = c;
      } else if (op == 1 && at < n) { /* delete */
        memmove(text + at, text + at + 1, n - at);
        n--;
      } else { /* insert */
        memmove(text + at + 1, text + at, n - at + 1);
        text[at] = c;
        n++;
      }
    }
    check_any(text);
  }
  gsl_rng_free(r);
}

/* Text values: bare words, bare paths and quoted texts round-trip; the
** printer quotes every text but a word, as it always has. */
Test(spec, text_values_round_trip) {
  static const struct {
    const char *in, *out;
  } cases[] = {
      {"logreg(file=phishing,n=20)", "logreg(file=phishing,n=20)"},
      {"logreg(file=\"../data/a9a.txt.gz\")",
       "logreg(file=\"../data/a9a.txt.gz\")"},
      {"p(f = \"a b\" )", "p(f=\"a b\")"},
      {"p(f=\"\")", "p(f=\"\")"},
      {"p(f=\"inf\")", "p(f=\"inf\")"},
      {"p(f=\"x9\")", "p(f=x9)"},
      {"logreg(file=/data/a9a.txt.gz,n=20)", "logreg(file=\"/data/a9a.txt.gz\",n=20)"},
      {"p(f=0x10)", "p(f=\"0x10\")"},
      {"p(f=-)", "p(f=\"-\")"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    tpc_spec *s = NULL, *t = NULL;
    char buf[128];
    cr_assert(eq(int, tpc_spec_parse(cases[i].in, &s), TPC_OK), "%s: %s", cases[i].in,
              tpc_error_msg());
    tpc_spec_print(s, buf, sizeof buf);
    cr_assert(eq(str, buf, (char *)cases[i].out));
    cr_assert(eq(int, tpc_spec_parse(buf, &t), TPC_OK));
    cr_assert(tpc_spec_equal(s, t), "%s", buf);
    cr_assert(s->params[0].text != NULL);
    tpc_spec_free(s);
    tpc_spec_free(t);
  }
}

Test(spec, text_value_errors) {
  static const struct {
    const char *in;
    size_t col;
    const char *what;
  } cases[] = {
      {"p(f=\"abc)", 10, "'\"' to close the text after 'f='"},
      {"p(f=\"a\tb\")", 7, "'\"' to close the text"},
      {"p(f=Infinity)", 5, "expected a number after 'f='"},
      {"p(f=NaN)", 5, "expected a number after 'f='"},
      {"p(f=-Inf)", 5, "expected a number after 'f='"},
      {"p(f=+nan)", 5, "expected a number after 'f='"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    tpc_spec *s = NULL;
    char col[32];
    cr_assert(eq(int, tpc_spec_parse(cases[i].in, &s), TPC_EINPUT), "%s", cases[i].in);
    snprintf(col, sizeof col, "column %zu:", cases[i].col);
    cr_assert(strstr(tpc_error_msg(), col) != NULL, "%s: %s", cases[i].in, tpc_error_msg());
    cr_assert(strstr(tpc_error_msg(), cases[i].what) != NULL, "%s: %s", cases[i].in,
              tpc_error_msg());
  }
}

Test(spec, equal_tells_texts_from_numbers) {
  tpc_spec *a = NULL, *b = NULL;
  cr_assert(eq(int, tpc_spec_parse("p(f=x)", &a), TPC_OK));
  cr_assert(eq(int, tpc_spec_parse("p(f=\"y\")", &b), TPC_OK));
  cr_assert(not(tpc_spec_equal(a, b)));
  tpc_spec *c = tpc_spec_copy(a);
  cr_assert(tpc_spec_equal(a, c));
  tpc_spec_free(a);
  tpc_spec_free(b);
  tpc_spec_free(c);
}

/* A value without quotes that is not all one number is text, byte for byte
** what the same value in quotes gives: paths of every shape, and runs that
** only start like a number.  Each prints (quoted) and parses back equal. */
Test(spec, bare_values_are_text) {
  static const char *const values[] = {
      "/data/a9a.txt.gz", "./q.txt", "../x/y-z_1.svm", "~/d/a.txt", "C:foo",
      "C:\\data\\a.svm", "a9a.txt.gz", "-", ".", "/d/\xc3\xa9.txt", "0x10",
      "1.2.3", "1e", "10k", "2^20", "-5x", "infinity.txt", "a+b@c:1%2"};
  for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
    char bare[96], quoted[96];
    tpc_spec *s = NULL, *q = NULL;
    snprintf(bare, sizeof bare, "logreg( file = %s ,n=2)", values[i]);
    snprintf(quoted, sizeof quoted, "logreg(file=\"%s\",n=2)", values[i]);
    cr_assert(eq(int, tpc_spec_parse(bare, &s), TPC_OK), "%s: %s", bare, tpc_error_msg());
    cr_assert(ne(ptr, s->params[0].text, NULL), "%s", bare);
    cr_assert(eq(str, s->params[0].text, (char *)values[i]));
    cr_assert(eq(dbl, s->params[1].value, 2.0));
    cr_assert(eq(int, tpc_spec_parse(quoted, &q), TPC_OK), "%s", quoted);
    cr_assert(tpc_spec_equal(s, q), "%s", bare);
    check_any(bare);
    tpc_spec_free(s);
    tpc_spec_free(q);
  }
}

/* A bare value that is all one number stays a number, a bare word stays
** text, and a number in quotes stays text: each means what it meant. */
Test(spec, bare_numbers_and_words_unchanged) {
  static const struct {
    const char *in;
    double v;
    const char *text;
  } cases[] = {{"topk(k=10)", 10, NULL},        {"p(p=1e-3)", 1e-3, NULL},
               {"t(lambda=0.5)", 0.5, NULL},    {"f(x=-5)", -5, NULL},
               {"f(x=+2.5E+2 )", 250, NULL},    {"f(x=.5)", 0.5, NULL},
               {"logreg(file=a9a)", 0, "a9a"},  {"f(x=\"10\")", 0, "10"},
               {"f(x=\"-5\")", 0, "-5"}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    tpc_spec *s = NULL;
    cr_assert(eq(int, tpc_spec_parse(cases[i].in, &s), TPC_OK), "%s", cases[i].in);
    const tpc_spec_param *q = &s->params[0];
    if (cases[i].text == NULL) {
      cr_assert(eq(ptr, q->text, NULL), "%s", cases[i].in);
      cr_assert(eq(dbl, q->value, cases[i].v), "%s", cases[i].in);
    } else {
      cr_assert(ne(ptr, q->text, NULL), "%s", cases[i].in);
      cr_assert(eq(str, q->text, (char *)cases[i].text));
      cr_assert(eq(dbl, q->value, 0.0));
    }
    tpc_spec_free(s);
  }
}

/* Each byte a bare value cannot hold, where it was plainly meant inside one:
** TPC_EINPUT at that byte's column, naming it; the ones quotes can carry
** come with the advice to quote. */
Test(spec, bare_value_needs_quotes) {
  static const struct {
    const char *in;
    size_t col;
    const char *says;
  } cases[] = {
      {"logreg(file=my(1).txt)", 15, "'(' cannot appear in an unquoted value; "
                                     "write the value in double quotes: file=\"...\""},
      {"logreg(file=a)b.txt)", 14, "')' cannot appear in an unquoted value"},
      {"logreg(file=a,b.txt)", 14, "',' cannot appear in an unquoted value"},
      {"logreg(file=/d/a,1.txt)", 17, "',' cannot appear in an unquoted value"},
      {"logreg(file=k=v.txt)", 14, "'=' cannot appear in an unquoted value"},
      {"logreg(file=/d/my file.txt)", 18, "' ' cannot appear in an unquoted value"},
      {"logreg(file=/d/my\tfile.txt)", 18, "byte 0x09 cannot appear in an unquoted"},
      {"logreg(file=john's.txt)", 17, "''' cannot appear in an unquoted value"},
      {"logreg(file=/d/a\"b\")", 17, "expected ',' or ')', found '\"'"},
      {"logreg(file=a\x01" "b)", 14, "expected ',' or ')', found byte 0x01"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    tpc_spec *s = (tpc_spec *)1;
    char col[32];
    cr_assert(eq(int, tpc_spec_parse(cases[i].in, &s), TPC_EINPUT), "%s", cases[i].in);
    cr_assert(eq(ptr, s, NULL));
    snprintf(col, sizeof col, ", column %zu: ", cases[i].col);
    cr_assert(strstr(tpc_error_msg(), col) != NULL, "%s: %s", cases[i].in, tpc_error_msg());
    cr_assert(strstr(tpc_error_msg(), cases[i].says) != NULL, "%s: %s", cases[i].in,
              tpc_error_msg());
    cr_assert(eq(sz, tpc_error_column(), cases[i].col), "%s", cases[i].in);
  }
}

/* Where the byte after a bare value is one that may end it, the parse goes
** on as before: these are valid, or refused for what follows. */
Test(spec, bare_value_ends_plainly) {
  tpc_spec *s = NULL;
  cr_assert(eq(int, tpc_spec_parse("f(file=/a/b, g(k=1) ,x=y)", &s), TPC_OK),
            "%s", tpc_error_msg());
  cr_assert(eq(str, s->params[0].text, "/a/b"));
  cr_assert(eq(str, s->args[0]->name, "g"));
  tpc_spec_free(s);
  cr_assert(eq(int, tpc_spec_parse("f(file=/a/b,3pcv2)", &s), TPC_OK));
  tpc_spec_free(s);
  cr_assert(eq(int, tpc_spec_parse("f(file=/a/b", &s), TPC_EINPUT));
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "column 12: expected ',' or ')' to close"),
               NULL), "%s", tpc_error_msg());
  cr_assert(eq(int, tpc_spec_parse("f(file=/a/b) x", &s), TPC_EINPUT));
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "column 14: expected end of spec, found 'x'"),
               NULL), "%s", tpc_error_msg());
}

/* Word values name choices (the methods' shift=diana of methods/method.h):
** they parse as text, print bare and round-trip, next to numbers and nested
** specs, and a quoted word is the same value. */
Test(spec, word_values_round_trip) {
  static const char *const texts[] = {
      "dcgd_shift(urandk(k=5),shift=diana,beta=0.5)",
      "dcgd_shift(urandk(ratio=0.1),shift=randdiana,p=0.25)", "gdci(identity,shift=star)",
      "ef21p_diana(urandk(k=5),topk(k=3),beta=0.1)"};
  for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
    tpc_spec *s = NULL, *back = NULL;
    char buf[128];
    cr_assert(eq(int, tpc_spec_parse(texts[i], &s), TPC_OK), "%s", texts[i]);
    tpc_spec_print(s, buf, sizeof buf);
    cr_expect(eq(str, buf, (char *)texts[i]));
    cr_assert(eq(int, tpc_spec_parse(buf, &back), TPC_OK));
    cr_expect(tpc_spec_equal(s, back), "%s", texts[i]);
    tpc_spec_free(s);
    tpc_spec_free(back);
  }
  tpc_spec *bare = NULL, *quoted = NULL;
  cr_assert(eq(int, tpc_spec_parse("m(shift=diana)", &bare), TPC_OK));
  cr_assert(eq(int, tpc_spec_parse("m(shift=\"diana\")", &quoted), TPC_OK));
  cr_expect(eq(str, bare->params[0].text, "diana"));
  cr_expect(tpc_spec_equal(bare, quoted));
  tpc_spec_free(bare);
  tpc_spec_free(quoted);
}
