/* settings.h - keys and settings from the environment, the INI config file
 * and --api-key-file; the journal's default path. Files holding keys are
 * refused when another user could read them (as OpenSSH does). */
#ifndef EC_SETTINGS_H
#define EC_SETTINGS_H

#include "buf.h"
#include "provider.h"

typedef struct ec_config ec_config;

/* Load path (or the default location when path is NULL; a missing default
 * file is not an error). Returns the config (possibly empty), or NULL with
 * err (unreadable, unsafe permissions, syntax error with its line). */
ec_config *ec_config_load(const char *path, ec_buf *err);
void ec_config_free(ec_config *c);
/* Value of key in section (NULL section: the top, before any [section]). */
const char *ec_config_get(const ec_config *c, const char *section, const char *key);

/* Check a file that holds secrets: owned by the user and not readable or
 * writable by group or others. Returns 0, or -1 with the reason in err. */
int ec_config_check_private(const char *path, ec_buf *err);

/* Find the key(s) for provider p: --api-key-file, then the environment,
 * then the config section. Fills key/key2 (malloc'd) and returns 0, or
 * returns -1 with a message naming the variable(s) to set. */
int ec_config_auth(const ec_provider *p, const ec_config *c, const char *key_file, char **key,
                   char **key2, ec_buf *err);
/* The variable names a user sets for p, as text for messages. */
const char *ec_config_key_hint(const ec_provider *p);

/* The default journal path: $ENRICHCSV_JOURNAL, else
 * ${XDG_STATE_HOME:-~/.local/state}/enrichcsv/journal.zst (sandbox:
 * sandbox-journal.zst). malloc'd. */
char *ec_config_default_journal(int sandbox);

#endif
