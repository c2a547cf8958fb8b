/*
 * Hints for a command line that went wrong: the name nearest to a misspelt
 * one, and what softflowd's flags are called here.  Pure functions; the
 * caller prints.
 */
#ifndef PF_OPTS_HINT_H
#define PF_OPTS_HINT_H

#include <stddef.h>

/*
 * The one name in names[0..n) nearest to the len bytes at word: at most two
 * edits (insert, delete, replace, swap two neighbours) away and fewer than
 * len; NULL when there is none or two are equally near.
 */
const char	*opts_hint_nearest(const char *word, size_t len,
		    const char *const *names, size_t n);

/*
 * softflowd flags that picoflow does not take, listed so that getopt
 * consumes their values ("p:" and "c:" as softflowd has them).
 */
#define OPTS_HINT_SOFTFLOWD_FLAGS	"DN6p:c:"

/* What to use instead of softflowd's -flag, or NULL if it is not one. */
const char	*opts_hint_softflowd(int flag);

/*
 * softflowd's -T and -P take a value, ours do not: for the word that
 * followed -flag on the command line, the message that explains it, or
 * NULL when the word is not one of softflowd's values for that flag.
 */
const char	*opts_hint_softflowd_value(int flag, const char *word);

#endif
