/* libFuzzer target: the TSV reader in both modes (records, then typed rows and every cell) on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tokalign/dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads every byte handed out so ASan sees any out-of-bounds pointer. */
static unsigned touch(const char *p, size_t n)
{
    unsigned h = 0;
    for (size_t i = 0; i < n; i++)
        h = h * 31 + (unsigned char)p[i];
    return h;
}

static volatile unsigned sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int mode = 0; mode < 2; mode++) {
        for (int replace = 0; replace < 2; replace++) {
            tka_tsv_options o = {.mode = mode ? TKA_TSV_GLUE : TKA_TSV_PANDAS,
                                 .utf8_errors = replace ? TKA_UTF8_REPLACE : TKA_UTF8_STRICT};
            tka_tsv_reader *r;
            if (tka_tsv_open_memory("fuzz", data, size, &o, &r, NULL) != TKA_OK)
                return 0;
            tka_tsv_record rec;
            tka_error err;
            tka_status st;
            while ((st = tka_tsv_next(r, &rec, &err)) == TKA_OK)
                for (size_t i = 0; i < rec.num_fields; i++)
                    sink += touch(rec.fields[i].data, rec.fields[i].len);
            if (st != TKA_ERR_NOT_FOUND)
                sink += touch(err.message, strlen(err.message));
            tka_tsv_free(r);

            tka_dataset_options d;
            tka_dataset_options_init(&d);
            d.tsv = o;
            d.text_field = "#0";
            d.label_field = mode ? NULL : "#1";
            d.chunking = replace ? TKA_CHUNKS_ROWS : TKA_CHUNKS_PANDAS;
            d.chunk_rows = 2; /* many inference chunks on small inputs */
            tka_dataset *ds;
            if (tka_dataset_open_memory("fuzz", data, size, &d, &ds, &err) != TKA_OK) {
                sink += touch(err.message, strlen(err.message));
                continue;
            }
            sink += touch(tka_dataset_warnings(ds), strlen(tka_dataset_warnings(ds)));
            tka_row row;
            while (tka_dataset_next(ds, &row, &err) == TKA_OK) {
                sink += touch(row.text.text, row.text.len);
                int64_t label;
                if (row.has_label && tka_value_to_int64(&row.label, "fuzz", &label, &err) == TKA_OK)
                    sink += (unsigned)label;
                for (size_t c = 0; c < tka_dataset_num_columns(ds); c++) {
                    tka_value v;
                    if (tka_dataset_cell(ds, c, false, &v, NULL) == TKA_OK)
                        sink += touch(v.text, v.len);
                }
                for (size_t c = 0; c < tka_dataset_index_columns(ds); c++) {
                    tka_value v;
                    if (tka_dataset_cell(ds, c, true, &v, NULL) == TKA_OK)
                        sink += touch(v.text, v.len);
                }
            }
            tka_dataset_free(ds);
        }
    }
    return 0;
}
