// CacheClient: the Android app's HTTP client (OkHttp with its disk cache)
// asking for the same URL twice, for tests/e2e/test_okhttp.py.
//
// usage: java CacheClient URL CERT.pem CACHE_DIR PAUSE_MS
// Trusts only CERT.pem. Between the two requests it waits PAUSE_MS (past the
// answer's max-age, OkHttp revalidates with If-None-Match). For each request
// prints one line of JSON: the code the app sees, the code on the network
// ("none" when the cache answered alone), whether the cache gave the body,
// the X-Cache-Status and Link headers and the body.
import java.io.File;
import okhttp3.Cache;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

public class CacheClient {
    public static void main(String[] args) throws Exception {
        OkHttpClient client =
            Trust.only(args[1]).cache(new Cache(new File(args[2]), 10L * 1024 * 1024)).build();
        for (int i = 0; i < 2; i++) {
            if (i == 1)
                Thread.sleep(Long.parseLong(args[3]));
            try (Response r = client.newCall(new Request.Builder().url(args[0]).build()).execute()) {
                String body = r.body().string();
                Response net = r.networkResponse();
                System.out.println("{\"code\": " + r.code()
                                   + ", \"network\": " + (net == null ? "null" : String.valueOf(net.code()))
                                   + ", \"from_cache\": " + (r.cacheResponse() != null)
                                   + ", \"x_cache\": " + quote(r.header("X-Cache-Status"))
                                   + ", \"link\": " + quote(r.header("Link"))
                                   + ", \"body\": " + quote(body) + "}");
            }
        }
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }

    static String quote(String s) {
        if (s == null)
            return "null";
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\')
                b.append('\\');
            b.append(c);
        }
        return b.append('"').toString();
    }
}
