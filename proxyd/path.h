/*
 * Copyright (c) 2026 The proxyd authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * The request path in its one canonical form, and the matching of
 * location prefixes against it: pure functions over buffers.
 */

#ifndef PATH_H
#define PATH_H

#include <stddef.h>

/* Room path_normalize() may need: escapes can grow a byte to three. */
#define PATH_NORMALIZED_MAX(len)	((len) * 3 + 1)

int	path_normalize(const char *, size_t, char *, size_t, size_t *);
int	path_prefix_match(const char *, size_t, const char *, size_t,
	    size_t *);

#endif /* PATH_H */
