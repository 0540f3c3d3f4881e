/* ledger.h - what the journal knows about lookups and batches: the record
 * semantics on top of journal.h. Independent of providers and HTTP: keys,
 * batch ids, idempotency keys and checkpoints are opaque text.
 *
 * Records (NDJSON, one a line, compact keys; fields in this order):
 *   {"t":"hdr","v":1,"tool":"enrichcsv 0.1.0","created":<unix>}
 *   {"t":"intent","b":"<batch>","keys":["<key>",...],"idem":"<key>"|null,"ts":<unix>}
 *       synced before a paid request; a repeated intent for a batch that is
 *       still open omits "keys" (same keys, e.g. a second paid step)
 *   {"t":"job","b":"<batch>","cp":"<checkpoint text>","ts":<unix>}
 *       synced once the provider answered a paid request; the last one wins
 *   {"t":"res","k":"<key>","s":"<status>","em":[..],"ph":[..],"pp":[..],"c":<credits>,"ts":<unix>}
 *   {"t":"res","b":"<batch>","i":<n>,"s":...}
 *       a lookup's outcome; the second form names the key by its position in
 *       the batch's intent (the key is not written twice). status is the
 *       output status text (enriched, not_found, skipped:credits,
 *       failed:<reason>); em/ph (emails/phones), pp (people: objects with
 *       id, name, title, li, st, em, ph), c (credits) are left out when empty
 *   {"t":"done","b":"<batch>"}
 * Unknown record types are ignored (a later minor version may add some).
 * The latest res of a key (in file order) is its outcome. */
#ifndef EC_LEDGER_H
#define EC_LEDGER_H

#include <stddef.h>
#include "buf.h"
#include "journal.h"
#include "row.h"

typedef struct ec_ledger ec_ledger;

/* Open flags: those of ec_journal_open (EC_J_READONLY, EC_J_SALVAGE, EC_J_NOCREATE),
 * and EC_L_NO_SNAPSHOT: neither use nor write JOURNAL.idx (see ledger_snap.c). */
#define EC_L_NO_SNAPSHOT 64

/* A batch with an intent and no done record. Borrowed from the ledger: valid
 * until the next call that writes to it. checkpoint is NULL when the
 * provider's answer was never journaled: the outcome of the paid request is
 * unknown (resend only where that is free, else failed:uncertain). */
typedef struct ec_open_batch {
    const char *id;
    const char *const *keys; /* in the order of the intent */
    size_t nkeys;
    const char *idem; /* idempotency key, or NULL */
    const char *checkpoint;
    double ts; /* when the (first) intent was written */
} ec_open_batch;

/* Receives one open batch; return non-zero to stop. */
typedef int (*ec_ledger_batch_fn)(void *ctx, const ec_open_batch *b);

/* Open the journal at path (see ec_journal_open for flags, notes and the lock)
 * and replay it into a compact in-memory index. NULL with err on failure;
 * errno is then EWOULDBLOCK when another process holds the journal. */
ec_ledger *ec_ledger_open(const char *path, int flags, ec_buf *notes, ec_buf *err);

/* A ledger of this run only, for a run without a journal: an anonymous
 * journal in a temporary file in $TMPDIR (or /tmp), unlinked as soon as it
 * is open, never synced by its user. It keeps finished outcomes on disk
 * (with the same index as a journal) so that duplicates are answered
 * without holding them in memory. NULL with err when no file can be made. */
ec_ledger *ec_ledger_open_private(ec_buf *err);

/* Latest outcome recorded for key. Returns 1 and fills out (the caller clears
 * it with ec_outcome_clear) and *ts (may be NULL); 0 when unknown, or when
 * max_age_days > 0 and that outcome is older; -1 on a read error
 * (ec_ledger_error says why). */
int ec_ledger_find(ec_ledger *l, const char *key, double max_age_days, ec_outcome *out, double *ts);

/* Call fn (may be NULL) for each batch open when the call starts, oldest
 * first. fn may write to the ledger, e.g. end the batch it was given or
 * others (those are then not visited); the ec_open_batch it receives stays
 * valid until fn returns or ends that batch. Returns how many batches were
 * open at the start (all of them, even when fn stopped early). */
size_t ec_ledger_open_batches(ec_ledger *l, ec_ledger_batch_fn fn, void *ctx);

/* Journal and sync an intent before a paid request. A batch id is used once:
 * calling again while the batch is open (same keys; keys may then be NULL)
 * records a new idempotency key only. 0, or -1 with err. */
int ec_ledger_intent(ec_ledger *l, const char *batch, const char *const *keys, size_t n,
                     const char *idem, ec_buf *err);

/* ec_ledger_intent with the provider's checkpoint for the request about to
 * be sent (NULL: none, as ec_ledger_intent). The intent and the checkpoint
 * go out in one frame, in one write(), then one sync: a crash leaves both
 * or neither, so a resumed batch never lacks what its checkpoint carries
 * (the values a provider needs to send its lookups again). */
int ec_ledger_intent_cp(ec_ledger *l, const char *batch, const char *const *keys, size_t n,
                        const char *idem, const char *checkpoint, ec_buf *err);

/* Journal and sync the provider's checkpoint for an open batch. 0 or -1. */
int ec_ledger_job(ec_ledger *l, const char *batch, const char *checkpoint, ec_buf *err);

/* Append a lookup's outcome (buffered: sync before its row is written). Keys
 * must be valid UTF-8. 0, or -1 with err. */
int ec_ledger_result(ec_ledger *l, const char *key, const ec_outcome *o, ec_buf *err);

/* Append the end of a batch (buffered). 0 or -1. */
int ec_ledger_done(ec_ledger *l, const char *batch, ec_buf *err);

/* Make everything appended so far durable (flush + fdatasync). Callers sync
 * before writing rows whose results they appended, and at least every second.
 * A failure is final: stop paid work. 0 or -1 with err. */
int ec_ledger_sync(ec_ledger *l, ec_buf *err);

/* Why the last call failed, or "" (borrowed). */
const char *ec_ledger_error(const ec_ledger *l);

/* The underlying journal (borrowed), for counters and tests. */
ec_journal *ec_ledger_journal(ec_ledger *l);

/* Sync, unlock and free. Returns the sync's status (the ledger is freed
 * either way). NULL-safe. */
int ec_ledger_close(ec_ledger *l, ec_buf *err);
/* ec_ledger_close after a run that ended (not one interrupted): when the
 * journal it wrote is large and its snapshot (JOURNAL.idx) covers too
 * little of it for the next open to use, the journal is opened once more
 * to write one, so that a rerun need not index it all. */
int ec_ledger_finish(ec_ledger *l, ec_buf *err);

/* Describe a journal (read-only, no lock): records by type, distinct keys,
 * latest outcomes by status, bytes, bytes per key, open batches. Appends
 * "name: value" lines to out. 0, or -1 with err. */
int ec_ledger_stats(const char *path, int flags, ec_buf *out, ec_buf *err);

/* Rewrite path keeping the latest result per key and the open batches:
 * written to path.tmp, synced, renamed over path, directory synced; the
 * writer lock is held throughout. 0, or -1 with err (path untouched; errno
 * EWOULDBLOCK when another process holds the journal). */
int ec_ledger_compact(const char *path, int flags, ec_buf *notes, ec_buf *err);

/* Combine journals into out: per key the result with the latest ts (ties:
 * the later input), plus every open batch. An existing out is an input too
 * (so it may also be listed). Inputs are read without locks; out is written
 * atomically under its lock. 0, or -1 with err. */
int ec_ledger_merge(const char *const *inputs, size_t n, const char *out, int flags, ec_buf *notes,
                    ec_buf *err);

#endif
