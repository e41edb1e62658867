/* JSON output helpers: strings escaped as Python's json.dumps(ensure_ascii=False). */
#ifndef TOKALIGN_JSON_WRITE_H
#define TOKALIGN_JSON_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "tokalign/text.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Appends s[0..len) (valid UTF-8) as a quoted JSON string: `"`, `\`, and
 * control characters below U+0020 are escaped (\n \r \t \b \f, else \u00XX),
 * everything else is copied raw, as json.dumps(..., ensure_ascii=False). */
tka_status tka_json_append_string(tka_buf *out, const char *s, size_t len);

/* Appends a decimal integer. */
tka_status tka_json_append_int(tka_buf *out, int64_t value);

/* Appends `[a, b, c]` (Python's default ", " separator). */
tka_status tka_json_append_int32_array(tka_buf *out, const int32_t *values, size_t n);

#ifdef __cplusplus
}
#endif
#endif
