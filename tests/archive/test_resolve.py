"""The archive provider end to end, upstream healthy: what it asks the archive,
which file it picks, how it builds URLs, TV episodes, dead items, parallel
lookups and the provider health route."""
import threading
import time
import urllib.parse

from archive_env import ArchiveCase, Item, dead_items, video

D = 0.6  # seconds each slow lookup takes in the parallel test


def download(base, identifier, name):
    return f"{base}/download/{identifier}/" + "/".join(
        urllib.parse.quote(seg, safe="") for seg in name.split("/"))


class ResolveTest(ArchiveCase):
    @classmethod
    def catalog(cls, fake):
        fake.add(Item("detour_1945", "Detour (1945)", 9000, [
            video("Detour.avi", "Cinepack", 500000000, 480),
            video("Detour_512kb.mp4", "512Kb MPEG4", 200000000, 240),
            video("Detour.mp4", "h.264", 300000000, 480),
            video("Detour HD/Detour (1945) [HD] #1 ä?.mp4", "h.264", 900000000, 720),
            video("Detour.ogv", "Ogg Video", 400000000, 480),
            video("Detour.mkv", "Matroska", 950000000, 1080),
        ]))
        fake.add(Item("his_girl_friday", "His Girl Friday", 7000, [
            video("hgf_small.mp4", "h.264", 100000000, 480),
            video("hgf_large.mp4", "h.264", 200000000, 480),
        ]))
        fake.add(Item("lowres_reel", "Lowres Reel", 50, [
            video("reel.avi", "Cinepack", 10, 480),
            video("reel_512kb.mp4", "512Kb MPEG4", 4000, 240),
        ]))
        fake.add(Item("zeroes_reel", "Unloved Reel", 0, [video("u.mp4", "h.264", 10, 360)]))
        # Dead items: all match "Phantom", none may be returned.
        fake.add(Item("phantom_live", "Phantom Live Print", 10, [video("p.mp4", "h.264", 5, 480)]))
        for item in dead_items():
            fake.add(item)
        # TV: three spellings of S01E02 and near misses.
        for ident, title, dl in [
                ("cisco_a", "The Cisco Kid S01E02 Boomerang", 60),
                ("cisco_b", "The Cisco Kid 1x02 (alternate print)", 50),
                ("cisco_c", "The Cisco Kid Season 1 Episode 2 - Boomerang", 40),
                ("cisco_d", "The Cisco Kid S01E03 Counterfeit Money", 90),
                ("cisco_e", "The Cisco Kid 2x02 Rustling", 80),
                ("cisco_f", "The Cisco Kid Season 1 Episode 12", 70),
                ("cisco_g", "The Cisco Kid S01E20", 65),
                ("cisco_h", "The Cisco Kid (1950) 1920x1080 S11E02", 64)]:
            fake.add(Item(ident, title, dl, [video(f"{ident}.mp4", "h.264", 1000, 480)]))
        # Parallel lookups: six items whose metadata is slow.
        for i in range(6):
            fake.add(Item(f"slowpoke_{i}", f"Slowpoke Reel {i}", 100 + i,
                          [video("s.mp4", "h.264", 10, 480)]))

    def test_best_file_is_the_highest_h264_and_its_path_is_percent_encoded(self):
        status, headers, body, _ = self.get("/resolve/Detour")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["url"], download(self.fake.base_url, "detour_1945",
                                               "Detour HD/Detour (1945) [HD] #1 ä?.mp4"))
        self.assertIn("/Detour%20HD/Detour%20%281945%29%20%5BHD%5D%20%231%20%C3%A4%3F.mp4",
                      body["url"])
        self.assertEqual(body["size"], 900000000)
        self.assertEqual(body["seeds"], 9000)
        self.assertEqual(body["quality"], "720p")
        self.assertEqual(body["title"], "Detour (1945)")

    def test_equal_heights_pick_the_larger_file(self):
        status, _, body, _ = self.get("/resolve/His%20Girl%20Friday")
        self.assertEqual(status, 200, body)
        self.assertTrue(body["url"].endswith("/download/his_girl_friday/hgf_large.mp4"), body)
        self.assertEqual(body["size"], 200000000)

    def test_512kb_mpeg4_only_when_nothing_better(self):
        status, _, body, _ = self.get("/resolve/Lowres")
        self.assertEqual(status, 200, body)
        self.assertTrue(body["url"].endswith("/download/lowres_reel/reel_512kb.mp4"), body)
        self.assertIsNone(body["quality"])

    def test_playable_item_without_downloads_still_counts_as_live(self):
        status, _, body, _ = self.get("/resolve/Unloved")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["seeds"], 1)

    def test_search_asks_for_films_with_the_query_encoded(self):
        query = 'AC/DC: "Live" & Loud? +(1+1) 100% ü'
        status, _, body, _ = self.get("/resolve/search/" + urllib.parse.quote(query, safe=""))
        self.assertEqual(status, 200, body)
        self.assertEqual(body["query"], query)
        self.assertEqual(self.fake.queries, [query])  # arrived intact, words only
        raw = self.fake.raw_queries[0]
        params = urllib.parse.parse_qs(raw)
        self.assertEqual(params["output"], ["json"])
        self.assertEqual(sorted(params["fl[]"]), ["downloads", "identifier", "title"])
        self.assertNotIn(" ", raw)
        self.assertNotIn('"', raw)

    def test_dead_items_are_dropped(self):
        status, _, body, _ = self.get("/resolve/search/Phantom")
        self.assertEqual(status, 200, body)
        self.assertEqual([r["url"].split("/download/")[1] for r in body["results"]],
                         ["phantom_live/p.mp4"])
        self.assertEqual(body["total_results"], 1)
        self.assertEqual(self.fake.count("metadata"), 5)  # every candidate was looked up

    def test_results_are_sorted_by_downloads_and_limited(self):
        status, _, body, _ = self.get("/resolve/search/Reel?limit=2")
        self.assertEqual(status, 200, body)
        self.assertEqual(len(body["results"]), 2)
        seeds = [r["seeds"] for r in body["results"]]
        self.assertEqual(seeds, sorted(seeds, reverse=True))

    def test_no_match_is_404_on_resolve_and_empty_on_search(self):
        status, _, body, _ = self.get("/resolve/Nothing%20Like%20This")
        self.assertError(status, body, 404, "NOT_FOUND")
        status, _, body, _ = self.get("/resolve/search/Nothing%20Like%20This")
        self.assertEqual((status, body["results"], body["total_results"]), (200, [], 0))

    def test_the_three_episode_forms_match(self):
        status, _, body, _ = self.get("/resolve/search/The%20Cisco%20Kid?season=1&episode=2")
        self.assertEqual(status, 200, body)
        got = sorted(r["url"].split("/download/")[1].split("/")[0] for r in body["results"])
        self.assertEqual(got, ["cisco_a", "cisco_b", "cisco_c"])
        # The show's name was searched, not "The Cisco Kid S01E02".
        self.assertEqual(self.fake.queries, ["The Cisco Kid"])

    def test_season_alone_matches_every_episode_of_it(self):
        status, _, body, _ = self.get("/resolve/search/The%20Cisco%20Kid?season=2")
        self.assertEqual(status, 200, body)
        got = [r["url"].split("/download/")[1].split("/")[0] for r in body["results"]]
        self.assertEqual(got, ["cisco_e"])

    def test_resolve_episode_gives_the_most_downloaded_match(self):
        status, _, body, _ = self.get("/resolve/The%20Cisco%20Kid?season=1&episode=2")
        self.assertEqual(status, 200, body)
        self.assertIn("/download/cisco_a/", body["url"])

    def test_lookups_run_in_parallel(self):
        self.fake.fault("metadata", "slow", delay=D)
        status, _, body, elapsed = self.get("/resolve/search/Slowpoke?limit=10")
        self.assertEqual(status, 200, body)
        self.assertEqual(len(body["results"]), 6)
        self.assertGreaterEqual(elapsed, D * 0.9)
        self.assertLess(elapsed, 3 * D, "6 lookups of D each should take about D, not 6 x D")
        self.assertGreaterEqual(self.fake.max_active, 3)

    def test_concurrent_requests_on_both_workers(self):
        out = []

        def one():
            out.append(self.get("/resolve/Detour")[0])
        threads = [threading.Thread(target=one) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(out, [200] * 6)

    def test_provider_health_is_healthy(self):
        status, headers, body, elapsed = self.get("/resolve/health/provider")
        self.assertEqual(status, 200, body)
        self.assertEqual(body, {"status": "healthy", "provider": "ArchiveProvider"})
        self.assertEqual(self.fake.count("search"), 1)

    def test_provider_name_in_search_results(self):
        status, _, body, _ = self.get("/resolve/search/Detour")
        self.assertEqual(body["provider_name"], "ArchiveProvider")

    def test_connections_are_reused_across_requests(self):
        # Not directly observable through FastCGI; what we can check is that many
        # sequential requests stay quick and correct on the same worker handles.
        t0 = time.monotonic()
        for _ in range(20):
            self.assertEqual(self.get("/resolve/Detour")[0], 200)
        self.assertLess(time.monotonic() - t0, 10)
