/*
 * sign.h: the library provider's signed links (issue 26, part 5). A link
 * opens a file only when nginx's secure_link module accepts it, without
 * asking the app:
 *
 *     secure_link     $arg_md5,$arg_expires;
 *     secure_link_md5 "$secure_link_expires$uri <secret>";
 *
 * so a link is <public_url>/<root>/<relative path, percent-encoded>
 * ?md5=<token>&expires=<unix seconds>, where root is the folder's place in
 * LUME_LIBRARY_DIRS (0 first) and the token is the MD5 of
 * "<expires><uri> <secret>" in base64url without padding (22 characters),
 * uri being the link's path as nginx decodes it ($uri: the public URL's path,
 * "/", the root, "/", the relative path's bytes as they are).
 *
 * Pure functions: no clock, no allocation but the link's.
 */
#ifndef LUME_SIGN_H
#define LUME_SIGN_H

#include <stddef.h>
#include <stdint.h>

#define LUME_SIGN_TOKEN_BUF 23 /* 22 base64url characters and NUL */
#define LUME_SIGN_URL_MAX   2048 /* a link longer than this is not made */

/* MD5 (RFC 1321) of data[0..len) into out. */
void lume_md5(const void *data, size_t len, unsigned char out[16]);

/* The secure_link_md5 token of "<expires><uri> <secret>" (uri[0..uri_len):
 * any bytes) into out. */
void lume_sign_token(const char *uri, size_t uri_len, int64_t expires, const char *secret,
                     char out[LUME_SIGN_TOKEN_BUF]);

/* The path part of an http(s) URL ("https://h:8443/media/" -> "/media",
 * trailing slashes dropped; "" when none) as [*path, *path + *len); -1 when
 * url is not http:// or https:// with a host. */
int lume_sign_url_path(const char *url, const char **path, size_t *len);

/*
 * The signed link of the file rel (relative to root number root: no leading
 * '/', segments never "." or "..") under public_url (http or https), valid
 * until expires. Every byte of rel but the unreserved ones (RFC 3986) and
 * '/' is percent-encoded. A new string (free it), or NULL when public_url
 * is not a URL, rel is empty or not relative, the link would be longer than
 * LUME_SIGN_URL_MAX, or memory runs out.
 */
char *lume_sign_link(const char *public_url, int root, const char *rel, int64_t expires,
                     const char *secret);

#endif
