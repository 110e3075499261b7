"""A library of real media behind nginx, for the e2e tests of the library's
links and of the Stremio addon: a film (with a sidecar subtitle and folder
art) and a series of two episodes made by ffmpeg, a link that leaves the
folder, and a Stack (nginx_harness) with the library provider listed, its
links pointing at this nginx, the index written before the first request."""
import http.client
import os
import shutil
import ssl
import subprocess
import tempfile
import urllib.parse

from harness import wait_until
from nginx_harness import Stack

SECRET = "e2e-library-secret-0123456789ab"
FFMPEG = ("ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i "
          "testsrc=size=640x360:rate=10:duration=2 -f lavfi -i sine=frequency=440:duration=2 "
          "-c:v libx264 -preset ultrafast -c:a aac -movflags +faststart")


def available():
    return shutil.which("ffmpeg") is not None and shutil.which("ffprobe") is not None


class LibraryStack:
    def __init__(self, providers="library", app_env=None, nginx_env=None):
        self.top = tempfile.mkdtemp(prefix="lume-e2e-library-")
        clip = os.path.join(self.top, "clip.mp4")
        subprocess.run(FFMPEG.split() + [clip], check=True, timeout=60)
        self.films = os.path.join(self.top, "films")
        self.tv = os.path.join(self.top, "tv")
        self.put(clip, self.films, "Charade (1963)/Charade (1963).mp4")
        self.write(self.films, "Charade (1963)/Charade (1963).en.srt",
                   "1\n00:00:00,000 --> 00:00:01,000\nHello\n")
        self.write(self.films, "Charade (1963)/poster.jpg", "not really a jpeg")
        self.put(clip, self.tv, "Dark Shadows/Season 01/Dark Shadows - S01E01 - Pilot.mp4")
        self.put(clip, self.tv, "Dark Shadows/Season 01/Dark Shadows - S01E02.mp4")
        # Outside every folder, and a link to it from inside one.
        self.write(self.top, "private/secret.txt", "not for anyone")
        os.symlink(os.path.join(self.top, "private"), os.path.join(self.films, "escape"))
        env = {"LUME_PROVIDERS": providers,
               "LUME_LIBRARY_DIRS": f"{self.films}:{self.tv}",
               "LUME_LIBRARY_INDEX": os.path.join(self.top, "library.db"),
               "LUME_LIBRARY_SECRET": SECRET}
        env.update(app_env or {})
        self.stack = Stack(workers=2, app_env=env,
                           nginx_env=dict({"LUME_RATE_LIMIT": "0"}, **(nginx_env or {})))
        # The links name this nginx: its port is known once the Stack is made.
        public = f"https://localhost:{self.stack.nginx.https_port}/media"
        self.stack.master.env["LUME_LIBRARY_PUBLIC_URL"] = public
        self.public = public

    @staticmethod
    def put(src, root, rel):
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        shutil.copy(src, path)

    @staticmethod
    def write(root, rel, text):
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)

    def start(self):
        self.stack.start()
        found = wait_until(lambda: self.stack.nginx.request("/resolve/charade").status == 200, 15)
        if not found:
            self.stop()
            raise RuntimeError("the library was not indexed:\n" + self.stack.master.log_text())
        return self

    def stop(self):
        try:
            self.stack.stop()
        finally:
            shutil.rmtree(self.top, ignore_errors=True)

    def fetch(self, url, headers=None, method="GET"):
        """(status, headers, body) of a media URL, over this nginx's TLS."""
        u = urllib.parse.urlsplit(url)
        ctx = ssl.create_default_context(cafile=self.stack.nginx.cert)
        ctx.check_hostname = False
        conn = http.client.HTTPSConnection("127.0.0.1", u.port, timeout=10, context=ctx)
        try:
            conn.request(method, u.path + ("?" + u.query if u.query else ""), headers=headers or {})
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def ffprobe(self, url):
        """What ffprobe reads of the stream at url: {format, streams}."""
        u = urllib.parse.urlsplit(url)
        local = url.replace(f"{u.scheme}://{u.netloc}",
                            f"https://127.0.0.1:{self.stack.nginx.https_port}", 1)
        out = subprocess.run(["ffprobe", "-v", "error", "-tls_verify", "0", "-print_format", "json",
                              "-show_format", "-show_streams", local],
                             capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise AssertionError(f"ffprobe {local}: {out.stderr}")
        import json
        return json.loads(out.stdout)
