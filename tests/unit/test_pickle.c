/* Unit tests of the pickle reader: hostile and malformed pickles are refused
 * with the file, the byte offset and the opcode named; the protocol-2/4
 * forms numpy also writes are read. */
#include <criterion/criterion.h>
#include <string.h>

#include "tokalign/dump.h"

/* A .npy with numpy's 128-byte object-array header and `pickle` after it. */
static tka_buf npy(const char *pickle, size_t len)
{
    tka_buf b = {0};
    tka_buf_append(&b, "\x93NUMPY\x01\x00\x76\x00", 10);
    tka_buf_append_str(&b, "{'descr': '|O', 'fortran_order': False, 'shape': (), }");
    while (b.len < 127)
        tka_buf_append_char(&b, ' ');
    tka_buf_append_char(&b, '\n');
    tka_buf_append(&b, pickle, len);
    return b;
}

static tka_status parse(const char *pickle, size_t len, tka_dict **d, tka_error *err)
{
    tka_buf b = npy(pickle, len);
    cr_assert_eq(b.len, 128 + len);
    tka_status st = tka_dump_parse(b.data, b.len, "x.npy", TKA_FORMAT_AUTO, d, NULL, err);
    tka_buf_free(&b);
    return st;
}

#define P(lit) lit, sizeof(lit) - 1

Test(pickle, refuses_foreign_globals_without_running_them)
{
    tka_dict *d;
    tka_error err;
    cr_assert_eq(parse(P("\x80\x03"
                         "cos\nsystem\nX\x02\x00\x00\x00id\x85R."),
                       &d, &err),
                 TKA_ERR_UNSUPPORTED);
    cr_assert_null(d);
    cr_assert(strncmp(err.message,
                      "x.npy: byte 130: pickle opcode 0x63 GLOBAL 'os system' is not allowed",
                      69) == 0,
              "%s", err.message);
    /* protocol 4 STACK_GLOBAL */
    cr_assert_eq(parse(P("\x80\x04\x8c\x08"
                         "builtins\x8c\x04"
                         "eval\x93."),
                       &d, &err),
                 TKA_ERR_UNSUPPORTED);
    cr_assert(strstr(err.message,
                     "byte 146: pickle opcode 0x93 STACK_GLOBAL 'builtins eval' is not allowed"),
              "%s", err.message);
    /* object construction opcodes */
    cr_assert_eq(parse(P("\x80\x03(cnumpy\nndarray\no."), &d, &err), TKA_ERR_UNSUPPORTED);
    cr_assert(strstr(err.message, "byte 146: pickle opcode 0x6f OBJ:"), "%s", err.message);
    /* calling numpy.ndarray itself */
    cr_assert_eq(parse(P("\x80\x03"
                         "cnumpy\nndarray\n)R."),
                       &d, &err),
                 TKA_ERR_UNSUPPORTED);
    cr_assert(strstr(err.message, "calling numpy.ndarray is not allowed"), "%s", err.message);
}

Test(pickle, malformed_streams)
{
    tka_dict *d;
    tka_error err;
    struct {
        const char *p;
        size_t n;
        const char *msg;
    } cases[] = {
        {P("\x80\x03h\x05."), "byte 130: pickle opcode 0x68 BINGET: memo key 5 was never stored"},
        {P("\x80\x03t."), "byte 130: pickle opcode 0x74 TUPLE: no MARK on the stack"},
        {P("\x80\x03"
           "a."),
         "byte 130: pickle opcode 0x61 APPEND: stack underflow"},
        {P("\x80\x03X\xff\xff\xff\x7f"
           "ab."),
         "byte 130: pickle opcode 0x58 BINUNICODE: truncated"},
        {P("\x80\x03K\x01K\x02"), "byte 134: truncated pickle (no STOP opcode)"},
        {P("\x80\x03K\x01K\x02."), "the stack must hold exactly one value at STOP"},
        {P("\x80\x03(K\x01."), "a MARK is still open at STOP"},
        {P("\x80\x03K\x01r\xff\xff\xff\x0f."), "memo index beyond the pickle size"},
        {P("\x80\x03U\x01x."), "Python 2 str objects are not supported"},
        {P("\x80\x09."), "protocol must be 2..5"},
        {P("\x80\x03X\x01\x00\x00\x00\xff."), "string is not valid UTF-8"},
        {P("\x80\x03K\x01."), "the pickle does not hold a numpy array"},
        {P("\x80\x03]."), "the pickle does not hold a numpy array"},
        {P("\x80\x03\x8a\x09\x01\x01\x01\x01\x01\x01\x01\x01\x01."), "integer wider than 64 bits"},
        {P("\x80\x03K\x00K\x01K\x02s."), "the target is not a dict"},
        {P("\x80\x03}K\x01u."), "no MARK on the stack"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        d = (tka_dict *)1;
        cr_assert_neq(parse(cases[i].p, cases[i].n, &d, &err), TKA_OK, "case %zu accepted", i);
        cr_assert_null(d);
        cr_assert(strstr(err.message, cases[i].msg), "case %zu: got '%s'", i, err.message);
        cr_assert(strncmp(err.message, "x.npy: ", 7) == 0, "%s", err.message);
    }
}

Test(pickle, deep_marks_are_limited)
{
    char p[200];
    size_t n = 0;
    p[n++] = (char)0x80;
    p[n++] = 3;
    for (int i = 0; i < 70; i++)
        p[n++] = '(';
    p[n++] = '.';
    tka_dict *d;
    tka_error err;
    cr_assert_eq(parse(p, n, &d, &err), TKA_ERR_LIMIT);
    cr_assert(strstr(err.message, "MARKs nested deeper than 64"), "%s", err.message);
}

/* The structure numpy writes, in the protocol-2 form of old numpy under
 * Python 3 (bytes as _codecs.encode(latin-1 text)) and with numpy 2's
 * module name; hand-assembled to keep the test independent of Python. */
Test(pickle, protocol2_codecs_bytes_and_numpy2_names)
{
    const char body[] =
        "\x80\x02"
        "cnumpy._core.multiarray\n_reconstruct\nq\x00"
        "cnumpy\nndarray\nq\x01"
        "K\x00\x85q\x02"
        "c_codecs\nencode\nq\x03X\x01\x00\x00\x00"
        "bq\x04X\x06\x00\x00\x00latin1q\x05\x86q\x06Rq\x07"
        "\x87q\x08Rq\x09(K\x01)cnumpy\ndtype\nq\x0aX\x02\x00\x00\x00O8q\x0b\x89\x88\x87q\x0cRq\x0d"
        "(K\x03X\x01\x00\x00\x00|q\x0eNNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK?tq\x0f"
        "b\x89]q\x10}q\x11"
        "X\x01\x00\x00\x00kq\x12h\x00h\x01K\x00\x85q\x13h\x07\x87q\x14Rq\x15"
        "(K\x01K\x02\x85q\x16h\x0aX\x02\x00\x00\x00u1q\x17\x89\x88\x87q\x18Rq\x19"
        "(K\x03h\x0eNNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tq\x1a"
        "b\x89"
        "h\x03X\x03\x00\x00\x00\xc3\xbf\x01q\x1bh\x05\x86q\x1cRq\x1dtq\x1e"
        "bsatq\x1f"
        "b.";
    tka_dict *d;
    tka_error err;
    cr_assert_eq(parse(body, sizeof body - 1, &d, &err), TKA_OK, "%s", err.message);
    cr_assert_eq(tka_dict_size(d), 1);
    const tka_array *a = tka_dict_get(d, "k");
    cr_assert_not_null(a);
    cr_assert_eq(a->dtype, TKA_DTYPE_UINT8);
    cr_assert_eq(a->shape[0], 2);
    cr_assert_eq(((uint8_t *)a->data)[0], 0xff);
    cr_assert_eq(((uint8_t *)a->data)[1], 0x01);
    tka_dict_free(d);
}
