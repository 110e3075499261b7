"""The source folders are layers, and dependencies point one way only:

    fcgi-app/       the service: master, workers, routing, HTTP, the app
        |
        v
    providers/      the provider interface, its registry and the providers
        |
        v
    fcgi-app/core/  foundations: status codes and messages, the API's bounds,
                    clock, log line writer, UTF-8, decimals, shared memory,
                    random numbers, settings tables

A folder may include headers of the folders below it, never of one above it,
so no cycle between folders can come back. Read from the #include lines of
every .c and .h file (tests/ and fuzz targets are not layers).
"""
import os
import re
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Lowest layer first; each may use only the layers before it (and itself).
LAYERS = ["fcgi-app/core", "providers", "fcgi-app"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(root=ROOT):
    """{layer: [paths]} of the C sources and headers of each layer."""
    found = {}
    for layer in LAYERS:
        folder = os.path.join(root, layer)
        found[layer] = sorted(os.path.join(layer, f) for f in os.listdir(folder)
                              if f.endswith((".c", ".h")))
    return found


def header_index(found):
    """{header name: layer}; a name must be unique across the layers."""
    index = {}
    for layer, paths in found.items():
        for path in paths:
            name = os.path.basename(path)
            if name.endswith(".h"):
                if name in index:
                    raise AssertionError(f"{name} is in both {index[name]} and {layer}")
                index[name] = layer
    return index


def violations(root=ROOT):
    """Every include of a header from a higher layer (or from nowhere)."""
    found = sources(root)
    index = header_index(found)
    wrong = []
    for layer, paths in found.items():
        allowed = set(LAYERS[:LAYERS.index(layer) + 1])
        for path in paths:
            with open(os.path.join(root, path)) as f:
                for name in INCLUDE.findall(f.read()):
                    target = index.get(os.path.basename(name))
                    if target is None:
                        wrong.append(f"{path}: includes {name}, found in no layer")
                    elif target not in allowed:
                        wrong.append(f"{path}: includes {name} from {target}, a layer above")
    return wrong


class Layers(unittest.TestCase):
    def test_every_include_points_down_or_sideways(self):
        wrong = violations()
        self.assertEqual(wrong, [], "\n".join(wrong))

    def test_the_foundations_live_in_the_lowest_layer(self):
        index = header_index(sources())
        for name in ("errors.h", "clock.h", "log.h", "utf8.h", "decimal.h", "shared.h",
                     "random.h", "settings.h"):
            self.assertEqual(index.get(name), "fcgi-app/core", name)
        self.assertEqual(index.get("provider.h"), "providers")
        self.assertEqual(index.get("app.h"), "fcgi-app")

    def test_an_include_that_points_up_is_found(self):
        with tempfile.TemporaryDirectory() as root:
            files = {"fcgi-app/core/log.h": "",
                     "providers/provider.h": '#include "log.h"\n',
                     "providers/mock.c": '#include "provider.h"\n#include "config.h"\n',
                     "fcgi-app/config.h": '#include "provider.h"\n',
                     "fcgi-app/core/clock.h": '#include "missing.h"\n'}
            for path, text in files.items():
                os.makedirs(os.path.join(root, os.path.dirname(path)), exist_ok=True)
                with open(os.path.join(root, path), "w") as f:
                    f.write(text)
            self.assertEqual(violations(root), [
                "fcgi-app/core/clock.h: includes missing.h, found in no layer",
                "providers/mock.c: includes config.h from fcgi-app, a layer above"])


if __name__ == "__main__":
    unittest.main()
