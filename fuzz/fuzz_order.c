/* libFuzzer target: the batch-order reader of `pipeline --order` (JSON and .npy) on arbitrary
 * bytes; byte 0 picks the batch size for a 1-D .npy. Any input gives a clean error or an order
 * whose batches are non-empty, cover the rows exactly once and hold indices >= 0; the row check
 * then agrees with a direct scan (abort on any difference). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tokalign/pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t batch_size = data[0] % 8; /* 0: no batch size (a 1-D .npy is refused) */
    tka_order o;
    tka_error err;
    if (tka_order_parse(data + 1, size - 1, "fuzz", batch_size, &o, &err) != TKA_OK) {
        if (!err.message[0] || o.rows || o.starts)
            abort();
        return 0;
    }
    if (o.num_batches == 0 || o.starts[0] != 0)
        abort();
    size_t longest = 0;
    int64_t top = -1;
    for (size_t b = 0; b < o.num_batches; b++) {
        size_t len = o.starts[b + 1] - o.starts[b];
        if (o.starts[b + 1] <= o.starts[b])
            abort();
        if (len > longest)
            longest = len;
        for (size_t k = o.starts[b]; k < o.starts[b + 1]; k++) {
            if (o.rows[k] < 0)
                abort();
            if (o.rows[k] > top)
                top = o.rows[k];
        }
    }
    if (longest != o.max_batch)
        abort();
    uint64_t n = (uint64_t)top + 1;
    if (tka_order_check_rows(&o, n, "fuzz", &err) != TKA_OK ||
        (n > 0 && tka_order_check_rows(&o, n - 1, "fuzz", &err) != TKA_ERR_ARGUMENT))
        abort();
    tka_order_free(&o);
    return 0;
}
