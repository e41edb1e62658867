/* .npz archives: numpy.savez's stored ZIP (Python zipfile bytes, reproduced
 * field by field) and a bounds-checked reader of stored ZIP members. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump/dump_internal.h"

uint32_t dump_crc32(uint32_t crc, const void *data, size_t len)
{
    static uint32_t table[256];
    static bool ready;
    if (!ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        ready = true;
    }
    const unsigned char *p = data;
    crc = ~crc;
    for (size_t i = 0; i < len; i++)
        crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static void le16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t rd16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t rd32(const unsigned char *p)
{
    return rd16(p) | rd16(p + 2) << 16;
}

/* COMPAT: Python's zipfile as used by numpy.savez (ZipFile(mode="w",
 * ZIP_STORED, allowZip64=True), zipf.open(KEY + ".npy", "w",
 * force_zip64=True)): date 1980-01-01 00:00, version 20, a zip64 extra
 * field with the sizes in the local header only, external attributes 0o600,
 * flag 0x800 for non-ASCII names. */
#define ZIP_DATE_1980 0x0021u
#define ZIP_EXTERNAL_ATTR 0x01800000u

typedef struct member {
    size_t offset, name_len;
    uint32_t crc, size;
    const char *name;
    unsigned flags;
} member;

tka_status tka_npz_encode(const tka_dict *dict, tka_buf *out, tka_error *err)
{
    size_t n = tka_dict_size(dict);
    if (n > 0xffff)
        return tka_error_set(err, TKA_ERR_LIMIT,
                             "npz with more than 65535 members needs zip64 "
                             "records, which are not written");
    member *m = calloc(n ? n : 1, sizeof *m);
    tka_buf npy = {0}, name = {0};
    if (!m)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory writing an npz");
    size_t base = out->len;
    tka_status st = TKA_OK;
    for (size_t i = 0; i < n && st == TKA_OK; i++) {
        const char *key = tka_dict_key(dict, i);
        npy.len = 0;
        st = tka_npy_encode_array(tka_dict_at(dict, i), &npy, err);
        if (st != TKA_OK)
            break;
        size_t offset = out->len - base;
        if (npy.len > 0xffffffffu || offset > 0xffffffffu) {
            st = tka_error_set(err, TKA_ERR_LIMIT,
                               "npz members or archives of 4 GiB or more "
                               "are not written");
            break;
        }
        size_t klen = strlen(key);
        bool ascii = true;
        for (size_t k = 0; k < klen; k++)
            if ((unsigned char)key[k] >= 0x80)
                ascii = false;
        m[i] = (member){
            offset, klen + 4,           dump_crc32(0, npy.data, npy.len), (uint32_t)npy.len,
            key,    ascii ? 0u : 0x800u};
        unsigned char h[30 + 20];
        le32(h, 0x04034b50u);
        le16(h + 4, 20);
        le16(h + 6, m[i].flags);
        le16(h + 8, 0);
        le16(h + 10, 0);
        le16(h + 12, ZIP_DATE_1980);
        le32(h + 14, m[i].crc);
        le32(h + 18, m[i].size);
        le32(h + 22, m[i].size);
        le16(h + 26, (unsigned)m[i].name_len);
        le16(h + 28, 20);
        le16(h + 30, 1); /* zip64 extra: tag 1, 16 bytes: size, compressed size */
        le16(h + 32, 16);
        le64(h + 34, m[i].size);
        le64(h + 42, m[i].size);
        st = tka_buf_append(out, h, 30);
        if (st == TKA_OK)
            st = tka_buf_append(out, key, klen);
        if (st == TKA_OK)
            st = tka_buf_append(out, ".npy", 4);
        if (st == TKA_OK)
            st = tka_buf_append(out, h + 30, 20);
        if (st == TKA_OK)
            st = tka_buf_append(out, npy.data, npy.len);
        if (st != TKA_OK)
            tka_error_set(err, st, "out of memory writing an npz");
    }
    size_t cd_start = out->len - base;
    for (size_t i = 0; i < n && st == TKA_OK; i++) {
        unsigned char c[46];
        le32(c, 0x02014b50u);
        le16(c + 4, 0x0314); /* made by: version 20, Unix */
        le16(c + 6, 20);
        le16(c + 8, m[i].flags);
        le16(c + 10, 0);
        le16(c + 12, 0);
        le16(c + 14, ZIP_DATE_1980);
        le32(c + 16, m[i].crc);
        le32(c + 20, m[i].size);
        le32(c + 24, m[i].size);
        le16(c + 28, (unsigned)m[i].name_len);
        le16(c + 30, 0);
        le16(c + 32, 0);
        le16(c + 34, 0);
        le16(c + 36, 0);
        le32(c + 38, ZIP_EXTERNAL_ATTR);
        le32(c + 42, (uint32_t)m[i].offset);
        st = tka_buf_append(out, c, 46);
        if (st == TKA_OK)
            st = tka_buf_append(out, m[i].name, m[i].name_len - 4);
        if (st == TKA_OK)
            st = tka_buf_append(out, ".npy", 4);
        if (st != TKA_OK)
            tka_error_set(err, st, "out of memory writing an npz");
    }
    size_t cd_end = out->len - base;
    if (st == TKA_OK && cd_end > 0xffffffffu)
        st = tka_error_set(err, TKA_ERR_LIMIT, "npz archives of 4 GiB or more are not written");
    if (st == TKA_OK) {
        unsigned char e[22];
        le32(e, 0x06054b50u);
        le16(e + 4, 0);
        le16(e + 6, 0);
        le16(e + 8, (unsigned)n);
        le16(e + 10, (unsigned)n);
        le32(e + 12, (uint32_t)(cd_end - cd_start));
        le32(e + 16, (uint32_t)cd_start);
        le16(e + 20, 0);
        st = tka_buf_append(out, e, 22);
        if (st != TKA_OK)
            tka_error_set(err, st, "out of memory writing an npz");
    }
    free(m);
    tka_buf_free(&npy);
    tka_buf_free(&name);
    return st;
}

/* One central directory entry, checked against its local header. */
typedef struct zentry {
    size_t cd_pos;     /* offset of the central directory entry */
    size_t header;     /* offset of the local header */
    size_t data, size; /* the stored member's bytes */
    const char *name;
    size_t name_len;
    uint32_t crc;
} zentry;

static int by_header(const void *a, const void *b)
{
    size_t x = ((const zentry *)a)->header, y = ((const zentry *)b)->header;
    return x < y ? -1 : x > y;
}

/* Checks central directory entry `i` at `p` and fills *e. */
static tka_status read_entry(const unsigned char *buf, size_t p, size_t cd_end, size_t cd_off,
                             uint32_t i, const char *name, zentry *e, size_t *next, tka_error *err)
{
    if (cd_end - p < 46 || rd32(buf + p) != 0x02014b50u)
        return tka_error_set(err, TKA_ERR_FORMAT, "%s: byte %zu: bad central directory entry %u",
                             name, p, i);
    unsigned flags = rd16(buf + p + 8), method = rd16(buf + p + 10);
    uint32_t crc = rd32(buf + p + 16), csize = rd32(buf + p + 20), usize = rd32(buf + p + 24);
    size_t nlen = rd16(buf + p + 28), xlen = rd16(buf + p + 30), clen = rd16(buf + p + 32);
    uint32_t loff = rd32(buf + p + 42);
    if (cd_end - p - 46 < nlen + xlen + clen)
        return tka_error_set(err, TKA_ERR_FORMAT,
                             "%s: byte %zu: central directory entry %u runs past its end", name, p,
                             i);
    const char *mname = (const char *)buf + p + 46;
    char shown[256];
    dump_shown(mname, nlen, shown, sizeof shown);
    if (flags & 1)
        return tka_error_set(err, TKA_ERR_UNSUPPORTED, "%s: byte %zu: member '%s': encrypted", name,
                             p, shown);
    if (method != 0)
        return tka_error_set(err, TKA_ERR_UNSUPPORTED,
                             "%s: byte %zu: member '%s': compression method %u is not supported "
                             "(only stored members, as numpy.savez writes; not savez_compressed)",
                             name, p, shown, method);
    if (csize == 0xffffffffu || usize == 0xffffffffu || loff == 0xffffffffu)
        return tka_error_set(err, TKA_ERR_UNSUPPORTED,
                             "%s: byte %zu: member '%s': zip64 sizes are not supported", name, p,
                             shown);
    if (csize != usize)
        return tka_error_set(err, TKA_ERR_FORMAT,
                             "%s: byte %zu: member '%s': stored member with different sizes", name,
                             p, shown);
    if (nlen < 4 || memcmp(mname + nlen - 4, ".npy", 4) != 0)
        return tka_error_set(err, TKA_ERR_UNSUPPORTED,
                             "%s: byte %zu: member '%s' is not a .npy array", name, p, shown);
    if ((size_t)loff > cd_off || cd_off - loff < 30 || rd32(buf + loff) != 0x04034b50u)
        return tka_error_set(err, TKA_ERR_FORMAT, "%s: byte %u: member '%s': bad local header",
                             name, loff, shown);
    size_t lnlen = rd16(buf + loff + 26), lxlen = rd16(buf + loff + 28);
    /* COMPAT: Python's zipfile refuses a local header whose name differs
     * from the directory's ("File name in directory ... and header ...
     * differ"): that is how entries of a crafted directory that all point
     * at one member are caught. */
    if (cd_off - loff - 30 < lnlen || lnlen != nlen || memcmp(buf + loff + 30, mname, nlen) != 0) {
        char lshown[256];
        dump_shown(buf + loff + 30, cd_off - loff - 30 < lnlen ? cd_off - loff - 30 : lnlen, lshown,
                   sizeof lshown);
        return tka_error_set(err, TKA_ERR_FORMAT,
                             "%s: byte %u: member '%s': the local header names '%s' (file name "
                             "in directory and header differ)",
                             name, loff, shown, lshown);
    }
    size_t data = (size_t)loff + 30 + lnlen + lxlen;
    if (data > cd_off || cd_off - data < usize)
        return tka_error_set(err, TKA_ERR_FORMAT,
                             "%s: byte %u: member '%s': data runs past the central directory", name,
                             loff, shown);
    *e = (zentry){p, loff, data, usize, mname, nlen, crc};
    *next = p + 46 + nlen + xlen + clen;
    return TKA_OK;
}

tka_status dump_npz_read(const unsigned char *buf, size_t len, const char *name, tka_dict *dict,
                         tka_error *err)
{
    /* The end-of-central-directory record: 22 bytes plus a comment of at
     * most 65535 bytes at the end of the file. */
    if (len < 22)
        return tka_error_set(err, TKA_ERR_FORMAT, "%s: byte %zu: truncated ZIP (no end record)",
                             name, len);
    size_t eocd = SIZE_MAX;
    size_t lowest = len > 22 + 0xffff ? len - 22 - 0xffff : 0;
    for (size_t p = len - 22 + 1; p-- > lowest;)
        if (rd32(buf + p) == 0x06054b50u && p + 22 + rd16(buf + p + 20) == len) {
            eocd = p;
            break;
        }
    if (eocd == SIZE_MAX)
        return tka_error_set(err, TKA_ERR_FORMAT,
                             "%s: byte %zu: no ZIP end-of-central-directory record", name, len);
    uint32_t entries = rd16(buf + eocd + 10), cd_size = rd32(buf + eocd + 12),
             cd_off = rd32(buf + eocd + 16);
    if (entries == 0xffff || cd_off == 0xffffffffu || cd_size == 0xffffffffu)
        return tka_error_set(err, TKA_ERR_UNSUPPORTED,
                             "%s: byte %zu: zip64 archives are not supported", name, eocd);
    if (rd16(buf + eocd + 4) != 0 || rd16(buf + eocd + 6) != 0 || rd16(buf + eocd + 8) != entries)
        return tka_error_set(err, TKA_ERR_UNSUPPORTED,
                             "%s: byte %zu: multi-disk ZIP archives are "
                             "not supported",
                             name, eocd);
    if ((uint64_t)cd_off + cd_size > eocd)
        return tka_error_set(
            err, TKA_ERR_FORMAT,
            "%s: byte %zu: central directory (%u bytes at %u) overlaps the end record", name, eocd,
            cd_size, cd_off);
    if (entries == 0)
        return TKA_OK;
    /* Every entry is checked, and the members checked not to overlap,
     * before any is read: a directory of many entries pointing at one
     * member would otherwise be read (and copied) once per entry. */
    zentry *e = malloc(entries * sizeof *e), *sorted = malloc(entries * sizeof *e);
    if (!e || !sorted) {
        free(e);
        free(sorted);
        return tka_error_set(err, TKA_ERR_NOMEM, "%s: out of memory", name);
    }
    tka_status st = TKA_OK;
    size_t p = cd_off, cd_end = (size_t)cd_off + cd_size;
    for (uint32_t i = 0; i < entries && st == TKA_OK; i++)
        st = read_entry(buf, p, cd_end, cd_off, i, name, &e[i], &p, err);
    if (st == TKA_OK) {
        /* COMPAT: Python's zipfile (3.12+) refuses a member whose data runs
         * into the next local header ("Overlapped entries ... (possible zip
         * bomb)"). Stored members that do not overlap hold together at most
         * the file's size, so what an archive expands to is bounded by the
         * file itself. */
        memcpy(sorted, e, entries * sizeof *e);
        qsort(sorted, entries, sizeof *sorted, by_header);
        size_t total = 0;
        for (uint32_t i = 0; i + 1 < entries && st == TKA_OK; i++)
            if (sorted[i].data + sorted[i].size > sorted[i + 1].header) {
                char shown[256], before[256];
                dump_shown(sorted[i + 1].name, sorted[i + 1].name_len, shown, sizeof shown);
                dump_shown(sorted[i].name, sorted[i].name_len, before, sizeof before);
                st = tka_error_set(err, TKA_ERR_FORMAT,
                                   "%s: byte %zu: member '%s' overlaps member '%s' (overlapped "
                                   "ZIP entries, a possible zip bomb)",
                                   name, sorted[i + 1].header, shown, before);
            }
        for (uint32_t i = 0; i < entries; i++)
            total += sorted[i].size;
        if (st == TKA_OK &&
            total > len) /* cannot happen after the overlap check; kept as the bound */
            st = tka_error_set(err, TKA_ERR_FORMAT,
                               "%s: members declare %zu bytes, more than the "
                               "%zu-byte file",
                               name, total, len);
    }
    for (uint32_t i = 0; i < entries && st == TKA_OK; i++) {
        char shown[256], member_name[600];
        dump_shown(e[i].name, e[i].name_len, shown, sizeof shown);
        if (dump_crc32(0, buf + e[i].data, e[i].size) != e[i].crc) {
            st = tka_error_set(err, TKA_ERR_FORMAT, "%s: byte %zu: member '%s': CRC-32 mismatch",
                               name, e[i].data, shown);
            break;
        }
        snprintf(member_name, sizeof member_name, "%s: member '%s'", name, shown);
        npy_header h;
        st = dump_npy_parse_header(buf + e[i].data, e[i].size, member_name, &h, err);
        if (st == TKA_OK && (strcmp(h.descr, "|O") == 0 || strcmp(h.descr, "O") == 0))
            st = tka_error_set(err, TKA_ERR_UNSUPPORTED, "%s: object arrays are not supported",
                               member_name);
        if (st == TKA_OK)
            st = dump_npy_read_array(buf + e[i].data, e[i].size, member_name, dict, e[i].name,
                                     e[i].name_len - 4, err);
    }
    free(e);
    free(sorted);
    return st;
}
