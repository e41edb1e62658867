/* JSON output with Python json.dumps escaping, hand-rolled because it is on
 * the output hot path; parsing JSON goes through jansson. */
#include "core/json_write.h"
#include "core/try.h"

#include <string.h>

tka_status tka_json_append_string(tka_buf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    TKA_TRY(tka_buf_reserve(out, len + 2));
    out->data[out->len++] = '"';
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        TKA_TRY(tka_buf_append(out, s + run, i - run));
        char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
        size_t n = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        TKA_TRY(tka_buf_append(out, esc, n));
        run = i + 1;
    }
    TKA_TRY(tka_buf_append(out, s + run, len - run));
    return tka_buf_append_char(out, '"');
}

tka_status tka_json_append_int(tka_buf *out, int64_t value)
{
    char tmp[24];
    size_t n = 0;
    uint64_t u = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    do {
        tmp[sizeof tmp - 1 - n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (value < 0)
        tmp[sizeof tmp - 1 - n++] = '-';
    return tka_buf_append(out, tmp + sizeof tmp - n, n);
}

tka_status tka_json_append_int32_array(tka_buf *out, const int32_t *values, size_t n)
{
    tka_status st = tka_buf_append_char(out, '[');
    for (size_t i = 0; i < n && st == TKA_OK; i++) {
        if (i)
            st = tka_buf_append(out, ", ", 2);
        if (st == TKA_OK)
            st = tka_json_append_int(out, values[i]);
    }
    if (st == TKA_OK)
        st = tka_buf_append_char(out, ']');
    return st;
}
