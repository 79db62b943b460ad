/*
** Spec strings (spec.h): a recursive-descent parser that turns text such as
** "clag(topk(k=10),zeta=2)" into a tree of tpc_spec nodes, and the printer
** that writes a tree back in the form the parser reads to the same tree.
**
** The parser knows only the syntax of spec.h's grammar; the registry decides
** what the names mean.  Every syntax error is TPC_EINPUT with a message of the
** form "spec 'TEXT', column N: expected X, found Y", N being the 1-based byte
** column of the offending token.  Choices the grammar leaves open:
**
**   - positional items (nested specs) and parameters may come in any order;
**     they are kept in two lists, each in the order written, so the printer
**     (args first, then params) gives a text that parses to an equal tree;
**   - a value that does not start with '"' is the run of bare bytes there
**     (no blank or control byte, none of , ( ) = " '), a NUMBER when all
**     of it matches our own strict decimal grammar: [+-] digits [. digits]
**     [(e|E) [+-] digits], at least one mantissa digit.  Any other run is
**     text, as if quoted ("/data/a9a.txt.gz", "0x10", "1e"), except inf,
**     infinity and nan with or without a sign, in any case, which are
**     refused; so are a number that overflows (1e999) and a nonzero one that
**     underflows to 0 (1e-400).  Where such a run stops at a byte that was
**     plainly meant to go on ("my(1).txt", "my file.txt"), the error names
**     that byte and says to quote the value;
**   - '"'-quoted text is any bytes from 0x20 up but '"'; the printer quotes
**     every text but a bare word (letter first, then [A-Za-z0-9_], not inf
**     or nan), so printed specs read the same in older versions and stored
**     canonical names do not change;
**   - nesting deeper than SPEC_MAX_DEPTH is refused, so hostile input cannot
**     exhaust the stack.
*/
#include "spec/spec.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"

#define SPEC_MAX_DEPTH 32
#define SPEC_QUOTE_MAX 80 /* longest text quoted whole in an error message */

typedef struct spec_parser {
  const char *text;
  size_t pos;
  int depth;
} spec_parser;

/* ---- characters ---------------------------------------------------------- */

static int is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

static int is_alpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int is_word(char c) { return is_alpha(c) || is_digit(c) || c == '_'; }

/* A byte of a value written without quotes: printable or from 0x80 up (UTF-8
** file names), but not a blank, not one of the grammar's own , ( ) = " and
** not ', which is likelier a shell quote gone astray than part of a name. */
static int is_bare(char c) {
  unsigned char u = (unsigned char)c;
  return u > 0x20 && u != 0x7f && strchr(",()=\"'", c) == NULL;
}

static void skip_blanks(spec_parser *p) {
  while (is_blank(p->text[p->pos])) p->pos++;
}

/* ---- errors ---------------------------------------------------------------- */

/* The spec as quoted in messages: at most SPEC_QUOTE_MAX bytes, unprintable
** bytes shown as '?' so that columns still line up and terminals stay sane. */
static void quote_text(const char *text, char *out, size_t size) {
  size_t n = 0;
  for (; text[n] != '\0' && n < SPEC_QUOTE_MAX && n + 4 < size; n++) {
    unsigned char c = (unsigned char)text[n];
    out[n] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
  }
  if (text[n] != '\0') {
    memcpy(out + n, "...", 3);
    n += 3;
  }
  out[n] = '\0';
}

/* What sits at `at`, for the "found ..." part of a message. */
static void describe_at(const char *text, size_t at, char *out, size_t size) {
  unsigned char c = (unsigned char)text[at];
  if (c == '\0')
    snprintf(out, size, "end of spec");
  else if (c >= 0x20 && c < 0x7f)
    snprintf(out, size, "'%c'", (char)c);
  else
    snprintf(out, size, "byte 0x%02x", (unsigned)c);
}

/* Record "spec 'TEXT', column N: <fmt>" and return TPC_EINPUT. */
TPC_PRINTF(3, 4)
static int syntax_error(const spec_parser *p, size_t at, const char *fmt, ...) {
  char what[256];
  char quoted[SPEC_QUOTE_MAX + 8];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  quote_text(p->text, quoted, sizeof quoted);
  return tpc_error_at(TPC_EINPUT, at + 1, "spec '%s', column %zu: %s", quoted, at + 1,
                      what);
}

/* "expected <what>, found <whatever is at p->pos>". */
static int expected_error(const spec_parser *p, const char *what) {
  char found[32];
  describe_at(p->text, p->pos, found, sizeof found);
  return syntax_error(p, p->pos, "expected %s, found %s", what, found);
}

/* ---- tree building -------------------------------------------------------- */

static char *dup_n(const char *s, size_t n) {
  char *r = malloc(n + 1);
  if (r == NULL) return NULL;
  memcpy(r, s, n);
  r[n] = '\0';
  return r;
}

/* Room for element `n` of an array that holds n elements: the arrays grow to
** the next power of two when n is 0 or a power of two, so appends cost
** amortised O(1) without a capacity field in tpc_spec. */
static int grow(void **arr, size_t n, size_t elem) {
  if (n != 0 && (n & (n - 1)) != 0) return TPC_OK;
  size_t cap = n == 0 ? 1 : 2 * n;
  void *r = realloc(*arr, cap * elem);
  if (r == NULL) return tpc_error(TPC_ENOMEM, "spec: out of memory");
  *arr = r;
  return TPC_OK;
}

static int add_arg(tpc_spec *s, tpc_spec *arg) {
  int rc = grow((void **)&s->args, s->nargs, sizeof *s->args);
  if (rc != TPC_OK) return rc;
  s->args[s->nargs++] = arg;
  return TPC_OK;
}

/* Takes ownership of key and text (NULL for a number). */
static int add_param(tpc_spec *s, char *key, double value, char *text) {
  int rc = grow((void **)&s->params, s->nparams, sizeof *s->params);
  if (rc != TPC_OK) {
    free(key);
    free(text);
    return rc;
  }
  s->params[s->nparams].key = key;
  s->params[s->nparams].value = value;
  s->params[s->nparams].text = text;
  s->nparams++;
  return TPC_OK;
}

void tpc_spec_free(tpc_spec *s) {
  if (s == NULL) return;
  for (size_t i = 0; i < s->nargs; i++) tpc_spec_free(s->args[i]);
  for (size_t i = 0; i < s->nparams; i++) {
    free(s->params[i].key);
    free(s->params[i].text);
  }
  free(s->args);
  free(s->params);
  free(s->name);
  free(s);
}

/* ---- parser ------------------------------------------------------------------ */

static int parse_spec(spec_parser *p, tpc_spec **out);

/* Length of the number literal at text (see the file comment), 0 if none. */
static size_t scan_number(const char *text) {
  size_t n = 0, digits = 0;
  if (text[n] == '+' || text[n] == '-') n++;
  for (; is_digit(text[n]); n++) digits++;
  if (text[n] == '.')
    for (n++; is_digit(text[n]); n++) digits++;
  if (digits == 0) return 0;
  if (text[n] == 'e' || text[n] == 'E') {
    size_t e = n + 1;
    if (text[e] == '+' || text[e] == '-') e++;
    if (is_digit(text[e])) {
      while (is_digit(text[e])) e++;
      n = e;
    }
  }
  return n;
}

/* The NUMBER of n bytes at p->pos, which scan_number has matched whole. */
static int read_number(spec_parser *p, size_t n, double *out) {
  const char *start = p->text + p->pos;
  char *end = NULL;
  errno = 0;
  double v = strtod(start, &end);
  if (end != start + n)
    return syntax_error(p, p->pos, "number '%.*s' is not read as written "
                        "(locale?)", (int)(n > 40 ? 40 : n), start);
  if (!isfinite(v) || (v == 0 && errno == ERANGE))
    return syntax_error(p, p->pos, "number '%.*s' is out of the range of a "
                        "double", (int)(n > 40 ? 40 : n), start);
  p->pos += n;
  *out = v;
  return TPC_OK;
}

/* Whether a bare value would be read by strtod as a non-finite number (a
** sign, then inf, infinity or nan in any case), which the grammar refuses
** rather than take as text. */
static int is_nonfinite(const char *w, size_t n) {
  static const char *const words[] = {"inf", "infinity", "nan"};
  if (n > 0 && (w[0] == '+' || w[0] == '-')) w++, n--;
  for (size_t i = 0; i < 3; i++)
    if (strlen(words[i]) == n && strncasecmp(w, words[i], n) == 0) return 1;
  return 0;
}

/* Whether the bare value that ends at offset e of t stops at a byte its
** writer meant as part of it; *at gets that byte's offset.  Every case is a
** text the grammar refuses anyway, so this only chooses the message:
**   - '(', '=' or '\'' right after the value ("my(1).txt");
**   - blanks, then anything but ',', ')' or the end ("my file.txt");
**   - ')' glued to more bare bytes ("a)b"): only blanks, ',', ')' or the end
**     may follow a ')';
**   - ',' glued to bare bytes that are not all word bytes ("a,b.txt"): the
**     item after a ',' is a name or a key, which only blanks, '(', '=', ','
**     or ')' may follow. */
static int stops_inside_text(const char *t, size_t e, size_t *at) {
  char c = t[e];
  size_t j = e;
  *at = e;
  if (c == '(' || c == '=' || c == '\'') return 1;
  if (is_blank(c)) {
    while (is_blank(t[j])) j++;
    return t[j] != ',' && t[j] != ')' && t[j] != '\0';
  }
  if (c == ')') return is_bare(t[e + 1]);
  if (c == ',')
    for (j = e + 1; is_bare(t[j]); j++)
      if (!is_word(t[j])) return 1;
  return 0;
}

/* VALUE after "key=" (blanks already skipped) when it does not start with
** '"': the run of bare bytes there is a number when all of it reads as one,
** else text (see the file comment).  *text gets a new string for a text and
** is left NULL for a number, which goes to *num. */
static int parse_bare(spec_parser *p, const char *key, double *num, char **text) {
  const char *start = p->text + p->pos;
  size_t n = 0, at;
  while (is_bare(start[n])) n++;
  char what[128];
  if (n == 0) {
    snprintf(what, sizeof what, "a value after '%.40s=' (a number, a word, a "
             "path, or \"double-quoted\" text)", key);
    return expected_error(p, what);
  }
  if (scan_number(start) == n) return read_number(p, n, num);
  if (is_nonfinite(start, n)) {
    snprintf(what, sizeof what, "a number after '%.40s=' (no inf or nan)", key);
    return expected_error(p, what);
  }
  if (stops_inside_text(p->text, p->pos + n, &at)) {
    char found[32];
    describe_at(p->text, at, found, sizeof found);
    return syntax_error(p, at, "%s cannot appear in an unquoted value; write "
                        "the value in double quotes: %.40s=\"...\"", found, key);
  }
  *text = dup_n(start, n);
  if (*text == NULL) return tpc_error(TPC_ENOMEM, "spec: out of memory");
  p->pos += n;
  return TPC_OK;
}

/* VALUE after "key=" that starts with '"': any bytes from 0x20 up but '"',
** then '"'.  *out gets a new string without the quotes. */
static int parse_quoted(spec_parser *p, const char *key, char **out) {
  const char *start = p->text + p->pos;
  size_t n = 1;
  for (; start[n] != '"'; n++)
    if ((unsigned char)start[n] < 0x20) {
      p->pos += n;
      char what[96];
      snprintf(what, sizeof what, "'\"' to close the text after '%.40s='", key);
      return expected_error(p, what);
    }
  *out = dup_n(start + 1, n - 1);
  if (*out == NULL) return tpc_error(TPC_ENOMEM, "spec: out of memory");
  p->pos += n + 1;
  return TPC_OK;
}

/* KEY '=' VALUE; p->pos is at the key, which spans klen bytes and is
** followed (after blanks) by '='. */
static int parse_param(spec_parser *p, tpc_spec *s, size_t klen) {
  size_t kpos = p->pos;
  const char *key = p->text + kpos;
  if (is_digit(key[0]))
    return syntax_error(p, kpos, "parameter name '%.*s' starts with a digit",
                        (int)(klen > 40 ? 40 : klen), key);
  for (size_t i = 0; i < s->nparams; i++)
    if (strlen(s->params[i].key) == klen &&
        memcmp(s->params[i].key, key, klen) == 0)
      return syntax_error(p, kpos, "parameter '%.*s' given twice",
                          (int)(klen > 40 ? 40 : klen), key);
  char *k = dup_n(key, klen);
  if (k == NULL) return tpc_error(TPC_ENOMEM, "spec: out of memory");
  p->pos += klen;
  skip_blanks(p);
  p->pos++; /* the '=' the caller saw */
  skip_blanks(p);
  double v = 0;
  char *text = NULL;
  int rc = p->text[p->pos] == '"' ? parse_quoted(p, k, &text)
                                   : parse_bare(p, k, &v, &text);
  if (rc != TPC_OK) {
    free(k);
    return rc;
  }
  return add_param(s, k, v, text);
}

/* One item of a parenthesised list: a nested spec or KEY '=' VALUE.  Sets
** *bare when the item was a spec without parentheses (so '(' may follow). */
static int parse_item(spec_parser *p, tpc_spec *s, int *bare) {
  size_t start = p->pos, n = 0;
  while (is_word(p->text[start + n])) n++;
  *bare = 0;
  if (n == 0) return expected_error(p, "a name or a parameter");
  size_t after = start + n;
  while (is_blank(p->text[after])) after++;
  if (p->text[after] == '=') return parse_param(p, s, n);
  tpc_spec *arg = NULL;
  int rc = parse_spec(p, &arg);
  if (rc != TPC_OK) return rc;
  *bare = arg->nargs == 0 && arg->nparams == 0;
  rc = add_arg(s, arg);
  if (rc != TPC_OK) tpc_spec_free(arg);
  return rc;
}

/* '(' item { ',' item } ')', with p->pos on the '('. */
static int parse_items(spec_parser *p, tpc_spec *s) {
  size_t open = p->pos;
  p->pos++;
  for (;;) {
    int bare = 0;
    skip_blanks(p);
    int rc = parse_item(p, s, &bare);
    if (rc != TPC_OK) return rc;
    skip_blanks(p);
    char c = p->text[p->pos];
    if (c == ')') break;
    if (c == ',') {
      p->pos++;
      continue;
    }
    char what[64];
    snprintf(what, sizeof what, "%s',' or ')'%s", bare ? "'(', " : "",
             c == '\0' ? " to close the '(' of column" : "");
    if (c == '\0') {
      char found[32];
      describe_at(p->text, p->pos, found, sizeof found);
      return syntax_error(p, p->pos, "expected %s %zu, found %s", what,
                          open + 1, found);
    }
    return expected_error(p, what);
  }
  p->pos++;
  return TPC_OK;
}

/* NAME [ '(' items ')' ] at p->pos (blanks before it skipped here). */
static int parse_spec(spec_parser *p, tpc_spec **out) {
  *out = NULL;
  skip_blanks(p);
  size_t start = p->pos, n = 0;
  while (is_word(p->text[start + n])) n++;
  if (n == 0) return expected_error(p, "a name");
  if (p->text[start] == '_')
    return syntax_error(p, start, "name '%.*s' starts with '_' (a name "
                        "starts with a letter or a digit)",
                        (int)(n > 40 ? 40 : n), p->text + start);
  if (p->depth >= SPEC_MAX_DEPTH)
    return syntax_error(p, start, "specs nested deeper than %d levels",
                        SPEC_MAX_DEPTH);
  tpc_spec *s = calloc(1, sizeof *s);
  if (s == NULL || (s->name = dup_n(p->text + start, n)) == NULL) {
    free(s);
    return tpc_error(TPC_ENOMEM, "spec: out of memory");
  }
  s->pos = start;
  p->pos += n;
  skip_blanks(p);
  if (p->text[p->pos] == '(') {
    p->depth++;
    int rc = parse_items(p, s);
    p->depth--;
    if (rc != TPC_OK) {
      tpc_spec_free(s);
      return rc;
    }
  }
  *out = s;
  return TPC_OK;
}

int tpc_spec_parse(const char *text, tpc_spec **out) {
  *out = NULL;
  if (text == NULL) return tpc_error(TPC_EINPUT, "spec: no text (NULL)");
  spec_parser p = {text, 0, 0};
  skip_blanks(&p);
  if (text[p.pos] == '\0') return syntax_error(&p, p.pos, "empty spec");
  tpc_spec *s = NULL;
  int rc = parse_spec(&p, &s);
  if (rc != TPC_OK) return rc;
  skip_blanks(&p);
  if (text[p.pos] != '\0') {
    rc = expected_error(&p, s->nargs + s->nparams == 0 ? "'(' or end of spec"
                                                       : "end of spec");
    tpc_spec_free(s);
    return rc;
  }
  *out = s;
  return TPC_OK;
}

/* ---- copy, compare, look up ---------------------------------------------- */

tpc_spec *tpc_spec_copy(const tpc_spec *s) {
  tpc_spec *c = calloc(1, sizeof *c);
  if (c == NULL) return NULL;
  c->pos = s->pos;
  c->name = dup_n(s->name, strlen(s->name));
  if (c->name == NULL) goto fail;
  for (size_t i = 0; i < s->nargs; i++) {
    tpc_spec *a = tpc_spec_copy(s->args[i]);
    if (a == NULL) goto fail;
    if (add_arg(c, a) != TPC_OK) {
      tpc_spec_free(a);
      goto fail;
    }
  }
  for (size_t i = 0; i < s->nparams; i++) {
    const tpc_spec_param *q = &s->params[i];
    char *k = dup_n(q->key, strlen(q->key));
    char *t = q->text ? dup_n(q->text, strlen(q->text)) : NULL;
    if (k == NULL || (q->text && t == NULL)) {
      free(k);
      free(t);
      goto fail;
    }
    if (add_param(c, k, q->value, t) != TPC_OK) goto fail;
  }
  return c;
fail:
  tpc_spec_free(c);
  return NULL;
}

int tpc_spec_equal(const tpc_spec *a, const tpc_spec *b) {
  if (a == NULL || b == NULL) return a == b;
  if (strcmp(a->name, b->name) != 0 || a->nargs != b->nargs ||
      a->nparams != b->nparams)
    return 0;
  for (size_t i = 0; i < a->nargs; i++)
    if (!tpc_spec_equal(a->args[i], b->args[i])) return 0;
  for (size_t i = 0; i < a->nparams; i++) {
    const char *ta = a->params[i].text, *tb = b->params[i].text;
    if (strcmp(a->params[i].key, b->params[i].key) != 0) return 0;
    if ((ta == NULL) != (tb == NULL) || (ta && strcmp(ta, tb) != 0)) return 0;
    if (memcmp(&a->params[i].value, &b->params[i].value, sizeof(double)) != 0)
      return 0;
  }
  return 1;
}

const tpc_spec_param *tpc_spec_param_find(const tpc_spec *s, const char *key) {
  for (size_t i = 0; i < s->nparams; i++)
    if (strcmp(s->params[i].key, key) == 0) return &s->params[i];
  return NULL;
}

/* ---- printing ---------------------------------------------------------------- */

/* An snprintf-like sink: counts every byte, stores what fits. */
typedef struct spec_writer {
  char *buf;
  size_t size;
  size_t len;
} spec_writer;

static void put(spec_writer *w, const char *s, size_t n) {
  if (w->len < w->size) {
    size_t room = w->size - w->len - 1; /* keep one byte for the NUL */
    memcpy(w->buf + w->len, s, n < room ? n : room);
  }
  w->len += n;
}

/* Move the exponent of a %g result to its shortest form: "1e+15" -> "1e15",
** "1e-05" -> "1e-5". */
static void tidy_exponent(char *s) {
  char *e = strchr(s, 'e');
  if (e == NULL) return;
  char *src = e + 1, *dst = e + 1;
  if (*src == '+')
    src++;
  else if (*src == '-')
    *dst++ = *src++;
  while (*src == '0' && src[1] != '\0') src++;
  memmove(dst, src, strlen(src) + 1);
}

size_t tpc_format_double(double v, char *buf, size_t size) {
  char tmp[48];
  if (!isfinite(v)) {
    snprintf(tmp, sizeof tmp, "%s", isnan(v) ? "nan" : v < 0 ? "-inf" : "inf");
  } else if (v == floor(v) && fabs(v) < 1e15) {
    snprintf(tmp, sizeof tmp, "%.0f", v); /* exact: |v| < 2^53 */
  } else {
    for (int prec = 1; prec <= 17; prec++) {
      snprintf(tmp, sizeof tmp, "%.*g", prec, v);
      double back = strtod(tmp, NULL);
      if (memcmp(&back, &v, sizeof v) == 0) break;
    }
    tidy_exponent(tmp);
  }
  size_t n = strlen(tmp);
  if (size > 0) {
    size_t k = n < size - 1 ? n : size - 1;
    memcpy(buf, tmp, k);
    buf[k] = '\0';
  }
  return n;
}

static void print_spec(const tpc_spec *s, spec_writer *w) {
  put(w, s->name, strlen(s->name));
  if (s->nargs + s->nparams == 0) return;
  put(w, "(", 1);
  for (size_t i = 0; i < s->nargs; i++) {
    if (i > 0) put(w, ",", 1);
    print_spec(s->args[i], w);
  }
  for (size_t i = 0; i < s->nparams; i++) {
    char num[48];
    if (i > 0 || s->nargs > 0) put(w, ",", 1);
    put(w, s->params[i].key, strlen(s->params[i].key));
    put(w, "=", 1);
    const char *t = s->params[i].text;
    if (t == NULL) {
      put(w, num, tpc_format_double(s->params[i].value, num, sizeof num));
    } else {
      size_t n = 0;
      while (is_word(t[n])) n++;
      int bare = n > 0 && t[n] == '\0' && is_alpha(t[0]) && !is_nonfinite(t, n);
      if (!bare) put(w, "\"", 1);
      put(w, t, strlen(t));
      if (!bare) put(w, "\"", 1);
    }
  }
  put(w, ")", 1);
}

/* Args first, then params, each list in stored order, no blanks (see the
** file comment for why that order reads back to an equal tree). */
size_t tpc_spec_print(const tpc_spec *s, char *buf, size_t size) {
  spec_writer w = {buf, size, 0};
  print_spec(s, &w);
  if (size > 0) buf[w.len < size ? w.len : size - 1] = '\0';
  return w.len;
}

int tpc_spec_error(const tpc_spec *s, const char *fmt, ...) {
  char what[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  return tpc_error_at(TPC_EINPUT, s->pos + 1, "column %zu: %s", s->pos + 1, what);
}
