/* Error propagation for functions that return tka_status: one line per call
 * instead of an `if (st == TKA_OK)` chain. Internal to the library. */
#ifndef TOKALIGN_CORE_TRY_H
#define TOKALIGN_CORE_TRY_H

#include "tokalign/status.h"

/* Returns the status of `expr` from the enclosing function unless it is
 * TKA_OK. Use where nothing needs releasing on failure. */
#define TKA_TRY(expr)                        \
    do {                                     \
        tka_status tka_try_status_ = (expr); \
        if (tka_try_status_ != TKA_OK)       \
            return tka_try_status_;          \
    } while (0)

/* Stores the status of `expr` in `st` and jumps to `label` unless it is
 * TKA_OK. Use where the function releases resources at `label`. */
#define TKA_TRY_GOTO(st, expr, label) \
    do {                              \
        (st) = (expr);                \
        if ((st) != TKA_OK)           \
            goto label;               \
    } while (0)

#endif
