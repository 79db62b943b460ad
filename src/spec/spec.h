/*
** Spec strings: the names of compressors and mechanisms (README.md, THEORY.md
** T2 and T3 for the built-in names).
**
**   spec   := NAME [ '(' item { ',' item } ')' ]
**   item   := spec | KEY '=' VALUE
**   VALUE  := BARE | '"' bytes from 0x20 up except '"' '"'
**   BARE   := one or more bytes other than blanks, control bytes and
**             , ( ) = " ' ; a NUMBER when all of it is one, else text
**   NAME   := [A-Za-z0-9_]+ starting with a letter or digit ("3pcv2")
**   KEY    := [A-Za-z_][A-Za-z0-9_]*
**   NUMBER := a decimal floating-point literal as strtod reads it (no inf/nan,
**             no hexadecimal)
**
** Text values serve parameters such as file names, written bare when they
** hold none of , ( ) = " ' or blanks: logreg(file=/data/a9a.txt.gz),
** logreg(file=a9a), quadfile(file=../q-1.txt).  Quotes carry the rest:
** quadfile(file="my (1).txt").  A BARE value is a number only when all of
** it is one (k=10, p=1e-3, x=-5; 0x10 and 1e are text); "10" in quotes is
** text.  inf, infinity and nan, with or without a sign and in any case, are
** refused bare.
**
** Blanks between tokens are ignored.  Positional items (nested specs) come in
** order; keyword items (parameters) are kept in the order written, each key at
** most once.  Examples: "topk(k=10)", "clag(topk(k=10),zeta=2)",
** "adacgd(topk(k=1),topk(k=10),zeta=4)".
**
** This module only knows the syntax.  Which names exist, which parameters they
** take and their canonical order belong to the registry (registry/registry.h).
*/
#ifndef TPC_SPEC_H
#define TPC_SPEC_H

#include <stddef.h>

#include "core/error.h"

typedef struct tpc_spec_param {
  char *key;
  double value;   /* the number; 0 for a text value */
  char *text;     /* the text value without quotes; NULL for a number */
} tpc_spec_param;

typedef struct tpc_spec {
  char *name;
  size_t nargs;             /* nested specs, in order */
  struct tpc_spec **args;
  size_t nparams;           /* key=value parameters, in the order written */
  tpc_spec_param *params;
  size_t pos;               /* byte offset of the name in the parsed text */
} tpc_spec;

/* Parse `text`.  On success returns TPC_OK and a tree in *out (free with
** tpc_spec_free).  On a syntax error returns TPC_EINPUT, *out = NULL, and the
** error message names the 1-based column and what was expected, e.g.
** "spec 'topk(k=)', column 8: expected a value after 'k=' (...)", or the byte
** that a bare value cannot hold: "spec 'f(file=a(1))', column 9: '(' cannot
** appear in an unquoted value; write the value in double quotes: file="..."". */
int tpc_spec_parse(const char *text, tpc_spec **out);

void tpc_spec_free(tpc_spec *s);

/* Deep copy; NULL when out of memory. */
tpc_spec *tpc_spec_copy(const tpc_spec *s);

/* Structural equality: names, args in order, params in order with equal keys
** and bit-equal numbers or equal texts. */
int tpc_spec_equal(const tpc_spec *a, const tpc_spec *b);

/* Write the spec without blanks, numbers in the shortest form that strtod
** reads back to the same double (integers without a decimal point), texts in
** double quotes unless they are a word (a letter, then [A-Za-z0-9_]; not inf,
** infinity or nan), into buf (always NUL-terminated when size > 0).  Returns
** the length the full text needs, like snprintf; parse(print(x)) equals x. */
size_t tpc_spec_print(const tpc_spec *s, char *buf, size_t size);

/* TPC_EINPUT with "column N: " + the message, N the 1-based column of node s
** in the text it was parsed from (recorded for the caret, tpc_error_column):
** how the builders of every spec-named object word their refusals. */
int tpc_spec_error(const tpc_spec *s, const char *fmt, ...) TPC_PRINTF(2, 3);

/* The value of parameter `key`, or NULL when absent. */
const tpc_spec_param *tpc_spec_param_find(const tpc_spec *s, const char *key);

/* Shortest decimal text of v that strtod reads back to v ("10", "0.01",
** "1e-300"); returns the length like snprintf. */
size_t tpc_format_double(double v, char *buf, size_t size);

#endif
