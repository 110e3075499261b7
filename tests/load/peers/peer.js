// peer.js: the Node http peer of `make bench` (tests/load/bench.py): what a
// user might write instead of Lume, a small service behind the same nginx
// (proxy_pass, upstream keep-alive). A test tool, not product code; Node's
// built-in modules only.
//
//   node peer.js SOCKET PROCESSES
//
// Listens on the unix socket SOCKET with PROCESSES processes (node:cluster,
// sharing the socket) and does the mock resolve: GET /resolve/{query}
// decodes the path segment, looks it up in a small catalogue (the mock
// provider's answer for the bench's query among others), and writes it as
// JSON; anything else is a JSON 404.
"use strict";
const cluster = require("node:cluster");
const fs = require("node:fs");
const http = require("node:http");

const [socket, processes] = [process.argv[2], Number(process.argv[3] || 1)];

const catalogue = new Map([
  ["inception", {title: "Inception (2010) 1080p BluRay",
    url: "https://mock-cdn.example.com/movies/inception-2010.mkv", size: 8542781952,
    seeds: 2450, quality: "1080p"}],
  ["the dark knight", {title: "The Dark Knight (2008) 1080p",
    url: "https://mock-cdn.example.com/movies/dark-knight-2008.mkv", size: 9126805504,
    seeds: 1890, quality: "1080p"}],
  ["interstellar", {title: "Interstellar (2014) 4K HDR",
    url: "https://mock-cdn.example.com/movies/interstellar-2014.mkv", size: 23622320128,
    seeds: 920, quality: "4K"}],
]);
const NOT_FOUND = '{"detail":{"error":"NOT_FOUND","message":"not found"}}';

function resolve(req, res) {
  let hit;
  if (req.url.startsWith("/resolve/")) {
    const raw = req.url.slice("/resolve/".length).split("?")[0];
    try {
      if (!raw.includes("/")) hit = catalogue.get(decodeURIComponent(raw).toLowerCase());
    } catch (e) {
      hit = undefined; // a broken escape
    }
  }
  const body = hit ? JSON.stringify(hit) : NOT_FOUND;
  res.writeHead(hit ? 200 : 404, {"Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body)});
  res.end(body);
}

if (cluster.isPrimary) {
  try { fs.unlinkSync(socket); } catch (e) { /* none yet */ }
  for (let i = 0; i < processes; i++) cluster.fork();
  process.on("SIGTERM", () => {
    for (const id in cluster.workers) cluster.workers[id].kill("SIGTERM");
    process.exit(0);
  });
} else {
  const server = http.createServer(resolve);
  server.keepAliveTimeout = 65000; // above nginx's upstream keepalive_timeout (60 s)
  server.listen(socket);
}
