/* Status names and error-message formatting. */
#include "tokalign/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/ref_messages.h"

const char *tka_status_name(tka_status status)
{
    switch (status) {
    case TKA_OK: return "ok";
    case TKA_ERR_ARGUMENT: return "invalid argument";
    case TKA_ERR_IO: return "I/O error";
    case TKA_ERR_NOMEM: return "out of memory";
    case TKA_ERR_FORMAT: return "format error";
    case TKA_ERR_UTF8: return "invalid UTF-8";
    case TKA_ERR_NOT_FOUND: return "not found";
    case TKA_ERR_UNSUPPORTED: return "unsupported";
    case TKA_ERR_LIMIT: return "limit exceeded";
    case TKA_ERR_REFERENCE: return "refused as the reference does";
    case TKA_END: return "end of stream";
    }
    return "unknown status";
}

const char *tka_ref_message(tka_ref_error ref)
{
    switch (ref) {
    case TKA_REF_NONE: return "";
    case TKA_REF_NO_PAD_TOKEN: return TKA_HF_NO_PAD_TOKEN;
    }
    return "";
}

tka_status(tka_error_set_ref)(tka_error *err, tka_ref_error ref, const char *prefix)
{
    tka_error_set(err, TKA_ERR_REFERENCE, "%s%s", prefix, tka_ref_message(ref));
    if (err)
        err->ref = ref;
    return TKA_ERR_REFERENCE;
}

void tka_error_clear(tka_error *err)
{
    if (!err)
        return;
    err->status = TKA_OK;
    err->ref = TKA_REF_NONE;
    err->message[0] = '\0';
}

/* The name in parentheses: status.h defines a macro of it for the analyzer. */
tka_status(tka_error_set)(tka_error *err, tka_status status, const char *fmt, ...)
{
    if (!err)
        return status;
    err->status = status;
    err->ref = TKA_REF_NONE;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

tka_status tka_error_prefix(tka_error *err, const char *fmt, ...)
{
    if (!err)
        return TKA_OK;
    char prefix[TKA_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    if (n < 0)
        return err->status;
    size_t plen = strlen(prefix);
    size_t mlen = strlen(err->message);
    if (plen >= sizeof err->message)
        plen = sizeof err->message - 1;
    if (plen + mlen >= sizeof err->message)
        mlen = sizeof err->message - 1 - plen;
    memmove(err->message + plen, err->message, mlen);
    memcpy(err->message, prefix, plen);
    err->message[plen + mlen] = '\0';
    return err->status;
}
