#!/usr/bin/env python3
"""Build the static /docs site nginx serves (make docs).

usage: tools/openapi/build_site.py NODE_MODULES OUT_DIR

Writes into OUT_DIR (replaced whole): index.html (tools/openapi/docs.html),
redoc.standalone.js (Redoc's standalone bundle, from NODE_MODULES, which
`npm ci` filled from tools/openapi/package-lock.json, without its remote logo), openapi.yaml
(docs/openapi.yaml as written) and openapi.json (the same, as JSON). Nothing
here is committed; nginx/render.py points nginx at OUT_DIR (LUME_DOCS_DIR).
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


# Redoc's sidebar shows Redocly's logo from their CDN; the page loads nothing
# from elsewhere (and its policy would refuse it). An empty src makes the
# image fail at once without a request, and Redoc then leaves it out.
REMOTE_LOGO = 'src:"https://cdn.redoc.ly/redoc/logo-mini.svg"'


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
    with open(bundle, encoding="utf-8") as f:
        script = f.read()
    if script.count(REMOTE_LOGO) != 1:
        print(f"build_site: {bundle} does not load its logo as expected ({REMOTE_LOGO}): "
              "check what this Redoc loads from outside", file=sys.stderr)
        return 1
    with open(os.path.join(tmp, "redoc.standalone.js"), "w", encoding="utf-8") as f:
        f.write(script.replace(REMOTE_LOGO, 'src:""'))
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
