/*
 * Start-up allocator: every long-lived buffer comes from here, is counted
 * against the -M budget and named for the report.  After mem_seal() any
 * allocation is a bug and fails.
 */
#ifndef PF_MEM_H
#define PF_MEM_H

#include <stddef.h>
#include <stdio.h>

#define MEM_UNLIMITED	((size_t)-1)

/* Budget in bytes (MEM_UNLIMITED if none).  Resets the accounting. */
void	 mem_init(size_t budget);
/* Zeroed memory for what ("flow table"), or NULL if over budget/sealed. */
void	*mem_alloc(size_t size, const char *what);
void	 mem_free(void *);
/* Count memory that is allocated elsewhere on our behalf (a kernel capture
 * ring) against the budget.  -1 if it does not fit. */
int	 mem_account(size_t size, const char *what);
/* Bytes handed out so far, and the budget left. */
size_t	 mem_used(void);
size_t	 mem_left(void);
void	 mem_seal(void);
/* One line per allocation: what, bytes; then the total and the budget. */
void	 mem_report(FILE *);

#endif
