#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import UsherConfig
import UsherRouting

extension HTTPSessionHandler {
    /// Answers the request with the statistics page of `proxy` if it has one and the request is for
    /// it. Returns true when the request was taken (answered, or its body is being read for the
    /// admin form).
    func serveStatsPageIfAsked(proxy name: String, head: HTTPRequestHead, sample: inout SampleContext, framing: HTTPBodyFraming) -> Bool {
        guard let page = runtime.table.statsPages[name], page.matches(target: head.target), let exchange else { return false }
        countIntercepted()
        let keepAlive = framing == .none && exchange.clientKeepAlive
        switch page.access(&sample) {
        case .allow:
            break
        case .deny:
            exchange.outcome = .denied
            finishWithError(403, termination: TerminationState(.proxy, .request), reason: "denied by a 'stats http-request' rule", keepAlive: true)
            return true
        case .authenticate(let realm):
            // A failed authentication is an HTTP error for the tracked counters, as in HAProxy.
            stickCounters?.countHTTPError()
            replyLocally(status: 401, bytes: StatsPageReply.unauthorized(realm: realm, closing: !keepAlive), keepAlive: keepAlive)
            return true
        }
        guard page.isAuthorized(authorization: head.headers[first: "Authorization"]) else {
            stickCounters?.countHTTPError()
            replyLocally(status: 401, bytes: StatsPageReply.unauthorized(realm: page.settings.realm, closing: !keepAlive), keepAlive: keepAlive)
            return true
        }
        let request = StatsPageRequest(target: head.target, uri: page.settings.uri)
        if head.method == "POST" {
            let location = { (status: String) in request.link(uri: page.settings.uri, extra: ["st=\(status)"], up: false) }
            guard page.allowsAdmin(&sample) else {
                replyLocally(status: 303, bytes: StatsPageReply.seeOther(location("DENY")), keepAlive: keepAlive)
                return true
            }
            // The form's fields are in the body: read it (bounded), then act.
            localBody = LocalBodyCollector(limit: StatsAdmin.maxFormBytes) { [unowned self] body, overflowed in
                let status = overflowed ? "EXCD" : StatsAdmin(runtime: self.runtime).apply(StatsPageRequest.AdminForm(body: body))
                self.replyLocally(status: 303, bytes: StatsPageReply.seeOther(location(status)), keepAlive: self.exchange?.clientKeepAlive ?? false)
            }
            // processInbound, which called us, goes on with the body.
            return true
        }
        var adminSample = sample
        let body = renderStatsPage(page, request: request, adminAllowed: page.allowsAdmin(&adminSample))
        let refresh = request.noRefresh ? nil : page.settings.refresh.map { max(1, Int($0.milliseconds / 1000)) }
        replyLocally(
            status: 200, bytes: StatsPageReply.page(request.format, body: body, refreshSeconds: refresh, isHead: head.method == "HEAD"),
            keepAlive: keepAlive
        )
        return true
    }

    private func renderStatsPage(_ page: CompiledStatsPage, request: StatsPageRequest, adminAllowed: Bool) -> String {
        let collector = StatsCollector(runtime: runtime)
        var rows = collector.rows(StatsCollector.Filter(onlyUp: request.onlyUp, showDetails: page.settings.showLegends))
        let scopes = page.settings.scopes
        if !scopes.isEmpty { rows = rows.filter { scopes.contains($0.proxyName) } }
        if let scope = request.scope?.lowercased() { rows = rows.filter { $0.proxyName.lowercased().contains(scope) } }
        switch request.format {
        case .csv: return StatsOutput.csv(rows)
        case .json: return StatsOutput.json(rows)
        case .typed: return StatsOutput.typed(rows)
        case .html:
            let process = StatsHTMLPage.Process(
                product: ProductInfo.name, version: ProductInfo.version, pid: Int(getpid()),
                uptimeSeconds: StatCounters.wallSeconds() - runtime.startedWallSeconds, maxConnections: runtime.maxConnections,
                currentConnections: runtime.activeConnections.load(ordering: .relaxed),
                connectionRate: runtime.processCounters.rate(.connections), hostname: LogClock.hostname()
            )
            return StatsHTMLPage(settings: page.settings, request: request, process: process, rows: rows, adminAllowed: adminAllowed).render()
        }
    }
}

/// Reads a request body that usher answers itself (the stats admin form), up to a limit; what is
/// beyond it is read and dropped so the connection stays usable.
final class LocalBodyCollector {
    private(set) var body: [UInt8] = []
    private(set) var overflowed = false
    let limit: Int
    let completion: (String, Bool) -> Void

    init(limit: Int, completion: @escaping (String, Bool) -> Void) {
        self.limit = limit
        self.completion = completion
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        if body.count + bytes.count > limit {
            overflowed = true
        } else {
            body.append(contentsOf: bytes)
        }
    }
}

@available(*, unavailable)
extension LocalBodyCollector: Sendable {}

extension HTTPSessionHandler {
    /// Reads body bytes for a locally answered request. Returns false when it must wait for more.
    func consumeLocalBody(_ collector: LocalBodyCollector) -> Bool {
        guard inbound.readableBytes > 0 || requestBody.isComplete else {
            updateClientReading()
            return false
        }
        let consumed: Int
        do {
            consumed = try inbound.withUnsafeReadableBytes { bytes throws(HTTPParseError) in
                let used = try requestBody.consume(bytes)
                collector.append(UnsafeRawBufferPointer(rebasing: bytes[..<used]))
                return used
            }
        } catch {
            localBody = nil
            finishWithError(400, termination: TerminationState(.proxy, .data), reason: error.reason)
            return false
        }
        inbound.moveReaderIndex(forwardBy: consumed)
        exchange?.bytesFromClient += consumed
        guard requestBody.isComplete else {
            updateClientReading()
            return false
        }
        localBody = nil
        collector.completion(String(decoding: collector.body, as: UTF8.self), collector.overflowed)
        return true
    }
}
