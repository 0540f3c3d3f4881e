/* prov_openfunnel.h - what the option parser needs to know about OpenFunnel:
 * the seniority and department enums of the fast people enrichment job
 * (seeds/openfunnel-fast-people-enrichment.txt). */
#ifndef EC_PROV_OPENFUNNEL_H
#define EC_PROV_OPENFUNNEL_H

#include "buf.h"

/* Check a comma-separated --seniority (department = 0) or --department
 * (department = 1) list: every item must be one of the seed's enum values,
 * matched case-insensitively with ' ' and '-' read as '_' ("vp",
 * "customer success"); empty items are ignored but at least one value must
 * remain. NULL means "not given" (every value is sent) and passes. Returns 0,
 * or -1 with a message naming the bad item and the valid values in err. */
int ec_openfunnel_check_enum(const char *list, int department, ec_buf *err);

/* The valid values of one enum as a comma-separated list ("FOUNDER,CXO,..."),
 * static text, for help and error messages. */
const char *ec_openfunnel_enum_values(int department);

#endif
