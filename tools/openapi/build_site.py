#!/usr/bin/env python3
"""Build the static /docs site nginx serves (make docs).

usage: tools/openapi/build_site.py NODE_MODULES OUT_DIR

Writes into OUT_DIR (replaced whole): index.html (tools/openapi/docs.html),
redoc.standalone.js (Redoc's standalone bundle, from NODE_MODULES, which
`npm ci` filled from tools/openapi/package-lock.json), openapi.yaml
(docs/openapi.yaml as written) and openapi.json (the same, as JSON). Nothing
here is committed; nginx/render.py points nginx at OUT_DIR (LUME_DOCS_DIR).
"""
import json
import os
import shutil
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def main(node_modules, out):
    bundle = os.path.join(node_modules, "redoc", "bundles", "redoc.standalone.js")
    if not os.path.isfile(bundle):
        print(f"build_site: no {bundle}: run npm ci (make docs)", file=sys.stderr)
        return 1
    source = os.path.join(ROOT, "docs", "openapi.yaml")
    with open(source, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    tmp = out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    shutil.copyfile(os.path.join(HERE, "docs.html"), os.path.join(tmp, "index.html"))
    shutil.copyfile(bundle, os.path.join(tmp, "redoc.standalone.js"))
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
