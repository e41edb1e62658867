/* Helpers shared by the golden differential tests: JSONL reading (jansson),
 * row counting and a uniform PASS/FAIL summary line. */
#ifndef TKA_GOLDEN_UTIL_H
#define TKA_GOLDEN_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Per-file tally printed as "<label>: checked N, matched M". */
typedef struct golden_tally {
    size_t checked, matched, failed_printed;
} golden_tally;

/* Calls fn for each non-empty line of a JSONL file (1-based line number).
 * Returns false (after printing why) when the file cannot be read or a line
 * is not JSON. */
bool golden_each_row(const char *path, bool (*fn)(json_t *row, size_t line, void *ctx), void *ctx);

/* Joins the shared dir and a relative path into a static buffer. */
const char *golden_path(const char *shared, const char *rel);

/* Records one comparison; prints the first few mismatches with `what`. */
void golden_record(golden_tally *t, bool ok, const char *file, size_t line, const char *what);

/* Prints the tally line and returns true when every checked row matched and
 * at least one row was checked. */
bool golden_report(const golden_tally *t, const char *label);

/* True when a JSON array of integers equals ids[0..n). */
bool golden_ids_equal(const json_t *array, const int32_t *ids, size_t n);

#endif
