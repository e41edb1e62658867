/* The one wording of a JSON document jansson refused. Internal to the library. */
#ifndef TOKALIGN_CORE_JSON_ERROR_H
#define TOKALIGN_CORE_JSON_ERROR_H

#include <jansson.h>

#include "tokalign/status.h"

/* Sets `err` for the document `name` that json_load* refused with `je`:
 * "NAME: line L, column C: DETAIL", DETAIL being je->text, or `detail` when
 * not NULL (an escaped copy, or the text with a hint). Returns
 * TKA_ERR_FORMAT. */
tka_status tka_json_error(tka_error *err, const char *name, const json_error_t *je,
                          const char *detail);

#endif
