// client.js: Stremio's own client library (stremio-addon-client, and through
// it stremio-addon-linter) driving Lume's addon, for tests/e2e/test_stremio.py.
//
// usage: node client.js NODE_MODULES MANIFEST_URL
// Prints one JSON object: the linter's verdict on the live manifest, and the
// answer to each call a Stremio app makes (catalogs, with a search, a film's
// and a series' meta, streams of a film and of an episode, subtitles), or
// the error the client gave. The certificate comes from NODE_EXTRA_CA_CERTS.
'use strict'
const path = require('path')
const modules = process.argv[2]
const client = require(path.join(modules, 'stremio-addon-client'))
const linter = require(path.join(modules, 'stremio-addon-linter'))

async function call(addon, out, name, resource, type, id, extra) {
    try {
        out[name] = await addon.get(resource, type, id, extra)
    } catch (e) {
        out[name] = {error: String(e && e.message || e)}
    }
    return out[name]
}

async function main() {
    const out = {}
    let detected
    try {
        detected = await client.detectFromURL(process.argv[3])
    } catch (e) {
        out.detect_error = String(e && e.message || e)
        out.lint = e && e.lintResult
        console.log(JSON.stringify(out))
        return
    }
    const addon = detected.addon
    out.manifest = addon.manifest
    out.lint = linter.lintManifest(addon.manifest)
    out.supported = {
        stream: addon.isSupported('stream', 'movie', 'lume:x:f:y:0'),
        foreign: addon.isSupported('stream', 'movie', 'tt0111161'),
    }
    out.catalogs = {}
    let film = null, series = null
    for (const c of addon.manifest.catalogs) {
        const res = await call(addon, out.catalogs, c.id, 'catalog', c.type, c.id)
        const first = res && res.metas && res.metas[0]
        if (first && c.type === 'movie' && !film) film = first
        if (first && c.type === 'series' && !series) series = first
        if (first)
            await call(addon, out.catalogs, c.id + '?search', 'catalog', c.type, c.id,
                       {search: first.name.split(' ')[0]})
    }
    if (film) {
        await call(addon, out, 'film_meta', 'meta', 'movie', film.id)
        await call(addon, out, 'film_streams', 'stream', 'movie', film.id)
        await call(addon, out, 'film_subtitles', 'subtitles', 'movie', film.id, {videoSize: 1})
    }
    if (series) {
        const m = await call(addon, out, 'series_meta', 'meta', 'series', series.id)
        const video = m && m.meta && m.meta.videos && m.meta.videos[0]
        if (video)
            await call(addon, out, 'episode_streams', 'stream', 'series', video.id)
    }
    for (const id of ['../../etc/passwd', 'a\u0000b', 'x'.repeat(10240)])
        await call(addon, out.hostile = out.hostile || {}, id.slice(0, 16), 'stream', 'movie', id)
    console.log(JSON.stringify(out))
}

main().catch(e => {
    console.log(JSON.stringify({fatal: String(e && e.stack || e)}))
    process.exit(1)
})
