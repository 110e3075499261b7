#!/usr/bin/env python3
"""Build the static /docs site nginx serves (make docs).

usage: tools/openapi/build_site.py NODE_MODULES OUT_DIR

Writes into OUT_DIR (replaced whole, no subdirectory), from NODE_MODULES,
which `npm ci` filled from tools/openapi/package-lock.json, and this folder:

- index.html (docs.html), the /docs page: Swagger UI, which can send requests;
  swagger-ui-init.js starts it; swagger-ui-bundle.js and swagger-ui.css are
  swagger-ui-dist's, the bundle without its default validator URL;
- redoc.html, the /redoc page: redoc.standalone.js, Redoc's standalone
  bundle, without its remote logo;
- openapi.yaml (docs/openapi.yaml as written) and openapi.json (the same, as
  JSON).

Nothing here is committed; nginx/render.py points nginx at OUT_DIR
(LUME_DOCS_DIR).
"""
import json
import os
import shutil
import sys

# Debian's python3-yaml, also for a python3 found first in PATH (pyenv) that lacks it.
sys.path.append(f"/usr/lib/python{sys.version_info[0]}/dist-packages")
import yaml  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# The pages load nothing from elsewhere (and their policies would refuse it).
# What each bundle would fetch from outside, and what replaces it: (the
# bundle in NODE_MODULES, the file in OUT_DIR, the text, its replacement,
# how many times the text is there). A bundle that says otherwise stops the
# build: a new version may load something else from outside.
BUNDLES = [
    # Redoc's sidebar shows Redocly's logo from their CDN. An empty src
    # makes the image fail at once without a request, and Redoc then
    # leaves it out.
    ("redoc/bundles/redoc.standalone.js", "redoc.standalone.js",
     'src:"https://cdn.redoc.ly/redoc/logo-mini.svg"', 'src:""', 1),
    # Swagger UI's validator badge is an image from validator.swagger.io,
    # its default validatorUrl (the default options and the badge's
    # constructor and update). swagger-ui-init.js sets it to null, and the
    # layout it uses shows no badge; null here too, so no option can.
    ("swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui-bundle.js",
     '"https://validator.swagger.io/validator"', "null", 3),
]
# Copied as they are: (the file in NODE_MODULES, or an absolute path in this
# folder; the file in OUT_DIR).
FILES = [
    (os.path.join("swagger-ui-dist", "swagger-ui.css"), "swagger-ui.css"),
    (os.path.join(HERE, "docs.html"), "index.html"),
    (os.path.join(HERE, "swagger-ui-init.js"), "swagger-ui-init.js"),
    (os.path.join(HERE, "redoc.html"), "redoc.html"),
]


def main(node_modules, out):
    for name, *_ in BUNDLES:
        if not os.path.isfile(os.path.join(node_modules, name)):
            print(f"build_site: no {node_modules}/{name}: run npm ci (make docs)",
                  file=sys.stderr)
            return 1
    source = os.path.join(ROOT, "docs", "openapi.yaml")
    with open(source, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    tmp = out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    for name, target, remote, replacement, count in BUNDLES:
        with open(os.path.join(node_modules, name), encoding="utf-8") as f:
            script = f.read()
        if script.count(remote) != count:
            print(f"build_site: {name} does not hold {remote} {count} time(s) as expected: "
                  "check what this version loads from outside", file=sys.stderr)
            return 1
        with open(os.path.join(tmp, target), "w", encoding="utf-8") as f:
            f.write(script.replace(remote, replacement))
    for name, target in FILES:
        shutil.copyfile(os.path.join(node_modules, name), os.path.join(tmp, target))
    shutil.copyfile(source, os.path.join(tmp, "openapi.yaml"))
    with open(os.path.join(tmp, "openapi.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
    for name in os.listdir(tmp):
        os.chmod(os.path.join(tmp, name), 0o644)
    os.chmod(tmp, 0o755)
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
