"""nginx's configuration as nginx reads it, for tests: an installed nginx.conf
(nginx/render.py's, or any) with its includes expanded; and a stand-in nginx
binary for render.py, which asks `nginx -v` and `nginx -V`.

directives(path) gives one line per directive or block opening, at its depth
(four spaces a level), comments and layout dropped, arguments as written
(quotes kept). Includes are expanded as nginx expands them: relative to the
directory of the file nginx was given, a glob's files in sorted order, a glob
matching nothing adding nothing. text(path) is the same lines as one string.
"""
import glob
import os


def tokens(text):
    """nginx's tokens of text: words and quoted strings as written, ';', '{'
    and '}'; comments dropped."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "#":
            while i < n and text[i] != "\n":
                i += 1
        elif c in ";{}":
            out.append(c)
            i += 1
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in ";{":
                j += 1
            out.append(text[i:j])
            i = j
    return out


def directives(path, conf_dir=None, depth=0):
    """The lines of the configuration in path, its includes expanded."""
    conf_dir = conf_dir or os.path.dirname(os.path.abspath(path))
    with open(path, encoding="utf-8") as f:
        words = tokens(f.read())
    lines, statement = [], []
    for word in words:
        if word == ";":
            if statement[0] == "include":
                for name in sorted(glob.glob(os.path.join(conf_dir, statement[1]))):
                    lines += directives(name, conf_dir, depth)
            else:
                lines.append("    " * depth + " ".join(statement) + ";")
            statement = []
        elif word == "{":
            lines.append("    " * depth + " ".join(statement) + " {")
            depth += 1
            statement = []
        elif word == "}":
            depth -= 1
            lines.append("    " * depth + "}")
        else:
            statement.append(word)
    return lines


def text(path):
    return "".join(line + "\n" for line in directives(path))


def stand_in_nginx(path, version, configure):
    """An executable at path that answers `-v` with nginx's version line for
    version and `-V` with the configure arguments too, as nginx does; it
    starts no nginx."""
    with open(path, "w") as f:
        f.write(f"#!/bin/sh\necho 'nginx version: nginx/{version}' >&2\n"
                f"[ \"$1\" = -V ] && echo 'configure arguments: {configure}' >&2\nexit 0\n")
    os.chmod(path, 0o755)
    return path
