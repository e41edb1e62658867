/* Growable byte buffer used for output assembly across modules. */
#include "tokalign/text.h"
#include "core/grow.h"
#include "core/try.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tka_buf_free(tka_buf *buf)
{
    if (!buf)
        return;
    free(buf->data);
    buf->data = NULL;
    buf->len = buf->cap = 0;
}

tka_status tka_buf_reserve(tka_buf *buf, size_t extra)
{
    if (extra > SIZE_MAX - 1 - buf->len)
        return TKA_ERR_NOMEM;
    size_t need = buf->len + extra + 1;
    if (need <= buf->cap)
        return TKA_OK;
    return tka_grow_array((void **)&buf->data, &buf->cap, need, 1, 256) ? TKA_OK : TKA_ERR_NOMEM;
}

tka_status tka_buf_append(tka_buf *buf, const void *data, size_t len)
{
    TKA_TRY(tka_buf_reserve(buf, len));
    if (len)
        memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
    return TKA_OK;
}

tka_status tka_buf_append_str(tka_buf *buf, const char *s)
{
    return tka_buf_append(buf, s, strlen(s));
}

tka_status tka_buf_append_char(tka_buf *buf, char c)
{
    if (buf->len + 1 < buf->cap) {
        buf->data[buf->len++] = c;
        buf->data[buf->len] = '\0';
        return TKA_OK;
    }
    return tka_buf_append(buf, &c, 1);
}

tka_status tka_buf_printf(tka_buf *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return TKA_ERR_ARGUMENT;
    TKA_TRY(tka_buf_reserve(buf, (size_t)n));
    va_start(ap, fmt);
    vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf->len += (size_t)n;
    return TKA_OK;
}
