/* A bounds-checked pickle interpreter for the subset numpy writes (protocols
 * 2-4): every length is checked against the input, the memo and the stack
 * are capped, and nothing is ever imported or called. */
#include "dump/pickle.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tokalign/text.h"
#include "core/try.h"

/* Nesting of MARKs in numpy's pickles is at most 4; anything deeper than
 * this is not a numpy dump. */
#define PK_MAX_MARKS 64
/* Each stack entry costs at least one input byte, but bound it anyway. */
#define PK_MAX_STACK (1u << 24)

typedef struct pk_vm {
    const unsigned char *buf;
    size_t len, pos, base, op_pos;
    const char *name;
    tka_arena *arena;
    tka_error *err;
    pk_obj **stack;
    size_t sp, stack_cap;
    size_t marks[PK_MAX_MARKS];
    size_t nmarks;
    pk_obj **memo;
    size_t memo_cap, memo_count;
    pk_obj *none, *t, *f, *empty_tuple;
} pk_vm;

static const char *opcode_name(unsigned char op)
{
    switch (op) {
    case 0x80: return "PROTO";
    case 0x95: return "FRAME";
    case 'c': return "GLOBAL";
    case 0x93: return "STACK_GLOBAL";
    case 'q': return "BINPUT";
    case 'r': return "LONG_BINPUT";
    case 0x94: return "MEMOIZE";
    case 'h': return "BINGET";
    case 'j': return "LONG_BINGET";
    case '(': return "MARK";
    case 't': return "TUPLE";
    case ')': return "EMPTY_TUPLE";
    case 0x85: return "TUPLE1";
    case 0x86: return "TUPLE2";
    case 0x87: return "TUPLE3";
    case ']': return "EMPTY_LIST";
    case 'a': return "APPEND";
    case 'e': return "APPENDS";
    case '}': return "EMPTY_DICT";
    case 's': return "SETITEM";
    case 'u': return "SETITEMS";
    case 'K': return "BININT1";
    case 'M': return "BININT2";
    case 'J': return "BININT";
    case 0x8a: return "LONG1";
    case 0x8b: return "LONG4";
    case 'N': return "NONE";
    case 0x88: return "NEWTRUE";
    case 0x89: return "NEWFALSE";
    case 'X': return "BINUNICODE";
    case 0x8c: return "SHORT_BINUNICODE";
    case 0x8d: return "BINUNICODE8";
    case 'C': return "SHORT_BINBYTES";
    case 'B': return "BINBYTES";
    case 0x8e: return "BINBYTES8";
    case 'R': return "REDUCE";
    case 'b': return "BUILD";
    case '.': return "STOP";
    case 'I': return "INT";
    case 'L': return "LONG";
    case 'F': return "FLOAT";
    case 'G': return "BINFLOAT";
    case 'S': return "STRING";
    case 'T': return "BINSTRING";
    case 'U': return "SHORT_BINSTRING";
    case 'V': return "UNICODE";
    case 'p': return "PUT";
    case 'g': return "GET";
    case 'l': return "LIST";
    case 'd': return "DICT";
    case 'i': return "INST";
    case 'o': return "OBJ";
    case 0x81: return "NEWOBJ";
    case 0x92: return "NEWOBJ_EX";
    case 'P': return "PERSID";
    case 'Q': return "BINPERSID";
    case 0x82: return "EXT1";
    case 0x83: return "EXT2";
    case 0x84: return "EXT4";
    case '0': return "POP";
    case '1': return "DUP";
    case '2': return "POP_MARK";
    case 0x8f: return "EMPTY_SET";
    case 0x90: return "ADDITEMS";
    case 0x91: return "FROZENSET";
    case 0x96: return "BYTEARRAY8";
    case 0x97: return "NEXT_BUFFER";
    case 0x98: return "READONLY_BUFFER";
    default: return "unknown";
    }
}

static void vm_report(pk_vm *vm, tka_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void vm_report(pk_vm *vm, tka_status st, const char *fmt, ...)
{
    unsigned char op = vm->buf[vm->op_pos];
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    tka_error_set(vm->err, st, "%s: byte %zu: pickle opcode 0x%02x %s: %s", vm->name,
                  vm->base + vm->op_pos, op, opcode_name(op), what);
}

/* Reports the error at the current opcode and evaluates to `st`: a macro, so
 * that the failure status is plain where it is returned (the static analyzer
 * does not follow variadic calls). */
#define vm_error(vm, st, ...) (vm_report((vm), (st), __VA_ARGS__), (st))

static tka_status nomem(pk_vm *vm)
{
    return tka_error_set(vm->err, TKA_ERR_NOMEM, "%s: out of memory reading the pickle", vm->name);
}

static pk_obj *new_obj(pk_vm *vm, pk_kind kind)
{
    pk_obj *o = tka_arena_calloc(vm->arena, 1, sizeof *o);
    if (o) {
        o->kind = kind;
        o->offset = vm->base + vm->op_pos;
    }
    return o;
}

static tka_status need(pk_vm *vm, size_t n)
{
    if (vm->len - vm->pos < n)
        return vm_error(vm, TKA_ERR_FORMAT, "truncated: %s", "the argument runs past the end");
    return TKA_OK;
}

static uint64_t read_le(pk_vm *vm, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)vm->buf[vm->pos + i] << (8 * i);
    vm->pos += n;
    return v;
}

static tka_status push(pk_vm *vm, pk_obj *o)
{
    if (!o)
        return nomem(vm);
    if (vm->sp == vm->stack_cap) {
        if (vm->stack_cap >= PK_MAX_STACK)
            return vm_error(vm, TKA_ERR_LIMIT, "the stack exceeds %s entries", "16M");
        size_t cap = vm->stack_cap ? vm->stack_cap * 2 : 64;
        pk_obj **s = tka_arena_alloc(vm->arena, cap * sizeof(pk_obj *), _Alignof(pk_obj *));
        if (!s)
            return nomem(vm);
        if (vm->sp)
            memcpy(s, vm->stack, vm->sp * sizeof(pk_obj *));
        vm->stack = s;
        vm->stack_cap = cap;
    }
    vm->stack[vm->sp++] = o;
    return TKA_OK;
}

/* The lowest stack position usable by an opcode: values below the last
 * MARK belong to an outer construct. */
static size_t floor_sp(const pk_vm *vm)
{
    return vm->nmarks ? vm->marks[vm->nmarks - 1] : 0;
}

static tka_status pop(pk_vm *vm, pk_obj **o)
{
    if (vm->sp <= floor_sp(vm))
        return vm_error(vm, TKA_ERR_FORMAT, "%s", "stack underflow");
    *o = vm->stack[--vm->sp];
    return TKA_OK;
}

static tka_status top(pk_vm *vm, pk_obj **o)
{
    if (vm->sp <= floor_sp(vm))
        return vm_error(vm, TKA_ERR_FORMAT, "%s", "stack underflow");
    *o = vm->stack[vm->sp - 1];
    return TKA_OK;
}

static tka_status pop_mark(pk_vm *vm, size_t *from)
{
    if (!vm->nmarks)
        return vm_error(vm, TKA_ERR_FORMAT, "%s", "no MARK on the stack");
    *from = vm->marks[--vm->nmarks];
    return TKA_OK;
}

static tka_status seq_append(pk_vm *vm, pk_obj *seq, pk_obj *item)
{
    if (seq->u.seq.n == seq->u.seq.cap) {
        size_t cap = seq->u.seq.cap ? seq->u.seq.cap * 2 : 4;
        pk_obj **items = tka_arena_alloc(vm->arena, cap * sizeof(pk_obj *), _Alignof(pk_obj *));
        if (!items)
            return nomem(vm);
        if (seq->u.seq.n)
            memcpy(items, seq->u.seq.items, seq->u.seq.n * sizeof(pk_obj *));
        seq->u.seq.items = items;
        seq->u.seq.cap = cap;
    }
    seq->u.seq.items[seq->u.seq.n++] = item;
    return TKA_OK;
}

static tka_status dict_set(pk_vm *vm, pk_obj *d, pk_obj *k, pk_obj *v)
{
    if (d->kind != PK_DICT)
        return vm_error(vm, TKA_ERR_FORMAT, "%s", "the target is not a dict");
    if (d->u.dict.n == d->u.dict.cap) {
        size_t cap = d->u.dict.cap ? d->u.dict.cap * 2 : 8;
        pk_obj **keys = tka_arena_alloc(vm->arena, cap * sizeof(pk_obj *), _Alignof(pk_obj *));
        pk_obj **vals = tka_arena_alloc(vm->arena, cap * sizeof(pk_obj *), _Alignof(pk_obj *));
        if (!keys || !vals)
            return nomem(vm);
        if (d->u.dict.n) {
            memcpy(keys, d->u.dict.keys, d->u.dict.n * sizeof(pk_obj *));
            memcpy(vals, d->u.dict.vals, d->u.dict.n * sizeof(pk_obj *));
        }
        d->u.dict.keys = keys;
        d->u.dict.vals = vals;
        d->u.dict.cap = cap;
    }
    /* Duplicate keys are resolved when the dict is interpreted. */
    d->u.dict.keys[d->u.dict.n] = k;
    d->u.dict.vals[d->u.dict.n++] = v;
    return TKA_OK;
}

static tka_status make_tuple(pk_vm *vm, size_t from)
{
    pk_obj *t = new_obj(vm, PK_TUPLE);
    if (!t)
        return nomem(vm);
    size_t n = vm->sp - from;
    if (n) {
        t->u.seq.items = tka_arena_alloc(vm->arena, n * sizeof(pk_obj *), _Alignof(pk_obj *));
        if (!t->u.seq.items)
            return nomem(vm);
        memcpy(t->u.seq.items, vm->stack + from, n * sizeof(pk_obj *));
    }
    t->u.seq.n = t->u.seq.cap = n;
    vm->sp = from;
    return push(vm, t);
}

static tka_status memo_put(pk_vm *vm, uint64_t idx)
{
    pk_obj *o = NULL; /* set by top() on success; initialised for GCC -O3 */
    TKA_TRY(top(vm, &o));
    /* A numpy pickle memoises sequentially and every PUT costs at least two
     * bytes, so an index beyond the input size is not a numpy pickle; the
     * cap also bounds the memo's memory. */
    if (idx > vm->len)
        return vm_error(vm, TKA_ERR_LIMIT, "%s", "memo index beyond the pickle size");
    if (idx >= vm->memo_cap) {
        size_t cap = vm->memo_cap ? vm->memo_cap : 256;
        while (cap <= idx)
            cap *= 2;
        pk_obj **m = tka_arena_calloc(vm->arena, cap, sizeof(pk_obj *));
        if (!m)
            return nomem(vm);
        if (vm->memo_cap)
            memcpy(m, vm->memo, vm->memo_cap * sizeof(pk_obj *));
        vm->memo = m;
        vm->memo_cap = cap;
    }
    if (!vm->memo[idx])
        vm->memo_count++;
    vm->memo[idx] = o;
    return TKA_OK;
}

static tka_status memo_get(pk_vm *vm, uint64_t idx)
{
    if (idx >= vm->memo_cap || !vm->memo[idx]) {
        char n[32];
        snprintf(n, sizeof n, "%llu", (unsigned long long)idx);
        return vm_error(vm, TKA_ERR_FORMAT, "memo key %s was never stored", n);
    }
    return push(vm, vm->memo[idx]);
}

static void printable(char *out, size_t cap, const unsigned char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 5 < cap; i++) {
        if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\'')
            out[o++] = (char)s[i];
        else
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", s[i]);
    }
    out[o < cap ? o : cap - 1] = '\0';
}

static tka_status resolve_global(pk_vm *vm, const unsigned char *m, size_t mlen,
                                 const unsigned char *n, size_t nlen)
{
#define IS(s, lit) (s##len == sizeof(lit) - 1 && memcmp(s, lit, sizeof(lit) - 1) == 0)
    int g = -1;
    if ((IS(m, "numpy.core.multiarray") || IS(m, "numpy._core.multiarray")) &&
        IS(n, "_reconstruct"))
        g = PK_G_RECONSTRUCT;
    else if (IS(m, "numpy") && IS(n, "ndarray"))
        g = PK_G_NDARRAY;
    else if (IS(m, "numpy") && IS(n, "dtype"))
        g = PK_G_DTYPE;
    else if (IS(m, "_codecs") && IS(n, "encode"))
        g = PK_G_ENCODE;
    else if ((IS(m, "__builtin__") || IS(m, "builtins")) && IS(n, "bytes"))
        g = PK_G_BYTES;
#undef IS
    if (g < 0) {
        char a[160], b[160];
        printable(a, sizeof a, m, mlen > 100 ? 100 : mlen);
        printable(b, sizeof b, n, nlen > 100 ? 100 : nlen);
        unsigned char op = vm->buf[vm->op_pos];
        return tka_error_set(vm->err, TKA_ERR_UNSUPPORTED,
                             "%s: byte %zu: pickle opcode 0x%02x %s '%s %s' is not allowed (only "
                             "numpy's array reconstruction globals are; nothing is executed)",
                             vm->name, vm->base + vm->op_pos, op, opcode_name(op), a, b);
    }
    pk_obj *o = new_obj(vm, PK_GLOBAL);
    if (o)
        o->u.global = (pk_global)g;
    return push(vm, o);
}

static tka_status text_obj(pk_vm *vm, pk_kind kind, size_t n)
{
    TKA_TRY(need(vm, n));
    const unsigned char *p = vm->buf + vm->pos;
    if (kind == PK_STR) {
        size_t bad;
        if (!tka_utf8_valid((const char *)p, n, &bad)) {
            char at[32];
            snprintf(at, sizeof at, "%zu", vm->base + vm->pos + bad);
            return vm_error(vm, TKA_ERR_UTF8, "string is not valid UTF-8 at byte %s", at);
        }
    }
    pk_obj *o = new_obj(vm, kind);
    if (!o)
        return nomem(vm);
    o->u.s.p = (const char *)p;
    o->u.s.n = n;
    vm->pos += n;
    return push(vm, o);
}

/* protocol 2 pickles bytes as _codecs.encode(text, 'latin1'): one byte per
 * code point. */
static tka_status latin1_bytes(pk_vm *vm, pk_obj *args, pk_obj **out)
{
    if (args->u.seq.n != 2 || args->u.seq.items[0]->kind != PK_STR ||
        args->u.seq.items[1]->kind != PK_STR)
        return vm_error(vm, TKA_ERR_UNSUPPORTED, "%s", "_codecs.encode expects (text, 'latin1')");
    pk_obj *enc = args->u.seq.items[1];
    if (!((enc->u.s.n == 6 && memcmp(enc->u.s.p, "latin1", 6) == 0) ||
          (enc->u.s.n == 7 && memcmp(enc->u.s.p, "latin-1", 7) == 0)))
        return vm_error(vm, TKA_ERR_UNSUPPORTED, "%s",
                        "_codecs.encode with an encoding other than latin1");
    const unsigned char *s = (const unsigned char *)args->u.seq.items[0]->u.s.p;
    size_t n = args->u.seq.items[0]->u.s.n;
    unsigned char *b = tka_arena_alloc(vm->arena, n ? n : 1, 1);
    pk_obj *o = new_obj(vm, PK_BYTES);
    if (!b || !o)
        return nomem(vm);
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] < 0x80) {
            b[k++] = s[i++];
        } else if ((s[i] & 0xe0) == 0xc0 && s[i] <= 0xc3 && i + 1 < n) {
            b[k++] = (unsigned char)(((s[i] & 0x03) << 6) | (s[i + 1] & 0x3f));
            i += 2;
        } else {
            return vm_error(vm, TKA_ERR_FORMAT, "%s",
                            "latin1 text holds a code point above U+00FF");
        }
    }
    o->u.s.p = (const char *)b;
    o->u.s.n = k;
    *out = o;
    return TKA_OK;
}

static tka_status do_reduce(pk_vm *vm)
{
    pk_obj *args = NULL, *fn = NULL;
    TKA_TRY(pop(vm, &args));
    TKA_TRY(pop(vm, &fn));
    if (fn->kind != PK_GLOBAL)
        return vm_error(vm, TKA_ERR_UNSUPPORTED, "%s", "the callable is not an allowed global");
    if (args->kind != PK_TUPLE)
        return vm_error(vm, TKA_ERR_FORMAT, "%s", "the arguments are not a tuple");
    pk_obj *o = NULL;
    switch (fn->u.global) {
    case PK_G_RECONSTRUCT:
        if (args->u.seq.n != 3 || args->u.seq.items[0]->kind != PK_GLOBAL ||
            args->u.seq.items[0]->u.global != PK_G_NDARRAY)
            return vm_error(vm, TKA_ERR_UNSUPPORTED, "%s",
                            "_reconstruct expects (numpy.ndarray, shape, typecode)");
        o = new_obj(vm, PK_ARRAY);
        break;
    case PK_G_DTYPE:
        if (args->u.seq.n < 1 || args->u.seq.n > 3 || args->u.seq.items[0]->kind != PK_STR)
            return vm_error(vm, TKA_ERR_UNSUPPORTED, "%s",
                            "numpy.dtype expects (typestr, align, copy)");
        o = new_obj(vm, PK_DTYPE);
        break;
    case PK_G_ENCODE: TKA_TRY(latin1_bytes(vm, args, &o)); break;
    case PK_G_BYTES:
        if (args->u.seq.n != 0)
            return vm_error(vm, TKA_ERR_UNSUPPORTED, "%s", "bytes(...) with arguments");
        o = new_obj(vm, PK_BYTES);
        if (o)
            o->u.s.p = "";
        break;
    case PK_G_NDARRAY:
        return vm_error(vm, TKA_ERR_UNSUPPORTED, "%s", "calling numpy.ndarray is not allowed");
    }
    if (!o)
        return nomem(vm);
    if (o->kind == PK_ARRAY || o->kind == PK_DTYPE)
        o->u.red.args = args;
    return push(vm, o);
}

static tka_status do_build(pk_vm *vm)
{
    pk_obj *state = NULL, *obj = NULL;
    TKA_TRY(pop(vm, &state));
    TKA_TRY(top(vm, &obj));
    if (obj->kind != PK_ARRAY && obj->kind != PK_DTYPE)
        return vm_error(vm, TKA_ERR_UNSUPPORTED, "%s",
                        "BUILD applies only to arrays and dtypes here");
    if (obj->u.red.state)
        return vm_error(vm, TKA_ERR_UNSUPPORTED, "%s", "the object's state is set twice");
    obj->u.red.state = state;
    return TKA_OK;
}

static tka_status step(pk_vm *vm, bool *stop)
{
    vm->op_pos = vm->pos;
    unsigned char op = vm->buf[vm->pos++];
    tka_status st = TKA_OK;
    pk_obj *o = NULL, *v = NULL, *k = NULL;
    size_t from = 0, n;
    switch (op) {
    case 0x80: /* PROTO */
        TKA_TRY(need(vm, 1));
        if (vm->buf[vm->pos] < 2 || vm->buf[vm->pos] > 5)
            return vm_error(vm, TKA_ERR_UNSUPPORTED, "%s", "protocol must be 2..5");
        vm->pos++;
        return TKA_OK;
    case 0x95: /* FRAME: framing is transparent to the reader */
        TKA_TRY(need(vm, 8));
        vm->pos += 8;
        return TKA_OK;
    case 'c': { /* GLOBAL module\nname\n */
        const unsigned char *m = vm->buf + vm->pos;
        const unsigned char *e1 = memchr(m, '\n', vm->len - vm->pos);
        if (!e1)
            return vm_error(vm, TKA_ERR_FORMAT, "%s", "truncated: no newline after the module");
        const unsigned char *nm = e1 + 1;
        const unsigned char *e2 = memchr(nm, '\n', (size_t)(vm->buf + vm->len - nm));
        if (!e2)
            return vm_error(vm, TKA_ERR_FORMAT, "%s", "truncated: no newline after the name");
        vm->pos = (size_t)(e2 + 1 - vm->buf);
        return resolve_global(vm, m, (size_t)(e1 - m), nm, (size_t)(e2 - nm));
    }
    case 0x93: /* STACK_GLOBAL */
        if ((st = pop(vm, &v)) != TKA_OK || (st = pop(vm, &k)) != TKA_OK)
            return st;
        if (k->kind != PK_STR || v->kind != PK_STR)
            return vm_error(vm, TKA_ERR_FORMAT, "%s", "module and name must be strings");
        return resolve_global(vm, (const unsigned char *)k->u.s.p, k->u.s.n,
                              (const unsigned char *)v->u.s.p, v->u.s.n);
    case 'q': TKA_TRY(need(vm, 1)); return memo_put(vm, read_le(vm, 1));
    case 'r': TKA_TRY(need(vm, 4)); return memo_put(vm, read_le(vm, 4));
    case 0x94: return memo_put(vm, vm->memo_count);
    case 'h': TKA_TRY(need(vm, 1)); return memo_get(vm, read_le(vm, 1));
    case 'j': TKA_TRY(need(vm, 4)); return memo_get(vm, read_le(vm, 4));
    case '(':
        if (vm->nmarks == PK_MAX_MARKS)
            return vm_error(vm, TKA_ERR_LIMIT, "%s", "MARKs nested deeper than 64");
        vm->marks[vm->nmarks++] = vm->sp;
        return TKA_OK;
    case 't': TKA_TRY(pop_mark(vm, &from)); return make_tuple(vm, from);
    case ')': return push(vm, vm->empty_tuple);
    case 0x85:
    case 0x86:
    case 0x87:
        n = (size_t)(op - 0x84);
        if (vm->sp - floor_sp(vm) < n)
            return vm_error(vm, TKA_ERR_FORMAT, "%s", "stack underflow");
        return make_tuple(vm, vm->sp - n);
    case ']': return push(vm, new_obj(vm, PK_LIST));
    case 'a':
        if ((st = pop(vm, &v)) != TKA_OK || (st = top(vm, &o)) != TKA_OK)
            return st;
        if (o->kind != PK_LIST)
            return vm_error(vm, TKA_ERR_FORMAT, "%s", "the target is not a list");
        return seq_append(vm, o, v);
    case 'e':
        TKA_TRY(pop_mark(vm, &from));
        if (from <= floor_sp(vm) || vm->stack[from - 1]->kind != PK_LIST)
            return vm_error(vm, TKA_ERR_FORMAT, "%s", "the target is not a list");
        for (size_t i = from; i < vm->sp && st == TKA_OK; i++)
            st = seq_append(vm, vm->stack[from - 1], vm->stack[i]);
        vm->sp = from;
        return st;
    case '}': return push(vm, new_obj(vm, PK_DICT));
    case 's':
        if ((st = pop(vm, &v)) != TKA_OK || (st = pop(vm, &k)) != TKA_OK ||
            (st = top(vm, &o)) != TKA_OK)
            return st;
        return dict_set(vm, o, k, v);
    case 'u':
        TKA_TRY(pop_mark(vm, &from));
        if (from <= floor_sp(vm))
            return vm_error(vm, TKA_ERR_FORMAT, "%s", "no dict below the MARK");
        if ((vm->sp - from) % 2)
            return vm_error(vm, TKA_ERR_FORMAT, "%s", "odd number of items for SETITEMS");
        for (size_t i = from; i < vm->sp && st == TKA_OK; i += 2)
            st = dict_set(vm, vm->stack[from - 1], vm->stack[i], vm->stack[i + 1]);
        vm->sp = from;
        return st;
    case 'K':
    case 'M':
    case 'J':
        n = op == 'K' ? 1 : op == 'M' ? 2 : 4;
        TKA_TRY(need(vm, n));
        o = new_obj(vm, PK_INT);
        if (!o)
            return nomem(vm);
        o->u.i = op == 'J' ? (int64_t)(int32_t)(uint32_t)read_le(vm, 4) : (int64_t)read_le(vm, n);
        return push(vm, o);
    case 0x8a: /* LONG1 */
        TKA_TRY(need(vm, 1));
        n = vm->buf[vm->pos++];
        TKA_TRY(need(vm, n));
        if (n > 8)
            return vm_error(vm, TKA_ERR_UNSUPPORTED, "%s", "integer wider than 64 bits");
        o = new_obj(vm, PK_INT);
        if (!o)
            return nomem(vm);
        {
            uint64_t u = read_le(vm, n);
            if (n && n < 8 && (u >> (8 * n - 1)) & 1)
                u |= ~(uint64_t)0 << (8 * n); /* sign-extend two's complement */
            o->u.i = (int64_t)u;
        }
        return push(vm, o);
    case 'N': return push(vm, vm->none);
    case 0x88: return push(vm, vm->t);
    case 0x89: return push(vm, vm->f);
    case 'X':
    case 'B':
        TKA_TRY(need(vm, 4));
        return text_obj(vm, op == 'X' ? PK_STR : PK_BYTES, (size_t)read_le(vm, 4));
    case 0x8d:
    case 0x8e:
        TKA_TRY(need(vm, 8));
        {
            uint64_t len = read_le(vm, 8);
            if (len > vm->len)
                return vm_error(vm, TKA_ERR_FORMAT, "truncated: %s",
                                "the argument runs past the end");
            return text_obj(vm, op == 0x8d ? PK_STR : PK_BYTES, (size_t)len);
        }
    case 0x8c:
    case 'C':
        TKA_TRY(need(vm, 1));
        return text_obj(vm, op == 0x8c ? PK_STR : PK_BYTES, (size_t)read_le(vm, 1));
    case 'R': return do_reduce(vm);
    case 'b': return do_build(vm);
    case '.': *stop = true; return TKA_OK;
    case 'S':
    case 'T':
    case 'U':
        return vm_error(vm, TKA_ERR_UNSUPPORTED, "%s",
                        "Python 2 str objects are not supported (re-save the file with Python 3)");
    default:
        return vm_error(vm, TKA_ERR_UNSUPPORTED, "%s",
                        "not used by numpy for numeric arrays, refused");
    }
}

tka_status pk_load(const unsigned char *buf, size_t len, size_t base, const char *name,
                   tka_arena *arena, pk_obj **out, size_t *end, tka_error *err)
{
    pk_vm vm = {.buf = buf, .len = len, .base = base, .name = name, .arena = arena, .err = err};
    vm.none = new_obj(&vm, PK_NONE);
    vm.t = new_obj(&vm, PK_BOOL);
    vm.f = new_obj(&vm, PK_BOOL);
    vm.empty_tuple = new_obj(&vm, PK_TUPLE);
    if (!vm.none || !vm.t || !vm.f || !vm.empty_tuple)
        return nomem(&vm);
    vm.t->u.b = true;
    bool stop = false;
    while (!stop) {
        if (vm.pos >= len)
            return tka_error_set(err, TKA_ERR_FORMAT,
                                 "%s: byte %zu: truncated pickle (no STOP opcode)", name,
                                 base + len);
        TKA_TRY(step(&vm, &stop));
    }
    if (vm.nmarks)
        return vm_error(&vm, TKA_ERR_FORMAT, "%s", "a MARK is still open at STOP");
    if (vm.sp != 1)
        return vm_error(&vm, TKA_ERR_FORMAT, "%s", "the stack must hold exactly one value at STOP");
    *out = vm.stack[0];
    *end = vm.pos;
    return TKA_OK;
}
