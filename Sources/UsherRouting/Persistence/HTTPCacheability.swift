/// Whether a response may be stored by a shared cache, as HAProxy 2.6.12 decides it before adding
/// `Cache-control: private` to a response that gets a persistence cookie (`cookie … nocache`).
///
/// Cacheable by default: a response with a status cacheable by default (200, 203, 204, 206, 300,
/// 301, 404, 405, 410, 414, 501) to a safe method (GET, HEAD, OPTIONS, TRACE). Then `Pragma:
/// no-cache` forbids; each `Cache-Control` value `public` allows, and `private`, `no-cache`,
/// `no-store`, `max-age=0` or `s-maxage=0` forbid, the last one seen winning; finally a response
/// without freshness (`max-age`, `s-maxage`, `Expires`) nor validator (`ETag`, `Last-Modified`) is
/// not stored.
enum HTTPCacheability {
    static let cacheableStatuses: Set<Int> = [200, 203, 204, 206, 300, 301, 404, 405, 410, 414, 501]
    static let safeMethods: Set<String> = ["GET", "HEAD", "OPTIONS", "TRACE"]

    static func isCacheable(method: String, response: HTTPResponseHead) -> Bool {
        guard response.status >= 200 else { return false }
        var cacheable = safeMethods.contains(method) && cacheableStatuses.contains(response.status)
        let headers = response.headers
        if let pragma = headers[first: "Pragma"], HTTPField.namesEqual(pragma, "no-cache") { return false }
        var fresh = false
        for directive in headers.occurrences("Cache-Control") {
            let lowered = directive.lowercased()
            switch lowered {
            case "public": cacheable = true
            case "private", "no-cache", "no-store", "max-age=0", "s-maxage=0": cacheable = false
            default:
                // `no-cache="set-cookie"` only keeps the cookie out of caches.
                if lowered.hasPrefix("no-cache=\"set-cookie") { continue }
                if lowered.hasPrefix("s-maxage") || lowered.hasPrefix("max-age") { fresh = true }
            }
        }
        if !fresh { fresh = headers.contains("Expires") }
        let validated = headers.contains("ETag") || headers.contains("Last-Modified")
        return cacheable && (fresh || validated)
    }
}
