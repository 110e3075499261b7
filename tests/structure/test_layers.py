"""The source folders are layers, and dependencies point one way only:

    fcgi-app/       the service: master, workers, routing, HTTP, the app
        |
        v
    providers/      the provider interface, its registry, the results and
        |           the helpers providers share; providers/NAME/, one
        |           folder per provider
        v
    fcgi-app/core/  foundations: status codes and messages, the API's bounds,
                    clock, log line writer, UTF-8, decimals, shared memory,
                    random numbers, settings tables

A folder may include headers of the folders below it, never of one above it,
so no cycle between folders can come back. A provider's folder is its own:
its headers are included only from inside it, never by another provider, by
the shared providers/ files or by fcgi-app/ (which know a provider by its
registry line only). Read from the #include lines of every .c and .h file
(tests/ and fuzz targets are not layers).
"""
import os
import re
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Lowest layer first; each may use only the layers before it (and itself).
LAYERS = ["fcgi-app/core", "providers", "fcgi-app"]
# The layer whose subfolders are one provider each (providers/NAME/).
PROVIDERS = "providers"
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(root=ROOT):
    """{layer: [paths]} of the C sources and headers of each layer, those of
    every provider's folder under providers."""
    found = {}
    for layer in LAYERS:
        folder = os.path.join(root, layer)
        found[layer] = sorted(os.path.join(layer, f) for f in os.listdir(folder)
                              if f.endswith((".c", ".h")))
        if layer == PROVIDERS:
            for name in sorted(os.listdir(folder)):
                sub = os.path.join(folder, name)
                if os.path.isdir(sub):
                    found[layer] += sorted(os.path.join(layer, name, f) for f in os.listdir(sub)
                                           if f.endswith((".c", ".h")))
    return found


def provider_folder(path):
    """"providers/NAME" for a file of a provider's folder, else None."""
    parts = path.split("/")
    return "/".join(parts[:2]) if parts[0] == PROVIDERS and len(parts) == 3 else None


def header_paths(found):
    """{header name: path}; a name must be unique across the layers (and the
    provider folders), so that an include names one file whatever the
    include path finds first."""
    paths = {}
    for layer_paths in found.values():
        for path in layer_paths:
            name = os.path.basename(path)
            if name.endswith(".h"):
                if name in paths:
                    raise AssertionError(f"{name} is in both {paths[name]} and {path}")
                paths[name] = path
    return paths


def header_index(found):
    """{header name: layer}."""
    layer_of = {path: layer for layer, paths in found.items() for path in paths}
    return {name: layer_of[path] for name, path in header_paths(found).items()}


def violations(root=ROOT):
    """Every include of a header from a higher layer (or from nowhere), and
    every include of a provider folder's header from outside that folder."""
    found = sources(root)
    paths = header_paths(found)
    index = header_index(found)
    wrong = []
    for layer, layer_paths in found.items():
        allowed = set(LAYERS[:LAYERS.index(layer) + 1])
        for path in layer_paths:
            with open(os.path.join(root, path)) as f:
                for name in INCLUDE.findall(f.read()):
                    base = os.path.basename(name)
                    target = index.get(base)
                    folder = provider_folder(paths[base]) if target else None
                    if target is None:
                        wrong.append(f"{path}: includes {name}, found in no layer")
                    elif target not in allowed:
                        wrong.append(f"{path}: includes {name} from {target}, a layer above")
                    elif folder is not None and folder != provider_folder(path):
                        wrong.append(f"{path}: includes {name} from {folder}, "
                                     "a provider's own folder")
    return wrong


def write_tree(root, files):
    """A made-up tree under root: the provider interface over the
    foundations, and files."""
    base = {"fcgi-app/core/log.h": "", "providers/provider.h": '#include "log.h"\n'}
    for path, text in {**base, **files}.items():
        os.makedirs(os.path.join(root, os.path.dirname(path)), exist_ok=True)
        with open(os.path.join(root, path), "w") as f:
            f.write(text)


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

    def test_each_provider_is_a_folder_of_its_own(self):
        paths = header_paths(sources())
        self.assertEqual(provider_folder(paths["mock.h"]), "providers/mock")
        self.assertEqual(provider_folder(paths["archive_parse.h"]), "providers/archive")
        for shared in ("provider.h", "results.h"):
            self.assertIsNone(provider_folder(paths[shared]), shared)

    def test_an_include_that_points_up_is_found(self):
        with tempfile.TemporaryDirectory() as root:
            write_tree(root, {
                "providers/mock/mock.c": '#include "provider.h"\n#include "config.h"\n',
                "fcgi-app/config.h": '#include "provider.h"\n',
                "fcgi-app/core/clock.h": '#include "missing.h"\n'})
            self.assertEqual(violations(root), [
                "fcgi-app/core/clock.h: includes missing.h, found in no layer",
                "providers/mock/mock.c: includes config.h from fcgi-app, a layer above"])

    def test_an_include_of_another_providers_folder_is_found(self):
        with tempfile.TemporaryDirectory() as root:
            write_tree(root, {
                "providers/provider.c": '#include "provider.h"\n#include "mock/mock.h"\n',
                "providers/archive/archive_parse.h": '#include "provider.h"\n',
                "providers/archive/archive.c": '#include "archive_parse.h"\n',
                "providers/mock/mock.h": '#include "provider.h"\n',
                "providers/mock/mock.c": '#include "mock.h"\n#include "archive/archive_parse.h"\n',
                "fcgi-app/app.c": '#include "provider.h"\n#include "mock/mock.h"\n'})
            self.assertEqual(violations(root), [
                "providers/provider.c: includes mock/mock.h from providers/mock, "
                "a provider's own folder",
                "providers/mock/mock.c: includes archive/archive_parse.h from providers/archive, "
                "a provider's own folder",
                "fcgi-app/app.c: includes mock/mock.h from providers/mock, "
                "a provider's own folder"])


if __name__ == "__main__":
    unittest.main()
