/* MT19937 (Matsumoto & Nishimura), the engine under torch's CPU generator and numpy's RandomState. */
#include "tokalign/sampler.h"

#define MT_M 397
#define UPPER_MASK UINT32_C(0x80000000)
#define LOWER_MASK UINT32_C(0x7fffffff)
#define MATRIX_A UINT32_C(0x9908b0df)

void tka_mt19937_seed(tka_mt19937 *g, uint32_t seed)
{
    g->mt[0] = seed;
    for (uint32_t i = 1; i < TKA_MT19937_N; i++) {
        uint32_t prev = g->mt[i - 1];
        g->mt[i] = UINT32_C(1812433253) * (prev ^ (prev >> 30)) + i; /* wraps mod 2^32 */
    }
    g->index = TKA_MT19937_N;
}

void tka_mt19937_seed_by_array(tka_mt19937 *g, const uint32_t *key, size_t key_len)
{
    tka_mt19937_seed(g, UINT32_C(19650218));
    uint32_t *mt = g->mt;
    size_t i = 1, j = 0;
    size_t k = TKA_MT19937_N > key_len ? TKA_MT19937_N : key_len;
    for (; k; k--) {
        uint32_t prev = mt[i - 1];
        mt[i] = (mt[i] ^ ((prev ^ (prev >> 30)) * UINT32_C(1664525))) + key[j] + (uint32_t)j;
        i++;
        j++;
        if (i >= TKA_MT19937_N) {
            mt[0] = mt[TKA_MT19937_N - 1];
            i = 1;
        }
        if (j >= key_len)
            j = 0;
    }
    for (k = TKA_MT19937_N - 1; k; k--) {
        uint32_t prev = mt[i - 1];
        mt[i] = (mt[i] ^ ((prev ^ (prev >> 30)) * UINT32_C(1566083941))) - (uint32_t)i;
        i++;
        if (i >= TKA_MT19937_N) {
            mt[0] = mt[TKA_MT19937_N - 1];
            i = 1;
        }
    }
    mt[0] = UPPER_MASK; /* guarantees a non-zero initial state */
    g->index = TKA_MT19937_N;
}

static void twist(tka_mt19937 *g)
{
    uint32_t *mt = g->mt;
    for (int i = 0; i < TKA_MT19937_N; i++) {
        uint32_t y = (mt[i] & UPPER_MASK) | (mt[(i + 1) % TKA_MT19937_N] & LOWER_MASK);
        mt[i] = mt[(i + MT_M) % TKA_MT19937_N] ^ (y >> 1) ^ ((y & 1u) ? MATRIX_A : 0u);
    }
    g->index = 0;
}

uint32_t tka_mt19937_next32(tka_mt19937 *g)
{
    if (g->index >= TKA_MT19937_N)
        twist(g);
    uint32_t y = g->mt[g->index++];
    y ^= y >> 11;
    y ^= (y << 7) & UINT32_C(0x9d2c5680);
    y ^= (y << 15) & UINT32_C(0xefc60000);
    y ^= y >> 18;
    return y;
}

uint64_t tka_mt19937_next64(tka_mt19937 *g)
{
    /* COMPAT: torch's random64() and numpy's mt19937_next64 both take the
     * FIRST 32-bit word as the high half (not the C++ std::mt19937_64 way). */
    uint64_t hi = tka_mt19937_next32(g);
    uint64_t lo = tka_mt19937_next32(g);
    return hi << 32 | lo;
}
