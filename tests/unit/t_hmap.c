/* t_hmap.c - the string hash map against a brute-force model. */
#include "config.h"
#include "hmap.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    enum { N = 5000 };
    static int present[N];
    static int vals[N];
    ec_hmap *m = ec_hmap_new();
    char key[32];
    srand(42);
    int consistent = 1;
    for (int step = 0; step < 60000; step++) {
        int k = rand() % N;
        snprintf(key, sizeof key, "key-%d", k);
        int op = rand() % 3;
        if (op == 0) {
            vals[k] = k;
            ec_hmap_put(m, key, &vals[k]);
            present[k] = 1;
        } else if (op == 1) {
            void *v = ec_hmap_del(m, key);
            consistent &= (v != NULL) == present[k];
            present[k] = 0;
        } else {
            void *v = ec_hmap_get(m, key);
            consistent &= present[k] ? v == &vals[k] : v == NULL;
        }
    }
    ok(consistent, "60,000 random put/del/get agree with a model");
    size_t count = 0;
    for (int k = 0; k < N; k++)
        count += (size_t)present[k];
    is_int(ec_hmap_count(m), count, "count matches the model");
    ok(ec_hash64("abc", 3) == ec_hash64("abc", 3) && ec_hash64("abc", 3) != ec_hash64("abd", 3),
       "hash is stable and discriminates");
    ec_hmap_free(m, NULL);
    return tap_done();
}
