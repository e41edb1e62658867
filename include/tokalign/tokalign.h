/* tokalign's public API in one include: every header of include/tokalign/.
 *
 * Conventions shared by every header (stated once here, repeated briefly
 * beside each handle):
 *  - Handles are opaque: tka_X *tka_X_new/open(...) creates one,
 *    tka_X_free(NULL) is a no-op. The caller owns what a _new/_open call
 *    returns; everything else a function returns (names, messages, token
 *    strings) is borrowed from its handle and valid until that handle is
 *    freed or, where the header says so, until the next call on it.
 *  - Batch outputs live in a caller-owned tka_arena and die with it.
 *  - Thread safety: a handle documented "immutable once opened" may be used
 *    by any number of threads at once; any other handle is used by one
 *    thread at a time (use one per thread). Functions without a handle are
 *    thread-safe unless their header says otherwise.
 *  - Errors: functions return tka_status and fill the tka_error passed in
 *    (NULL allowed); the library never prints, exits or aborts. */
#ifndef TOKALIGN_TOKALIGN_H
#define TOKALIGN_TOKALIGN_H

#include "tokalign/export.h"
#include "tokalign/version.h"
#include "tokalign/status.h"
#include "tokalign/types.h"
#include "tokalign/arena.h"
#include "tokalign/text.h"
#include "tokalign/tokenizer.h"
#include "tokalign/resolve.h"
#include "tokalign/spm.h"
#include "tokalign/encode.h"
#include "tokalign/pool.h"
#include "tokalign/dataset.h"
#include "tokalign/sampler.h"
#include "tokalign/collate.h"
#include "tokalign/pipeline.h"
#include "tokalign/dump.h"
#include "tokalign/diff.h"

#endif
