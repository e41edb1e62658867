/* Unit tests of the collators against the examples of shared/docs/specs/collate.md. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "tokalign/collate.h"

static const int32_t a4[] = {1, 2, 3, 4}, a3[] = {5, 6, 7}, a2[] = {8, 9};
static const int32_t t4[] = {0, 0, 1, 1}, t3[] = {0, 0, 1}, t2[] = {0, 1};
static const int32_t *const ids3[] = {a4, a3, a2};
static const int32_t *const types3[] = {t4, t3, t2};
static const size_t lens3[] = {4, 3, 2};
static const int64_t labels3[] = {1, 0, 1};

static tka_batch_items three_items(void)
{
    tka_batch_items it;
    memset(&it, 0, sizeof it);
    it.count = 3;
    it.lengths = lens3;
    it.fields[TKA_FIELD_INPUT_IDS] = ids3;
    it.fields[TKA_FIELD_TOKEN_TYPE_IDS] = types3;
    it.label_kind = TKA_LABEL_INT;
    it.label_int = labels3;
    return it;
}

static void expect_row(const tka_batch_array *a, size_t row, const int64_t *want, size_t n)
{
    cr_assert_eq(a->cols, n);
    for (size_t j = 0; j < n; j++)
        cr_assert_eq(((int64_t *)a->data)[row * a->cols + j], want[j], "%s[%zu][%zu]", a->name, row,
                     j);
}

Test(collate, paddle_pad_right_and_left)
{
    tka_arena *arena = tka_arena_new(0);
    tka_batch_items it = three_items();
    tka_collate_options o;
    tka_collate_options_init(&o, TKA_FLAVOR_PADDLE);
    tka_batch b;
    cr_assert_eq(tka_collate(&it, &o, arena, &b, NULL), TKA_OK);
    cr_assert_eq(b.count, 3);
    cr_assert_str_eq(b.arrays[0].name, "input_ids");
    cr_assert_str_eq(b.arrays[1].name, "token_type_ids");
    cr_assert_str_eq(b.arrays[2].name, "labels");
    expect_row(&b.arrays[0], 0, (int64_t[]){1, 2, 3, 4}, 4);
    expect_row(&b.arrays[0], 1, (int64_t[]){5, 6, 7, 0}, 4);
    expect_row(&b.arrays[0], 2, (int64_t[]){8, 9, 0, 0}, 4);
    cr_assert_eq(b.arrays[2].rows, 3);
    cr_assert_eq(b.arrays[2].cols, 1);
    cr_assert_eq(((int64_t *)b.arrays[2].data)[1], 0);
    o.padding_side = TKA_PAD_LEFT;
    cr_assert_eq(tka_collate(&it, &o, arena, &b, NULL), TKA_OK);
    expect_row(&b.arrays[0], 1, (int64_t[]){0, 5, 6, 7}, 4);
    expect_row(&b.arrays[0], 2, (int64_t[]){0, 0, 8, 9}, 4);
    expect_row(&b.arrays[1], 2, (int64_t[]){0, 0, 0, 1}, 4);
    tka_arena_free(arena);
}

Test(collate, hf_longest_adds_attention_mask_last)
{
    tka_arena *arena = tka_arena_new(0);
    tka_batch_items it = three_items();
    tka_collate_options o;
    tka_collate_options_init(&o, TKA_FLAVOR_TORCH);
    o.pad_token_id = 0;
    tka_batch b;
    cr_assert_eq(tka_collate(&it, &o, arena, &b, NULL), TKA_OK);
    cr_assert_eq(b.count, 4);
    cr_assert_str_eq(b.arrays[2].name, "labels");
    cr_assert_str_eq(b.arrays[3].name, "attention_mask");
    expect_row(&b.arrays[3], 0, (int64_t[]){1, 1, 1, 1}, 4);
    expect_row(&b.arrays[3], 2, (int64_t[]){1, 1, 0, 0}, 4);
    expect_row(&b.arrays[1], 2, (int64_t[]){0, 1, 0, 0}, 4);
    tka_arena_free(arena);
}

Test(collate, hf_left_padding_and_multiple_of)
{
    tka_arena *arena = tka_arena_new(0);
    tka_batch_items it = three_items();
    tka_collate_options o;
    tka_collate_options_init(&o, TKA_FLAVOR_TORCH);
    o.padding_side = TKA_PAD_LEFT;
    o.pad_to_multiple_of = 3; /* longest 4 -> 6 */
    o.pad_token_id = 7;
    o.pad_token_type_id = 5;
    tka_batch b;
    cr_assert_eq(tka_collate(&it, &o, arena, &b, NULL), TKA_OK);
    expect_row(&b.arrays[0], 0, (int64_t[]){7, 7, 1, 2, 3, 4}, 6);
    expect_row(&b.arrays[1], 2, (int64_t[]){5, 5, 5, 5, 0, 1}, 6);
    expect_row(&b.arrays[3], 1, (int64_t[]){0, 0, 0, 1, 1, 1}, 6);
    tka_arena_free(arena);
}

Test(collate, hf_refuses_without_pad_token_even_for_one_item)
{
    tka_arena *arena = tka_arena_new(0);
    tka_batch_items it = three_items();
    it.count = 1;
    tka_collate_options o;
    tka_collate_options_init(&o, TKA_FLAVOR_TORCH);
    o.pad_token_id = -1;
    tka_batch b;
    tka_error err;
    cr_assert_eq(tka_collate(&it, &o, arena, &b, &err), TKA_ERR_REFERENCE);
    /* the exact text of reformer_collator_refusal.json */
    cr_assert_str_eq(
        err.message,
        "Asking to pad but the tokenizer does not have a padding token. Please select a "
        "token to use as `pad_token` `(tokenizer.pad_token = tokenizer.eos_token e.g.)` "
        "or add a new pad token via `tokenizer.add_special_tokens({'pad_token': '[PAD]'})`.");
    /* known by its code (the CLI's remedy, the Python package's own check), not its text */
    cr_assert_eq(err.ref, TKA_REF_NO_PAD_TOKEN);
    cr_assert_str_eq(tka_ref_message(err.ref), err.message);
    /* padding=False: equal lengths pass, ragged ones fail at tensor conversion */
    o.strategy = TKA_PAD_NONE;
    cr_assert_eq(tka_collate(&it, &o, arena, &b, &err), TKA_OK);
    it.count = 3;
    cr_assert_eq(tka_collate(&it, &o, arena, &b, &err), TKA_ERR_REFERENCE);
    cr_assert(strstr(err.message, "Unable to create tensor") == err.message);
    cr_assert_eq(err.ref, TKA_REF_NONE); /* another reference error: no code of its own */
    tka_arena_free(arena);
}

Test(collate, hf_max_length_never_truncates)
{
    tka_arena *arena = tka_arena_new(0);
    tka_batch_items it = three_items();
    tka_collate_options o;
    tka_collate_options_init(&o, TKA_FLAVOR_TORCH);
    o.strategy = TKA_PAD_MAX_LENGTH;
    o.max_length = 5;
    tka_batch b;
    tka_error err;
    cr_assert_eq(tka_collate(&it, &o, arena, &b, &err), TKA_OK);
    cr_assert_eq(b.arrays[0].cols, 5);
    o.max_length = 3; /* the 4-token item stays 4 long: ragged */
    cr_assert_eq(tka_collate(&it, &o, arena, &b, &err), TKA_ERR_REFERENCE);
    o.max_length = 0; /* falls back to model_max_length */
    o.model_max_length = 8;
    cr_assert_eq(tka_collate(&it, &o, arena, &b, &err), TKA_OK);
    cr_assert_eq(b.arrays[0].cols, 8);
    o.model_max_length = 0; /* unbounded: warning only, nothing padded -> ragged */
    cr_assert_eq(tka_collate(&it, &o, arena, &b, &err), TKA_ERR_REFERENCE);
    tka_arena_free(arena);
}

Test(collate, float_labels_float32_for_hf_int64_for_paddle)
{
    tka_arena *arena = tka_arena_new(0);
    tka_batch_items it = three_items();
    const double fl[] = {1.0, 0.0, NAN};
    it.label_kind = TKA_LABEL_FLOAT;
    it.label_int = NULL;
    it.label_float = fl;
    tka_collate_options o;
    tka_collate_options_init(&o, TKA_FLAVOR_TORCH);
    tka_batch b;
    cr_assert_eq(tka_collate(&it, &o, arena, &b, NULL), TKA_OK);
    const tka_batch_array *l = tka_batch_find(&b, "labels");
    cr_assert_eq(l->dtype, TKA_DTYPE_FLOAT32);
    cr_assert_eq(((float *)l->data)[0], 1.0f);
    cr_assert(isnan(((float *)l->data)[2]));
    tka_collate_options_init(&o, TKA_FLAVOR_PADDLE);
    cr_assert_eq(tka_collate(&it, &o, arena, &b, NULL), TKA_OK);
    l = tka_batch_find(&b, "labels");
    cr_assert_eq(l->dtype, TKA_DTYPE_INT64);
    cr_assert_eq(((int64_t *)l->data)[0], 1);
    cr_assert_eq(((int64_t *)l->data)[2], INT64_MIN);
    cr_assert_null(tka_batch_find(&b, "attention_mask"));
    tka_arena_free(arena);
}

Test(collate, reformer_items_keep_mask_position)
{
    /* input_ids + attention_mask (all ones) + labels, pad id 2 (eos), as the
     * reformer goldens configure it */
    static const int32_t m4[] = {1, 1, 1, 1}, m3[] = {1, 1, 1}, m2[] = {1, 1};
    static const int32_t *const masks[] = {m4, m3, m2};
    tka_arena *arena = tka_arena_new(0);
    tka_batch_items it = three_items();
    it.fields[TKA_FIELD_TOKEN_TYPE_IDS] = NULL;
    it.fields[TKA_FIELD_ATTENTION_MASK] = masks;
    tka_collate_options o;
    tka_collate_options_init(&o, TKA_FLAVOR_TORCH);
    o.pad_token_id = 2;
    tka_batch b;
    cr_assert_eq(tka_collate(&it, &o, arena, &b, NULL), TKA_OK);
    cr_assert_eq(b.count, 3);
    cr_assert_str_eq(b.arrays[1].name, "attention_mask");
    cr_assert_str_eq(b.arrays[2].name, "labels");
    expect_row(&b.arrays[0], 2, (int64_t[]){8, 9, 2, 2}, 4);
    expect_row(&b.arrays[1], 2, (int64_t[]){1, 1, 0, 0}, 4);
    tka_collate_options_init(&o, TKA_FLAVOR_PADDLE);
    o.pad_token_id = 2;
    cr_assert_eq(tka_collate(&it, &o, arena, &b, NULL), TKA_OK);
    expect_row(&b.arrays[1], 1, (int64_t[]){1, 1, 1, 0}, 4);
    o.pad_token_id = -1;
    tka_error err;
    cr_assert_eq(tka_collate(&it, &o, arena, &b, &err), TKA_ERR_ARGUMENT);
    tka_arena_free(arena);
}

Test(collate, missing_input_ids_names_the_keys)
{
    tka_arena *arena = tka_arena_new(0);
    tka_batch_items it = three_items();
    it.fields[TKA_FIELD_INPUT_IDS] = NULL;
    tka_collate_options o;
    tka_collate_options_init(&o, TKA_FLAVOR_TORCH);
    tka_batch b;
    tka_error err;
    cr_assert_eq(tka_collate(&it, &o, arena, &b, &err), TKA_ERR_REFERENCE);
    cr_assert(strstr(err.message, "but you provided ['token_type_ids', 'labels']") != NULL, "%s",
              err.message);
    tka_arena_free(arena);
}
