/* main.c - placeholder entry point until the wiring lands. */
#include "config.h"
#include <stdio.h>

int main(void)
{
    fputs("enrichcsv: not built yet\n", stderr);
    return 1;
}
