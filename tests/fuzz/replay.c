/*
 * Feed files to LLVMFuzzerTestOneInput without libFuzzer, so that make check
 * replays the corpus with any compiler.  Arguments are files or directories;
 * a directory's regular files are replayed in name order, not recursively.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read all of path into an exact-size buffer (so ASan sees overreads). */
static int
replay_file(const char *path, unsigned long *count)
{
	struct stat st;
	uint8_t *buf;
	size_t len;
	FILE *f;
	int ok;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) == -1 || st.st_size < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		fclose(f);
		return -1;
	}
	len = (size_t)st.st_size;
	if ((buf = malloc(len ? len : 1)) == NULL) {
		fprintf(stderr, "replay: %s: out of memory\n", path);
		fclose(f);
		return -1;
	}
	ok = fread(buf, 1, len, f) == len;
	fclose(f);
	if (!ok) {
		fprintf(stderr, "replay: %s: short read\n", path);
		free(buf);
		return -1;
	}
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	(*count)++;
	return 0;
}

static int
replay_dir(const char *dir, unsigned long *count)
{
	struct dirent **names;
	char path[4096];
	struct stat st;
	int i, n, rc = 0;

	if ((n = scandir(dir, &names, NULL, alphasort)) == -1) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.' &&
		    snprintf(path, sizeof(path), "%s/%s", dir,
		    names[i]->d_name) < (int)sizeof(path) &&
		    stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    replay_file(path, count) == -1)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char *argv[])
{
	unsigned long count = 0;
	struct stat st;
	int i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s file|dir ...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
			    strerror(errno));
			rc = 1;
		} else if (S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i], &count) == -1)
				rc = 1;
		} else if (replay_file(argv[i], &count) == -1)
			rc = 1;
	}
	printf("replayed %lu inputs\n", count);
	return rc;
}
