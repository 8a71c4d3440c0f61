/*
 * gt-access.c - the kernel's answer: for each path on stdin, access(2) with
 * R_OK, W_OK and X_OK, printed as "rwx PATH". Built statically and run
 * inside the unpacked image as the arbitrary uid, it is the ground truth
 * the access check is compared with.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	char line[8192];
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = 0;
		printf("%c%c%c %s\n", access(line, R_OK) == 0 ? 'r' : '-',
		       access(line, W_OK) == 0 ? 'w' : '-', access(line, X_OK) == 0 ? 'x' : '-',
		       line);
	}
	return 0;
}
