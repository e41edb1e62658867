/* The one wording of a JSON document jansson refused (core/json_error.h). */
#include "core/json_error.h"

tka_status tka_json_error(tka_error *err, const char *name, const json_error_t *je,
                          const char *detail)
{
    return tka_error_set(err, TKA_ERR_FORMAT, "%s: line %d, column %d: %s", name, je->line,
                         je->column, detail ? detail : je->text);
}
