/* sb_lance.c - placeholder until the lance simulator lands. */
#include "config.h"
#include "sb.h"

int sb_lance(const sb_req *req, sb_resp *resp)
{
    (void)req;
    (void)resp;
    return 0;
}
