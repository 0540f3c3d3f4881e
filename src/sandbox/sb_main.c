/* sb_main.c - placeholder until the sandbox core lands. */
#include "config.h"
#include <stdio.h>

int main(void)
{
    fputs("enrichcsv-sandbox: not built yet\n", stderr);
    return 1;
}
