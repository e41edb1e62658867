/* Column names as pandas derives them from the header row, and column selection by name or #N. */
#ifndef TKA_DATASET_COLUMNS_H
#define TKA_DATASET_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>

#include "tokalign/dataset.h"

#define TKA_NOT_SELECTED SIZE_MAX

/* The names of the header's fields. pandas: cut at NUL, "" -> "Unnamed: i",
 * duplicates mangled to "x.1", "x.2" (pandas 1.5's mangle_dupe_cols). GLUE:
 * the strings as read. *out (n entries) is freed with column_names_free. */
tka_status column_names(const tka_tsv_record *header, bool pandas, const char *file, char ***out,
                        tka_error *err);
void column_names_free(char **names, size_t n);

/* Resolves "name" or "#N" (0-based) to a column number; spec NULL selects
 * nothing (TKA_NOT_SELECTED). In GLUE mode #N may exceed the header (rows
 * are indexed whatever the header holds). */
tka_status column_select(char *const *names, size_t n, bool pandas, const char *spec,
                         const char *role, const char *file, size_t *out, tka_error *err);

#endif
