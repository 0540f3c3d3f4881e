/* sb_openfunnel.c - placeholder until the openfunnel simulator lands. */
#include "config.h"
#include "sb.h"

int sb_openfunnel(const sb_req *req, sb_resp *resp)
{
    (void)req;
    (void)resp;
    return 0;
}
