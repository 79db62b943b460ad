/*
** tpc: the public interface in one include.  Programs and plugins built with
** `pkg-config --cflags --libs tpc` write #include <tpc.h>.
*/
#ifndef TPC_H
#define TPC_H

#include "core/error.h"
#include "core/alloc.h"
#include "core/buildinfo.h"
#include "core/vec.h"
#include "rng/pcg.h"
#include "rng/lanes.h"
#include "spec/spec.h"
#include "wire/msg.h"
#include "wire/wire.h"
#include "comp/comp.h"
#include "mech/mech.h"
#include "registry/registry.h"
#include "registry/plugin.h"
#include "store/store.h"

#endif
