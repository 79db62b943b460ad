# tpc: build, test, run, bench, report, install, deps.
#
#   make deps          install missing Debian packages (as root), else print the command
#   make / make all    build/tpc, build/libtpc.a, build/libtpc.so
#   make test          unit tests (Criterion) and command tests
#   make SANITIZE=1 test   the same under AddressSanitizer + UBSan (in build-san/)
#   make fuzz, make fuzz-run FUZZ_SECONDS=30   libFuzzer targets (clang, in build-fuzz/)
#   make run           the main job on db/tpc.sqlite
#   make bench, make report (reports/out/), make install PREFIX=..., make clean

VERSION  := 0.1.0
PREFIX   ?= /usr/local
CC       ?= gcc
ifeq ($(CC),cc)
CC := gcc
endif

DEPS_DEB := gcc make pkg-config libgsl-dev libopenblas-dev libcriterion-dev \
            libsqlite3-dev sqlite3 zlib1g-dev gnuplot-nox dataset-fashion-mnist chromium \
            python3-dev python3-numpy python3-torch clang libclang-rt-dev libomp-dev llvm valgrind \
            openmpi-bin libopenmpi-dev

ifeq ($(FUZZ),1)
# The fuzz build (make fuzz): clang's coverage hooks for libFuzzer in every
# object, AddressSanitizer and UBSan; the harnesses link libFuzzer's main.
BUILD    ?= build-fuzz
SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined \
            -fno-sanitize-recover=undefined -fno-omit-frame-pointer
OPT      ?= -O1
else ifeq ($(SANITIZE),1)
BUILD    ?= build-san
# float-cast-overflow is not part of GCC's "undefined": a NaN cast to an
# integer level would otherwise pass unseen.
SANFLAGS := -fsanitize=address,undefined,float-cast-overflow \
            -fno-sanitize-recover=undefined,float-cast-overflow -fno-omit-frame-pointer
OPT      ?= -O1
else
BUILD    ?= build
SANFLAGS :=
OPT      ?= -O2
endif

# -ffp-contract=off: no fused multiply-add behind our back, so the client's and
# the server's arithmetic (wire/msg.h) and every thread count agree bit for bit.
# -Wno-sign-conversion: size_t indices meet int loop counters and GSL's
# unsigned long everywhere; -Wconversion still reports every narrowing.
WARN     := -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
CFLAGS   ?= $(OPT) -g
ALL_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(CFLAGS) \
              $(WARN) -ffp-contract=off -fPIC -fopenmp $(SANFLAGS) \
              -I$(BUILD)/gen $(shell pkg-config --cflags gsl sqlite3 2>/dev/null)

# Floors: the library's folders, each including only the floors below it.
# Every include names its floor ("comp/comp.h"), so a floor's objects are
# compiled with -I$(BUILD)/floors/F, a folder of links to the floors F may
# include and nothing else (no -Isrc, no -I.): an upward include is a
# missing header, and the build fails.  FLOORS_F lists them, F itself last.
# The layers above the library see all of it and each other, never src/cli;
# the command and the tests see everything.  make floors-check proves that
# each floor's folder refuses the floors it must not include.
FLOORS_core     := core
FLOORS_rng      := core rng
FLOORS_spec     := core spec
FLOORS_wire     := core wire
FLOORS_store    := core store
FLOORS_comp     := core rng spec wire comp
FLOORS_mech     := $(FLOORS_comp) mech
FLOORS_registry := $(FLOORS_mech) registry
FLOORS_problems := core rng spec problems
FLOORS_methods  := $(FLOORS_registry) problems methods
LIB_FLOORS      := core rng spec wire store comp mech registry problems methods
LAYERS          := bounds bench reports dist
FLOORS_layers   := $(LIB_FLOORS) $(LAYERS)
floor_dir = $(if $(filter $(1),$(LIB_FLOORS)),src/$(1),$(1))
$(foreach f,$(LIB_FLOORS),$(eval $(BUILD)/obj/src/$(f)/%.o: FLOOR := $(f)))
$(foreach f,$(LAYERS),$(eval $(BUILD)/obj/$(f)/%.o: FLOOR := layers))
FLOOR_INC = $(if $(FLOOR),-I$(BUILD)/floors/$(FLOOR),-Isrc -I.)

# GSL's CBLAS calls go to OpenBLAS instead of the reference gslcblas.
LIBS     := -lgsl $(shell pkg-config --libs openblas 2>/dev/null || echo -lopenblas) \
            $(shell pkg-config --libs sqlite3 zlib 2>/dev/null || echo -lsqlite3 -lz) -ldl -lm
LDFLAGS_ALL := -fopenmp $(SANFLAGS) $(LDFLAGS)

# The library: src/ without the command; X_source.c files are templates
# included by their wrappers, never compiled alone.
LIB_SRC  := $(shell find src -name '*.c' ! -path 'src/cli/*' ! -name '*_source.c' | sort)
CLI_SRC  := $(shell find src/cli -name '*.c' | sort)
# The layers above the library (bounds/ with the theorem checks in
# bounds/theorems/, bench/, reports/): linked into the command and the tests,
# not into libtpc.  An example/ folder holds code built on its own.
LAYER_SRC := $(shell find bounds bench reports dist -name '*.c' ! -name '*_source.c' \
               ! -path '*/example/*' ! -path dist/mpi.c ! -path dist/none.c 2>/dev/null | sort)
TEST_SRC := $(sort $(wildcard tests/test_*.c))
MIGRATIONS := $(sort $(wildcard db/[0-9]*.sql))

# Python plugins (registry/pyplugin.h) need Python's headers and libpython;
# without them the bridge is pyplugin_none.c, which refuses .py plugins and
# says why.  Python's headers are system headers: our warnings are not theirs.
PY_OK    := $(shell pkg-config --exists python3-embed 2>/dev/null && echo 1)
ifeq ($(PY_OK),1)
PY_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags python3-embed))
LIBS     += $(shell pkg-config --libs python3-embed)
LIB_SRC  := $(filter-out src/registry/pyplugin_none.c,$(LIB_SRC))
PY_OBJ   := $(BUILD)/obj/gen/pyplugin_py.o
else
LIB_SRC  := $(filter-out src/registry/pyplugin.c,$(LIB_SRC))
PY_OBJ   :=
endif

# The transport (dist/dist.h): dist/none.c in build/tpc and the tests, which
# need no MPI runtime; dist/mpi.c in build/tpc-mpi, built when Open MPI's
# headers are there (make deps installs them).  MPI's headers are system
# headers, as Python's.
MPI_OK   := $(shell pkg-config --exists ompi-c 2>/dev/null && echo 1)
MPI_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags ompi-c 2>/dev/null))
MPI_LIBS := $(shell pkg-config --libs ompi-c 2>/dev/null)
DIST_NONE := $(BUILD)/obj/dist/none.o
DIST_MPI := $(BUILD)/obj/dist/mpi.o
$(DIST_MPI): ALL_CFLAGS += $(MPI_CFLAGS)

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/migrations.o $(PY_OBJ)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
EXTRA_OBJ := $(LAYER_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/report_css.o $(DIST_NONE)
MPI_BIN  := $(if $(MPI_OK),$(BUILD)/tpc-mpi)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)
# The command's readers of option values, unit-tested (tests/test_cli_read.c).
CLI_TESTED_OBJ := $(BUILD)/obj/src/cli/read.o

.PHONY: all deps test unit e2e floors-check install-check run bench report install uninstall \
        clean check-deps FORCE fuzz fuzz-run fuzz-seeds

all: $(BUILD)/tpc $(BUILD)/libtpc.a $(BUILD)/libtpc.so $(MPI_BIN)
ifneq ($(MPI_OK),1)
	@echo "make: Open MPI's headers are missing (make deps): $(BUILD)/tpc-mpi not built"
endif

# ---- dependencies ---------------------------------------------------------
deps:
	@missing=""; for p in $(DEPS_DEB); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: all present"; exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "deps: installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	else \
	  echo "deps: missing$$missing; run:"; echo "  sudo apt-get install -y$$missing"; exit 1; \
	fi

# ---- build ----------------------------------------------------------------
$(BUILD)/obj/%.o: %.c | $(BUILD)/floors/.stamp
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(ALL_CFLAGS) $(FLOOR_INC) -MMD -MP -c $< -o $@

# The include folders of the floors (above): relative links, so the build
# folder may move with the tree.
$(BUILD)/floors/.stamp: Makefile
	@rm -rf $(BUILD)/floors
	@for f in $(LIB_FLOORS) layers; do mkdir -p $(BUILD)/floors/$$f; done
	@$(foreach f,$(LIB_FLOORS) layers,$(foreach g,$(FLOORS_$(f)),\
	  ln -sr $(call floor_dir,$(g)) $(BUILD)/floors/$(f)/$(g) &&)) touch $@

# Each floor's folder resolves the floors it may include and refuses every
# other folder of the tree: one header of each, the layers and src/cli too.
FLOOR_PROBES := $(foreach f,$(LIB_FLOORS) $(LAYERS) cli,$(f)/$(notdir $(firstword \
  $(sort $(wildcard $(if $(filter cli,$(f)),src/cli,$(call floor_dir,$(f)))/*.h)))))
floors-check: $(BUILD)/floors/.stamp
	@sh tests/floors.sh "$(CC) $(filter -std=% -D% -I%,$(ALL_CFLAGS))" $(BUILD)/floors "$(FLOOR_PROBES)" \
	  $(foreach f,$(LIB_FLOORS) layers,"$(f)=$(FLOORS_$(f))")

# Per-ISA kernels (BLIS-style dispatch): only these files get the ISA flags;
# the caller picks them at run time from the CPU's features.
$(BUILD)/obj/%_avx2.o: ALL_CFLAGS += -mavx2 -mfma -mbmi2
$(BUILD)/obj/%_avx512.o: ALL_CFLAGS += -mavx512f -mavx512vl -mavx512bw -mavx512dq -mbmi2

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(ALL_CFLAGS) $(FLOOR_INC) -MMD -MP -c $< -o $@

# Migrations are embedded as C strings: {version, name, sql} in file order.
$(BUILD)/gen/migrations.c: $(MIGRATIONS) Makefile
	@mkdir -p $(dir $@)
	@{ echo '/* generated from the db/ migrations by the Makefile: do not edit */'; \
	   echo '#include "store/migrations.h"'; \
	   echo 'const tpc_migration tpc_migrations[] = {'; \
	   for f in $(MIGRATIONS); do \
	     v=$$(basename $$f | sed 's/^0*\([0-9][0-9]*\).*/\1/'); \
	     printf '  {%s, "%s",\n' "$$v" "$$(basename $$f)"; \
	     sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/   "/' -e 's/$$/\\n"/' $$f; \
	     echo '  },'; \
	   done; \
	   echo '  {0, 0, 0}};'; } > $@

# A text file embedded as one C string named $(1): the report's stylesheet
# (reports/doc.c) and the Python half of the plugin bridge (pyplugin.c).
define embed_text
	@mkdir -p $(dir $@)
	@{ echo '/* generated from $< by the Makefile: do not edit */'; \
	   echo 'const char $(1)[] ='; \
	   sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/  "/' -e 's/$$/\\n"/' $<; \
	   echo '  ;'; } > $@
endef

$(BUILD)/gen/report_css.c: reports/page.css Makefile
	$(call embed_text,tpc_report_css)

$(BUILD)/gen/pyplugin_py.c: src/registry/pyplugin.py Makefile
	$(call embed_text,tpc_pyplugin_source)

$(BUILD)/obj/src/registry/pyplugin.o: ALL_CFLAGS += $(PY_CFLAGS)
$(BUILD)/obj/gen/pyplugin_py.o: ALL_CFLAGS += -Wno-overlength-strings

# Build provenance for runs rows; rewritten only when it changes.
$(BUILD)/gen/buildinfo_gen.h: FORCE
	@mkdir -p $(dir $@)
	@c=$$(git rev-parse --verify -q HEAD 2>/dev/null || echo unknown); \
	 d=$$(git status --porcelain 2>/dev/null | grep -qv '^??' && echo 1 || echo 0); \
	 { echo "#define TPC_VERSION \"$(VERSION)\""; \
	   echo "#define TPC_GIT_COMMIT \"$$c\""; \
	   echo "#define TPC_GIT_DIRTY $$d"; \
	   echo "#define TPC_COMPILER \"$$($(CC) --version | head -1)\""; \
	   echo "#define TPC_CFLAGS \"$(strip $(CFLAGS) $(SANFLAGS))\""; } > $@.tmp; \
	 cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(BUILD)/obj/src/core/buildinfo.o: $(BUILD)/gen/buildinfo_gen.h

# The source tree's data sets (src/problems/files.c), as a C string; written
# again when the tree has moved, so a moved checkout's next build finds them.
$(BUILD)/gen/datadir_gen.h: FORCE
	@mkdir -p $(dir $@)
	@printf '#define TPC_SOURCE_DATADIR "%s"\n' \
	   "$$(printf '%s' '$(CURDIR)/datasets' | sed 's/[\\"]/\\&/g')" > $@.tmp; \
	 cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(BUILD)/obj/src/problems/files.o: $(BUILD)/gen/datadir_gen.h

$(BUILD)/libtpc.a: $(LIB_OBJ)
	@rm -f $@
	@echo "  AR $@"
	@ar rcs $@ $^

$(BUILD)/libtpc.so: $(LIB_OBJ)
	@echo "  LD $@"
	@$(CC) -shared -o $@ $^ $(LDFLAGS_ALL) $(LIBS)

# The binary carries the whole library and exports it (-rdynamic), so that a
# plugin resolves any tpc function it calls from the program that loads it.
$(BUILD)/tpc: $(CLI_OBJ) $(EXTRA_OBJ) $(BUILD)/libtpc.a
	@echo "  LD $@"
	@$(CC) -o $@ $(CLI_OBJ) $(EXTRA_OBJ) -rdynamic -Wl,--whole-archive $(BUILD)/libtpc.a \
	  -Wl,--no-whole-archive $(LDFLAGS_ALL) $(LIBS)

# The same command over MPI (README.md "On a cluster"): the transport is
# dist/mpi.c instead of dist/none.c, nothing else differs.
$(BUILD)/tpc-mpi: $(CLI_OBJ) $(EXTRA_OBJ) $(DIST_MPI) $(BUILD)/libtpc.a
	@echo "  LD $@"
	@$(CC) -o $@ $(CLI_OBJ) $(filter-out $(DIST_NONE),$(EXTRA_OBJ)) $(DIST_MPI) -rdynamic \
	  -Wl,--whole-archive $(BUILD)/libtpc.a -Wl,--no-whole-archive $(LDFLAGS_ALL) $(LIBS) $(MPI_LIBS)

# ---- tests ----------------------------------------------------------------
# Criterion's Test() macro expands to a 1-bit bit-field initialised from an
# int, which -Wconversion flags at every test: not a finding in our code.
$(BUILD)/obj/tests/%.o: ALL_CFLAGS += -Wno-conversion

# One Criterion binary with every suite (one summary line), and one per file
# for working on a module: make build/tests/test_rng && build/tests/test_rng
$(BUILD)/tests/unit: $(TEST_OBJ) $(EXTRA_OBJ) $(CLI_TESTED_OBJ) $(BUILD)/libtpc.a
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) -o $@ $(TEST_OBJ) $(EXTRA_OBJ) $(CLI_TESTED_OBJ) -rdynamic -Wl,--whole-archive $(BUILD)/libtpc.a -Wl,--no-whole-archive $(LDFLAGS_ALL) -lcriterion $(LIBS)

$(BUILD)/tests/test_%: $(BUILD)/obj/tests/test_%.o $(EXTRA_OBJ) $(CLI_TESTED_OBJ) $(BUILD)/libtpc.a
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) -o $@ $< $(EXTRA_OBJ) $(CLI_TESTED_OBJ) -rdynamic -Wl,--whole-archive $(BUILD)/libtpc.a -Wl,--no-whole-archive $(LDFLAGS_ALL) -lcriterion $(LIBS)

unit: $(BUILD)/tests/unit
	$(BUILD)/tests/unit --jobs 2

# Command tests: every tests/e2e*.sh, each ending in "N passed, N failed".
e2e: $(BUILD)/tpc
	@for t in tests/e2e*.sh; do TPC=$(BUILD)/tpc sh $$t || exit 1; done

# make install into a temporary prefix and build a program with pkg-config tpc.
install-check: all
	sh tests/install/check.sh

test: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory floors-check
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory e2e
	@$(MAKE) --no-print-directory install-check

# ---- fuzzing --------------------------------------------------------------
# libFuzzer harnesses (tests/fuzz/, README.md "Fuzzing"), built by clang with
# the library in build-fuzz/ (FUZZ=1 above); the normal build stays gcc's.
# make fuzz-run runs each target for FUZZ_SECONDS from its seed corpus and
# fails when one crashes or breaks its property (tests/fuzz/run.sh).
FUZZ_TARGETS := spec libsvm idx quadfile wire baseline
FUZZ_SECONDS ?= 30
FUZZ_CC      ?= clang
FUZZ_BIN     := $(FUZZ_TARGETS:%=build-fuzz/fuzz/%)

fuzz:
	@command -v $(FUZZ_CC) >/dev/null || \
	  { echo "fuzz: $(FUZZ_CC) not found (make deps installs it)"; exit 1; }
	@$(MAKE) -s --no-print-directory FUZZ=1 CC=$(FUZZ_CC) $(FUZZ_BIN)

fuzz-run: fuzz
	sh tests/fuzz/run.sh build-fuzz/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The wire corpus is real messages, encoded (tests/fuzz/wire_seeds.c).
fuzz-seeds:
	@$(MAKE) --no-print-directory FUZZ=1 CC=$(FUZZ_CC) build-fuzz/fuzz/wire_seeds
	build-fuzz/fuzz/wire_seeds tests/fuzz/corpus/wire

# Objects reached only through the pattern rule below: kept, not intermediate.
.SECONDARY: $(FUZZ_TARGETS:%=$(BUILD)/obj/tests/fuzz/fuzz_%.o) $(BUILD)/obj/tests/fuzz/common.o

$(BUILD)/fuzz/baseline: $(BUILD)/obj/reports/baseline.o $(BUILD)/obj/reports/buf.o

$(BUILD)/fuzz/wire_seeds: $(BUILD)/obj/tests/fuzz/wire_seeds.o $(BUILD)/libtpc.a
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) -o $@ $< $(BUILD)/libtpc.a $(LDFLAGS_ALL) $(LIBS)

$(BUILD)/fuzz/%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(BUILD)/obj/tests/fuzz/common.o \
                 $(BUILD)/libtpc.a
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) -o $@ $(filter %.o,$^) $(BUILD)/libtpc.a -fsanitize=fuzzer $(LDFLAGS_ALL) $(LIBS)

# ---- the jobs -------------------------------------------------------------
# One setting of every built-in compressor and mechanism (T2, T3) at d = 100.
RUN_COMPS := identity 'topk(k=10)' 'randk(k=10)' 'urandk(k=10)' permk 'bernoulli(p=0.5)' \
  natural 'dither(s=4)' sign 'threshold(lambda=0.5)' 'scaled(urandk(k=10))' \
  'compose(urandk(k=10),permk)'
RUN_MECHS := gd 'ef21(topk(k=10))' 'lag(zeta=4)' 'clag(topk(k=10),zeta=2)' \
  '3pcv1(topk(k=10))' '3pcv2(urandk(k=5),topk(k=5))' '3pcv3(lag(zeta=4),topk(k=10))' \
  '3pcv4(topk(k=5),topk(k=5))' '3pcv5(topk(k=10),p=0.1)' \
  'adacgd(topk(k=1),topk(k=10),topk(k=100),zeta=4)' 'marina(urandk(k=10),p=0.1)' \
  'shifted(urandk(k=50))' 'diana(urandk(k=10),beta=0.1)'
RUN_SPECS := $(RUN_COMPS) $(RUN_MECHS)
# Theorem 1 on the paper's quadratic for the 3PC rows (shifted and DIANA
# declare no 3PC pair for Algorithm 1 with these parameters).
RUN_METHODS := $(filter-out 'shifted% 'diana%,$(RUN_MECHS))
# The PL check (Theorem 2 of T5) for the deterministic 3PC methods and MARINA.
RUN_PL_METHODS := gd 'ef21(topk(k=10))' 'lag(zeta=4)' 'clag(topk(k=10),zeta=2)' \
  '3pcv1(topk(k=10))' 'marina(urandk(k=10),p=0.1)'
# The methods of T8 and T9 on a convex quadratic with exact optima, where
# every one of their theorems applies, and the EF21-P family on a9a.
RUN_CONVEX_QUAD := 'quad(d=100,n=10,s=1,seed=3,convex=1,lambda=0.1)'
RUN_T8T9_METHODS := 'dcgd(urandk(k=20))' 'dcgd_shift(urandk(k=20),shift=star)' \
  'dcgd_shift(urandk(k=20),shift=fixed)' 'dcgd_shift(urandk(k=20),shift=diana)' \
  'dcgd_shift(urandk(k=20),shift=randdiana)' 'gdci(urandk(k=50),shift=star)' \
  'ef21p(topk(k=20))' 'ef21p_diana(urandk(k=20),topk(k=20))' 'ef21p_dcgd(urandk(k=20),topk(k=20))'
RUN_EF21P_A9A := 'ef21p(topk(k=12))' 'ef21p_diana(urandk(k=12),topk(k=12))' \
  'ef21p_dcgd(urandk(k=12),topk(k=12))'
# T10.2 for the three bidirectional 3PC pairs it must cover and T11.3 for AGD
# (2Direction without compression), on the same convex quadratic.
RUN_T10T11_METHODS := 'bidir(ef21(topk(k=10)),ef21(topk(k=10)))' \
  'bidir(adacgd(topk(k=1),topk(k=10),zeta=2),ef21(topk(k=10)))' \
  'bidir(lag(zeta=2),ef21(topk(k=10)))' 'twodirection(identity,identity)'

# make print-VAR: a variable as the shell would read it (tests use RUN_SPECS).
print-%:
	@echo "$(subst ",\",$($*))"

# The main job on the default database: the constants of every built-in
# (float64 and float32 kernels), Theorem 1 (and PL) on quad(s=0) and on
# logistic regression (phishing), the theorems of T8 and T9 on a convex
# quadratic and on a9a, the paper's three experiments (T7) and EF21-P's
# (T9.8), a short
# bench, and the report.  A failed check does not stop the job: the report
# shows it, and make exits 1 at the end naming the commands that failed.
RUN_FAILED = $(BUILD)/run.failed
run: deps
	@$(MAKE) --no-print-directory all
	@rm -f $(RUN_FAILED)
	$(BUILD)/tpc bounds $(RUN_SPECS) --d 100 || echo bounds >> $(RUN_FAILED)
	$(BUILD)/tpc bounds $(RUN_SPECS) --d 100 --dtype f32 || echo bounds-f32 >> $(RUN_FAILED)
	$(BUILD)/tpc rate 'quad(s=0)' $(RUN_METHODS) --T 500 || echo rate >> $(RUN_FAILED)
	$(BUILD)/tpc rate 'quad(s=0)' $(RUN_PL_METHODS) --T 500 --pl --no-slack --reps 10 \
	  || echo rate-pl >> $(RUN_FAILED)
	$(BUILD)/tpc rate 'logreg(file=phishing)' gd 'ef21(topk(k=10))' 'clag(topk(k=10),zeta=2)' --T 500 \
	  || echo rate-phishing >> $(RUN_FAILED)
	$(BUILD)/tpc rate $(RUN_CONVEX_QUAD) $(RUN_T8T9_METHODS) --T 1000 --no-slack \
	  || echo rate-t8-t9 >> $(RUN_FAILED)
	$(BUILD)/tpc rate 'logreg(file=a9a,n=10,reg=l2,lambda=0.001)' $(RUN_EF21P_A9A) --T 300 \
	  --reps 10 --no-slack || echo rate-a9a >> $(RUN_FAILED)
	$(BUILD)/tpc rate $(RUN_CONVEX_QUAD) $(RUN_T10T11_METHODS) --T 1000 --no-slack \
	  || echo rate-t10-t11 >> $(RUN_FAILED)
	$(BUILD)/tpc rate --experiment fig3 || echo fig3 >> $(RUN_FAILED)
	$(BUILD)/tpc rate --experiment fig2 || echo fig2 >> $(RUN_FAILED)
	$(BUILD)/tpc rate --experiment fig1 || echo fig1 >> $(RUN_FAILED)
	$(BUILD)/tpc rate --experiment ef21p || echo ef21p >> $(RUN_FAILED)
	$(BUILD)/tpc bench topk randk natural dither sign --d 2^16,2^20 --dtype f32 \
	  --impl comp,quickselect,filter,numpy || echo bench >> $(RUN_FAILED)
	$(BUILD)/tpc report
	@echo; echo "run: the report is reports/out/report.html (summary: reports/out/report.md)"
	@if [ -s $(RUN_FAILED) ]; then echo "run: checks failed in: $$(tr '\n' ' ' < $(RUN_FAILED))"; exit 1; fi

# The full benchmark set: every kernel at two sizes, then the selection kernels
# at 2^24 (TopK against its read floor and the numpy/torch peers); about 5
# minutes.
bench: all
	$(BUILD)/tpc bench --d 2^16,2^22
	$(BUILD)/tpc bench topk randk natural dither sign --d 2^24 --dtype f32 \
	  --impl comp,quickselect,radix,filter,numpy,torch

# The report of everything in db/tpc.sqlite: reports/out/report.html and .md.
report: all
	$(BUILD)/tpc report

# ---- install ----------------------------------------------------------------
# The public headers: what tpc.h includes (module-private headers stay out).
HEADERS := src/tpc.h $(shell sed -n 's/^\#include "\(.*\)"/src\/\1/p' src/tpc.h)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/tpc
	install -m 755 $(BUILD)/tpc $(DESTDIR)$(PREFIX)/bin/tpc
	$(if $(MPI_BIN),install -m 755 $(MPI_BIN) $(DESTDIR)$(PREFIX)/bin/tpc-mpi)
	install -m 644 $(BUILD)/libtpc.a $(DESTDIR)$(PREFIX)/lib/libtpc.a
	install -m 755 $(BUILD)/libtpc.so $(DESTDIR)$(PREFIX)/lib/libtpc.so
	for h in $(HEADERS); do \
	  install -D -m 644 $$h $(DESTDIR)$(PREFIX)/include/tpc/$${h#src/}; done
	install -D -m 644 bench/peers/topk_peers.py $(DESTDIR)$(PREFIX)/share/tpc/peers/topk_peers.py
	install -d $(DESTDIR)$(PREFIX)/share/tpc/datasets
	install -m 644 datasets/*.gz datasets/README.md datasets/SHA256SUMS $(DESTDIR)$(PREFIX)/share/tpc/datasets
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' tpc.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/tpc.pc
	test -z "$(DESTDIR)" && command -v ldconfig >/dev/null && ldconfig || true

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/bin/tpc $(DESTDIR)$(PREFIX)/bin/tpc-mpi $(DESTDIR)$(PREFIX)/lib/libtpc.a $(DESTDIR)$(PREFIX)/share/tpc \
	  $(DESTDIR)$(PREFIX)/lib/libtpc.so $(DESTDIR)$(PREFIX)/include/tpc \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig/tpc.pc

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
