/* sb_woodpecker.c - placeholder until the woodpecker simulator lands. */
#include "config.h"
#include "sb.h"

int sb_woodpecker(const sb_req *req, sb_resp *resp)
{
    (void)req;
    (void)resp;
    return 0;
}
