/* settings.c - INI config, key files and environment. */
#include "config.h"
#include "settings.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct entry {
    char *section; /* NULL at the top */
    char *key;
    char *value;
} entry;

struct ec_config {
    entry *e;
    size_t n;
};

/* Each provider's key variables: the main key, an optional second part,
 * and an alternative main key (The Hog's Bearer form). */
typedef struct auth_vars {
    const char *provider;
    const char *key_var, *key2_var;
    int key2_required;
    const char *alt_var;                         /* used alone when set (key2 must not be) */
    const char *key_name, *key2_name, *alt_name; /* config file names */
    const char *hint;
} auth_vars;

static const auth_vars auth_table[] = {
    {"amplemarket", "AMPLEMARKET_API_KEY", NULL, 0, NULL, "api_key", NULL, NULL,
     "AMPLEMARKET_API_KEY"},
    {"thehog", "THEHOG_ACCESS_KEY", "THEHOG_SECRET_KEY", 1, "THEHOG_API_KEY", "access_key",
     "secret_key", "api_key", "THEHOG_API_KEY (or THEHOG_ACCESS_KEY and THEHOG_SECRET_KEY)"},
    {"openfunnel", "OPENFUNNEL_API_KEY", "OPENFUNNEL_USER_ID", 0, NULL, "api_key", "user_id", NULL,
     "OPENFUNNEL_API_KEY (and OPENFUNNEL_USER_ID)"},
    {"woodpecker", "WOODPECKER_API_KEY", NULL, 0, NULL, "api_key", NULL, NULL,
     "WOODPECKER_API_KEY"},
    {"lance", "LANCE_API_TOKEN", NULL, 0, NULL, "api_token", NULL, NULL, "LANCE_API_TOKEN"},
};

static const auth_vars *vars_for(const ec_provider *p)
{
    for (size_t i = 0; i < sizeof auth_table / sizeof auth_table[0]; i++)
        if (strcmp(auth_table[i].provider, p->name) == 0)
            return &auth_table[i];
    return NULL;
}

const char *ec_config_key_hint(const ec_provider *p)
{
    const auth_vars *v = vars_for(p);
    return v ? v->hint : "the provider's key variable";
}

/* The checks of ec_config_check_private on an open file (what was opened
 * is what was checked: no window for a swap between the two). */
static int check_private_fd(int fd, const char *path, ec_buf *err)
{
    struct stat st;
    if (fstat(fd, &st) < 0) {
        ec_buf_printf(err, "%s: %s", path, strerror(errno));
        return -1;
    }
    /* a pipe allows --api-key-file <(pass show KEY): the key never rests on disk */
    if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
        ec_buf_printf(err, "%s: not a regular file or a pipe", path);
        return -1;
    }
    if (st.st_uid != geteuid()) {
        ec_buf_printf(err,
                      "%s: owned by uid %lu, not by you (uid %lu); refusing to read keys from it",
                      path, (unsigned long)st.st_uid, (unsigned long)geteuid());
        return -1;
    }
    if (st.st_mode & 077) {
        ec_buf_printf(err,
                      "%s: mode %04o lets group or others read or write it; "
                      "refusing to read keys from it (chmod 600 %s)",
                      path, (unsigned)(st.st_mode & 07777), path);
        return -1;
    }
    return 0;
}

/* Open a file that holds secrets for reading, after the checks. */
static FILE *open_private(const char *path, ec_buf *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        ec_buf_printf(err, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (check_private_fd(fd, path, err) < 0) {
        close(fd);
        return NULL;
    }
    FILE *f = fdopen(fd, "r");
    if (!f) {
        ec_buf_printf(err, "%s: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

int ec_config_check_private(const char *path, ec_buf *err)
{
    FILE *f = open_private(path, err);
    if (!f)
        return -1;
    fclose(f);
    return 0;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

static int parse_line(ec_config *c, char *line, char **section, unsigned long lineno,
                      const char *path, ec_buf *err)
{
    char *s = trim(line);
    if (*s == '\0' || *s == '#' || *s == ';')
        return 0;
    if (*s == '[') {
        char *end = strchr(s, ']');
        if (!end || end[1] != '\0') {
            ec_buf_printf(err, "%s:%lu: malformed section header", path, lineno);
            return -1;
        }
        *end = '\0';
        free(*section);
        *section = ec_xstrdup(trim(s + 1));
        return 0;
    }
    char *eq = strchr(s, '=');
    if (!eq) {
        ec_buf_printf(err, "%s:%lu: expected key = value", path, lineno);
        return -1;
    }
    *eq = '\0';
    char *val = trim(eq + 1);
    size_t vn = strlen(val);
    if (vn >= 2 && (val[0] == '"' || val[0] == '\'') && val[vn - 1] == val[0]) {
        val[vn - 1] = '\0';
        val++;
    }
    c->e = ec_xrealloc(c->e, (c->n + 1) * sizeof *c->e);
    entry *en = &c->e[c->n++];
    en->section = *section ? ec_xstrdup(*section) : NULL;
    en->key = ec_xstrdup(trim(s));
    en->value = ec_xstrdup(val);
    return 0;
}

static char *default_config_path(void)
{
    ec_buf b = {0};
    const char *x = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    if (x && *x)
        ec_buf_printf(&b, "%s/enrichcsv/config", x);
    else if (home && *home)
        ec_buf_printf(&b, "%s/.config/enrichcsv/config", home);
    else
        return NULL;
    return ec_buf_take(&b);
}

ec_config *ec_config_load(const char *path, ec_buf *err)
{
    ec_config *c = ec_xcalloc(1, sizeof *c);
    char *def = path ? NULL : default_config_path();
    const char *p = path ? path : def;
    if (!p || (!path && access(p, F_OK) != 0)) {
        free(def);
        return c; /* no default config: fine */
    }
    FILE *f = open_private(p, err);
    if (!f) {
        free(def);
        ec_config_free(c);
        return NULL;
    }
    char line[4096], *section = NULL;
    unsigned long lineno = 0;
    int bad = 0;
    while (!bad && fgets(line, sizeof line, f)) {
        lineno++;
        bad = parse_line(c, line, &section, lineno, p, err) < 0;
    }
    fclose(f);
    free(section);
    free(def);
    if (bad) {
        ec_config_free(c);
        return NULL;
    }
    return c;
}

void ec_config_free(ec_config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->e[i].section);
        free(c->e[i].key);
        free(c->e[i].value);
    }
    free(c->e);
    free(c);
}

const char *ec_config_get(const ec_config *c, const char *section, const char *key)
{
    const char *v = NULL;
    for (size_t i = 0; c && i < c->n; i++) {
        const entry *e = &c->e[i];
        int same = section ? (e->section && strcmp(e->section, section) == 0) : e->section == NULL;
        if (same && strcmp(e->key, key) == 0)
            v = e->value; /* the last one wins */
    }
    return v;
}

static char *env_dup(const char *var)
{
    const char *v = var ? getenv(var) : NULL;
    return v && *v ? ec_xstrdup(v) : NULL;
}

/* First line: the key; second line (optional): the second part. */
static int read_key_file(const char *path, char **key, char **key2, ec_buf *err)
{
    FILE *f = open_private(path, err);
    if (!f)
        return -1;
    char line[4096];
    if (fgets(line, sizeof line, f) && *trim(line))
        *key = ec_xstrdup(trim(line));
    if (fgets(line, sizeof line, f) && *trim(line))
        *key2 = ec_xstrdup(trim(line));
    fclose(f);
    if (!*key) {
        ec_buf_printf(err, "%s: no key on its first line", path);
        return -1;
    }
    return 0;
}

static char *conf_dup(const ec_config *c, const char *section, const char *name)
{
    const char *v = name ? ec_config_get(c, section, name) : NULL;
    return v && *v ? ec_xstrdup(v) : NULL;
}

int ec_config_auth(const ec_provider *p, const ec_config *c, const char *key_file, char **key,
                   char **key2, ec_buf *err)
{
    const auth_vars *v = vars_for(p);
    *key = *key2 = NULL;
    if (!v) {
        ec_buf_printf(err, "no key settings known for %s", p->name);
        return -1;
    }
    if (key_file)
        return read_key_file(key_file, key, key2, err);
    /* environment: the alternative single key, then the main (+ second) */
    if ((*key = env_dup(v->alt_var)) != NULL)
        return 0;
    *key = env_dup(v->key_var);
    *key2 = env_dup(v->key2_var);
    if (!*key) {
        free(*key2);
        *key2 = NULL;
        if ((*key = conf_dup(c, p->name, v->alt_name)) != NULL)
            return 0;
        *key = conf_dup(c, p->name, v->key_name);
        *key2 = conf_dup(c, p->name, v->key2_name);
    }
    if (*key && (*key2 || !v->key2_required))
        return 0;
    free(*key);
    free(*key2);
    *key = *key2 = NULL;
    ec_buf_printf(err,
                  "no API key for %s: set %s in the environment, put it in the [%s] section "
                  "of the config file, or use --api-key-file (or try --sandbox)",
                  p->name, v->hint, p->name);
    return -1;
}

char *ec_config_default_journal(int sandbox)
{
    const char *env = getenv("ENRICHCSV_JOURNAL");
    if (env && *env && !sandbox)
        return ec_xstrdup(env);
    ec_buf b = {0};
    const char *x = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    const char *name = sandbox ? "sandbox-journal.zst" : "journal.zst";
    if (x && *x)
        ec_buf_printf(&b, "%s/enrichcsv/%s", x, name);
    else if (home && *home)
        ec_buf_printf(&b, "%s/.local/state/enrichcsv/%s", home, name);
    else
        ec_buf_printf(&b, "enrichcsv-%s", name);
    return ec_buf_take(&b);
}
