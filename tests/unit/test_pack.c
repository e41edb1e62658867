/* The one packer of an encoding's fields (pipeline/pack.h), used by the
 * encode pool and the row store: present fields are copied in field order,
 * and a field the encoding lacks gets HF's value for it (attention_mask: 1,
 * token_type_ids and special_tokens_mask: 0). */
#include <criterion/criterion.h>
#include <string.h>

#include "pipeline/pack.h"
#include "pipeline/row_store.h"

static const int32_t ids[3] = {101, 2204, 102};
static const int32_t types[3] = {0, 0, 0};

Test(pack, missing_fields_follow_hf)
{
    bool present[TKA_FIELD_SEQ_COUNT] = {true, true, true, true};
    const int32_t *src[TKA_FIELD_SEQ_COUNT] = {ids, NULL, NULL, NULL};
    int32_t out[12];
    memset(out, 0x55, sizeof out);
    cr_assert_eq(pack_fields(out, present, src, 3), 12);
    const int32_t want[12] = {101,
                              2204,
                              102,
                              /* token_type_ids */ 0,
                              0,
                              0,
                              /* special_tokens_mask */ 0,
                              0,
                              0,
                              /* attention_mask */ 1,
                              1,
                              1};
    for (int i = 0; i < 12; i++)
        cr_expect_eq(out[i], want[i], "value %d: %d, want %d", i, out[i], want[i]);
}

Test(pack, absent_fields_take_no_room)
{
    bool present[TKA_FIELD_SEQ_COUNT] = {true, false, false, true};
    const int32_t *src[TKA_FIELD_SEQ_COUNT] = {ids, types, NULL, NULL};
    int32_t out[6];
    cr_assert_eq(pack_fields(out, present, src, 3), 6);
    const int32_t want[6] = {101, 2204, 102, 1, 1, 1};
    for (int i = 0; i < 6; i++)
        cr_expect_eq(out[i], want[i], "value %d: %d, want %d", i, out[i], want[i]);
    cr_expect_eq(pack_fields(out, present, src, 0), 0);
}

/* The row store packs as the encode pool does (it once filled ones for
 * every missing field, so a missing token_type_ids came out as 1s). */
Test(pack, row_store_fills_like_the_pool)
{
    bool present[TKA_FIELD_SEQ_COUNT] = {true, true, true, true};
    uint64_t rows[1] = {7};
    row_store store;
    tka_error err;
    cr_assert_eq(row_store_init(&store, rows, 1, present, &err), TKA_OK);
    row_store_entry *e = row_store_want(&store, 7, NULL);
    cr_assert_not_null(e);
    const int32_t *src[TKA_FIELD_SEQ_COUNT] = {ids, NULL, NULL, NULL};
    cr_assert_eq(row_store_put(&store, e, 3, src, &err), TKA_OK);
    const row_store_entry *got = row_store_find(&store, 7);
    cr_assert_not_null(got);
    for (int f = 0; f < TKA_FIELD_SEQ_COUNT; f++) {
        const int32_t *v = row_store_field(&store, got, (tka_seq_field)f);
        for (int i = 0; i < 3; i++)
            cr_expect_eq(v[i], f == TKA_FIELD_INPUT_IDS ? ids[i] : f == TKA_FIELD_ATTENTION_MASK,
                         "%s[%d] = %d", tka_seq_field_name((tka_seq_field)f), i, v[i]);
    }
    row_store_free(&store);
}
