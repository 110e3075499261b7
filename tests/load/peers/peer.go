// peer.go: the Go net/http peer of `make bench` (tests/load/bench.py): what a
// user might write instead of Lume, a small service behind the same nginx
// (proxy_pass, upstream keep-alive). A test tool, not product code; the
// standard library only.
//
//	peer-go SOCKET
//
// Listens on the unix socket SOCKET (GOMAXPROCS as the environment sets it)
// and does the mock resolve: GET /resolve/{query} decodes the path segment,
// looks it up in a small catalogue (the mock provider's answer for the
// bench's query among others), and writes it as JSON; anything else is a
// JSON 404.
package main

import (
	"encoding/json"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
)

type link struct {
	Title   string `json:"title"`
	URL     string `json:"url"`
	Size    int64  `json:"size"`
	Seeds   int64  `json:"seeds"`
	Quality string `json:"quality"`
}

var catalogue = map[string]link{
	"inception": {"Inception (2010) 1080p BluRay",
		"https://mock-cdn.example.com/movies/inception-2010.mkv", 8542781952, 2450, "1080p"},
	"the dark knight": {"The Dark Knight (2008) 1080p",
		"https://mock-cdn.example.com/movies/dark-knight-2008.mkv", 9126805504, 1890, "1080p"},
	"interstellar": {"Interstellar (2014) 4K HDR",
		"https://mock-cdn.example.com/movies/interstellar-2014.mkv", 23622320128, 920, "4K"},
}

func notFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	w.Write([]byte(`{"detail":{"error":"NOT_FOUND","message":"not found"}}`))
}

func resolve(w http.ResponseWriter, r *http.Request) {
	raw := strings.TrimPrefix(r.URL.EscapedPath(), "/resolve/")
	query, err := url.PathUnescape(raw)
	if err != nil || strings.Contains(raw, "/") {
		notFound(w)
		return
	}
	hit, ok := catalogue[strings.ToLower(query)]
	if !ok {
		notFound(w)
		return
	}
	body, _ := json.Marshal(hit)
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: peer-go SOCKET")
	}
	os.Remove(os.Args[1])
	ln, err := net.Listen("unix", os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/resolve/", resolve)
	log.Fatal(http.Serve(ln, mux))
}
