// StreamsClient: the Android app reading /streams and /resolve as an app
// does, for tests/e2e/test_okhttp.py: OkHttp over HTTPS, the JSON mapped
// onto the app's classes with Gson, made strict as kotlinx.serialization is by
// default (an unknown key, a missing key or a wrong type fails the mapping).
//
// usage: java StreamsClient BASE_URL CERT.pem PATH...
// Trusts only CERT.pem. For each PATH prints one line of JSON: the code,
// and what the app made of the body ("streams" for /streams/..., "search"
// for /resolve/search/..., "link" for /resolve/...), or "error" with why the
// mapping refused it.
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

public class StreamsClient {
    // The app's model of the API (docs/api.md). Boxed types are nullable.
    static class MediaLink {
        String title, url;
        Long size;
        long seeds;
        String quality;
    }

    static class SearchResult {
        String query;
        List<MediaLink> results;
        long total_results;
        String provider_name;
    }

    static class Subtitle {
        String url, lang, label, format;
    }

    static class Candidate {
        String title, url;
        Long size;
        long seeds;
        String quality, provider, container, video_codec, audio_codec;
        Integer width, height;
        Long duration_s, bitrate;
        Boolean seekable;
        List<Subtitle> subtitles;
        Long expires_at;
        Boolean direct_play;
        String binge_group;
    }

    static class Next {
        int season, episode;
        Boolean exists;
    }

    static class ProviderOutcome {
        String name, provider, status, error, message;
        Long found;
    }

    static class StreamsResult {
        String query;
        Integer season, episode;
        List<Candidate> streams;
        long total_results;
        Next next;
        List<ProviderOutcome> providers;
    }

    // Optional keys: the ones docs/openapi.yaml does not require.
    static final Set<String> OPTIONAL = Set.of("ProviderOutcome.error", "ProviderOutcome.message",
                                               "ProviderOutcome.found");

    // kotlinx.serialization's defaults, on a parsed tree: every key of the
    // object is a field of the class and every field not optional is a key
    // (a null value for a boxed field is fine); nested classes and lists too.
    static void strict(JsonElement e, Class<?> cls, String where) {
        if (e.isJsonNull())
            return;
        if (!e.isJsonObject())
            throw new IllegalStateException(where + ": not an object");
        JsonObject o = e.getAsJsonObject();
        Set<String> fields = new HashSet<>();
        for (Field f : cls.getDeclaredFields()) {
            fields.add(f.getName());
            String key = cls.getSimpleName() + "." + f.getName();
            if (!o.has(f.getName())) {
                if (!OPTIONAL.contains(key))
                    throw new IllegalStateException(where + ": missing key " + f.getName());
                continue;
            }
            JsonElement v = o.get(f.getName());
            if (v.isJsonNull() && f.getType().isPrimitive())
                throw new IllegalStateException(where + ": null for " + f.getName());
            if (List.class.isAssignableFrom(f.getType())) {
                Class<?> item = (Class<?>) ((ParameterizedType) f.getGenericType())
                                    .getActualTypeArguments()[0];
                JsonArray a = v.getAsJsonArray();
                for (int i = 0; i < a.size(); i++)
                    strict(a.get(i), item, where + "." + f.getName() + "[" + i + "]");
            } else if (!f.getType().getName().startsWith("java.") && !f.getType().isPrimitive()) {
                strict(v, f.getType(), where + "." + f.getName());
            }
        }
        for (String k : o.keySet())
            if (!fields.contains(k))
                throw new IllegalStateException(where + ": unknown key " + k);
    }

    public static void main(String[] args) throws Exception {
        OkHttpClient client = Trust.only(args[1]).build();
        Gson gson = new Gson();
        for (int i = 2; i < args.length; i++) {
            try (Response r = client.newCall(new Request.Builder().url(args[0] + args[i]).build()).execute()) {
                String body = r.body().string();
                JsonObject out = new JsonObject();
                out.addProperty("code", r.code());
                try {
                    JsonElement tree = JsonParser.parseString(body);
                    if (r.code() != 200) {
                        out.add("body", tree);
                    } else if (args[i].startsWith("/streams/")) {
                        strict(tree, StreamsResult.class, "StreamsResult");
                        out.add("streams", gson.toJsonTree(gson.fromJson(tree, StreamsResult.class)));
                    } else if (args[i].startsWith("/resolve/search/")) {
                        strict(tree, SearchResult.class, "SearchResult");
                        out.add("search", gson.toJsonTree(gson.fromJson(tree, SearchResult.class)));
                    } else {
                        strict(tree, MediaLink.class, "MediaLink");
                        out.add("link", gson.toJsonTree(gson.fromJson(tree, MediaLink.class)));
                    }
                } catch (RuntimeException e) {
                    out.addProperty("error", String.valueOf(e.getMessage()));
                }
                System.out.println(out);
            }
        }
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
