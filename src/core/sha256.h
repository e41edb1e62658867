/* SHA-256 (FIPS 180-4), used to check tokenizer files against known hashes. */
#ifndef TKA_CORE_SHA256_H
#define TKA_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct tka_sha256 {
    uint32_t state[8];
    uint64_t total;
    uint8_t block[64];
    size_t used;
} tka_sha256;

void tka_sha256_init(tka_sha256 *ctx);
void tka_sha256_update(tka_sha256 *ctx, const void *data, size_t len);
void tka_sha256_final(tka_sha256 *ctx, uint8_t digest[32]);
/* Lower-case hex digest of data, written to hex[65] (NUL-terminated). */
void tka_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
