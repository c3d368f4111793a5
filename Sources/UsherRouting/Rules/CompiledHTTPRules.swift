import UsherConfig

/// A proxy's `http-request` (and `redirect`) or `http-response` rules, compiled once: conditions,
/// format strings and regular expressions ready to run on each message.
public struct CompiledHTTPRules: Sendable {
    /// What the rules decided for a message.
    public enum Outcome: Sendable, Equatable {
        /// Go on: the message (perhaps rewritten) continues on its way.
        case proceed
        /// Answer with these bytes (a complete response) instead; `status` for the log.
        case reply(status: Int, bytes: [UInt8])
        /// Answer with the proxy's page for `status` (errorfile or built-in), as `deny` does.
        case error(status: Int)
        /// Let `service` answer the request (`use-service`); `query` is the request's query
        /// string as the rules left it.
        case service(HTTPService, query: String?)
        /// Hold the request for `timeout tarpit`, then give this answer (a `.reply` or `.error`);
        /// logged `PT`.
        indirect case tarpit(Outcome)
        /// Close the client connection without a word (`silent-drop`).
        case silentDrop
        /// Answer 401 with a Basic challenge for `realm` (`http-request auth`), on the proxy's
        /// 401 page.
        case authenticate(realm: String)
    }

    enum Action: Sendable {
        case header(CompiledHeaderAction)
        case setPath(LogFormatTemplate)
        case setPathAndQuery(LogFormatTemplate)
        case setQuery(LogFormatTemplate)
        case setURI(LogFormatTemplate)
        case setMethod(LogFormatTemplate)
        case replaceTarget(HTTPRequestAction.TargetPart, Converter.SendableRegex, LogFormatTemplate)
        case setStatus(code: Int, reason: String?)
        case redirect(HTTPRedirect, LogFormatTemplate?)
        case allow
        /// The reply, its log-format body if it has one, and its `hdr` values, compiled; given
        /// after `timeout tarpit` for a `tarpit` rule.
        case reply(HTTPReply, LogFormatTemplate?, headers: [LogFormatTemplate], tarpit: Bool)
        case service(HTTPService)
        case variable(CompiledVariableAction)
        case stickCounter(CompiledStickAction)
        case patternFile(CompiledPatternFileAction)
        /// `deny` and `tarpit` count an HTTP error on the tracked stick counters, then reply.
        indirect case countingError(Action)
        case silentDrop
        case authenticate(realm: String)
        /// `capture SAMPLE len|id N`: into capture slot `slot` of the request or the response.
        case capture(CompiledSample, slot: Int, response: Bool)
    }

    struct Rule: Sendable {
        var action: Action
        var condition: CompiledCondition?
    }

    let rules: [Rule]

    public var isEmpty: Bool { rules.isEmpty }

    init(rules: [Rule]) {
        self.rules = rules
    }

    static let empty = CompiledHTTPRules(rules: [])

    /// Runs the rules in order on a request: header and target rewrites apply at once; `allow`
    /// stops the rules; `deny`, `return`, `redirect` end the request with an answer.
    public func apply(to request: inout HTTPRequestHead, _ context: inout SampleContext) -> Outcome {
        guard !rules.isEmpty else { return .proceed }
        context.request = request
        for rule in rules {
            guard rule.condition.evaluate(&context) == .pass else { continue }
            var action = rule.action
            if case .countingError(let inner) = action {
                context.stickCounters?.countHTTPError()
                action = inner
            }
            switch action {
            case .header(let action):
                action.apply(to: &request.headers, &context)
            case .setPath(let template):
                request.setPath(template.render(&context))
            case .setPathAndQuery(let template):
                request.setPathAndQuery(template.render(&context))
            case .setQuery(let template):
                let query = template.render(&context)
                request.setQuery(query.isEmpty ? nil : query)
            case .setURI(let template):
                request.target = template.render(&context)
            case .setMethod(let template):
                request.method = template.render(&context)
            case .replaceTarget(let part, let wrapped, let template):
                let regex = wrapped.regex
                let current: Substring = switch part {
                case .path: request.path
                case .pathAndQuery: request.pathAndQuery
                case .uri: request.target[...]
                }
                guard (try? regex.firstMatch(in: current)) != nil else { break }
                let replaced = CompiledHeaderAction.substitute(String(current), regex: regex, replacement: template.render(&context))
                switch part {
                case .path: request.setPath(replaced)
                case .pathAndQuery: request.setPathAndQuery(replaced)
                case .uri: request.target = replaced
                }
            case .setStatus:
                continue
            case .redirect(let redirect, let template):
                if let reply = Self.redirect(redirect, template, request: request, &context) { return reply }
                continue
            case .allow:
                return .proceed
            case .reply(let reply, let template, let headers, let tarpit):
                let answer = Self.reply(reply, template, headers, &context)
                return tarpit ? .tarpit(answer) : answer
            case .service(let service):
                return .service(service, query: request.query.map(String.init))
            case .variable(let action):
                action.apply(&context)
                continue
            case .stickCounter(let action):
                action.apply(&context)
                continue
            case .patternFile(let action):
                action.apply(&context)
                continue
            case .capture(let sample, let slot, _):
                if case .value(let value) = sample.evaluate(&context) { context.captures.store(value.text, slot: slot, response: false) }
            case .silentDrop:
                return .silentDrop
            case .authenticate(let realm):
                return .authenticate(realm: realm)
            case .countingError:
                continue
            }
            // Later conditions and the backend choice see the rewritten request.
            context.request = request
        }
        return .proceed
    }

    /// Runs the rules in order on a response.
    public func apply(to response: inout HTTPResponseHead, _ context: inout SampleContext) -> Outcome {
        guard !rules.isEmpty else { return .proceed }
        context.response = response
        for rule in rules {
            guard rule.condition.evaluate(&context) == .pass else { continue }
            switch rule.action {
            case .header(let action):
                action.apply(to: &response.headers, &context)
                context.response = response
            case .setStatus(let code, let reason):
                response.status = code
                response.reason = reason ?? HTTPErrorPages.reason(for: code)
                context.response = response
            case .redirect(let redirect, let template):
                let request = context.request ?? HTTPRequestHead(method: "GET", target: "/", version: .http1_1)
                if let reply = Self.redirect(redirect, template, request: request, &context) { return reply }
            case .allow:
                return .proceed
            case .reply(let reply, let template, let headers, _):
                return Self.reply(reply, template, headers, &context)
            case .variable(let action):
                action.apply(&context)
            case .stickCounter(let action):
                action.apply(&context)
            case .patternFile(let action):
                action.apply(&context)
            case .silentDrop:
                return .silentDrop
            case .capture(let sample, let slot, _):
                if case .value(let value) = sample.evaluate(&context) { context.captures.store(value.text, slot: slot, response: true) }
            case .setPath, .setPathAndQuery, .setQuery, .setURI, .setMethod, .replaceTarget, .service, .countingError, .authenticate:
                break
            }
        }
        return .proceed
    }

    static func redirect(_ redirect: HTTPRedirect, _ template: LogFormatTemplate?, request: HTTPRequestHead, _ context: inout SampleContext) -> Outcome? {
        let value = template?.render(&context) ?? redirect.value
        if redirect.ignoreEmpty && value.isEmpty { return nil }
        var path = String(request.path)
        if redirect.appendSlash && !path.hasSuffix("/") { path += "/" }
        let query = redirect.dropQuery ? "" : request.query.map { "?" + $0 } ?? ""
        let location: String
        switch redirect.kind {
        case .location:
            location = value
        case .prefix:
            // A prefix of "/" alone means "the same path": nothing is prepended.
            location = (value == "/" ? "" : value) + path + query
        case .scheme:
            let host = request.headers[first: "Host"] ?? request.targetAuthority.map(String.init) ?? ""
            location = value + "://" + host + path + query
        }
        var headers = [("location", location)]
        switch redirect.cookie {
        case .set(let cookie)?: headers.append(("set-cookie", cookie + "; path=/"))
        case .clear(let cookie)?: headers.append(("set-cookie", cookie + "; path=/; max-age=0"))
        case nil: break
        }
        // A temporary redirect must not be cached; a permanent one may be (as HAProxy marks them).
        if [302, 303, 307].contains(redirect.code) { headers.append(("cache-control", "no-cache")) }
        return .reply(status: redirect.code, bytes: HTTPReplyBuilder.response(status: redirect.code, headers: headers, body: []))
    }

    static func reply(_ reply: HTTPReply, _ template: LogFormatTemplate?, _ headerValues: [LogFormatTemplate], _ context: inout SampleContext) -> Outcome {
        var body: [UInt8]
        switch reply.payload {
        case .proxyErrorPage:
            return .error(status: reply.status)
        case .errorFile(_, let contents):
            // An errorfile is a whole response already.
            return .reply(status: reply.status, bytes: contents)
        case .none: body = []
        case .file(_, let contents): body = contents
        case .string(let text): body = Array(text.utf8)
        case .logFormat(let text): body = Array((template?.render(&context) ?? text).utf8)
        }
        var headers: [(String, String)] = []
        if let type = reply.contentType, !body.isEmpty { headers.append(("content-type", type)) }
        // `hdr NAME FMT`: each value is a log-format string.
        for (field, value) in zip(reply.headers, headerValues) { headers.append((field.name, value.render(&context))) }
        return .reply(status: reply.status, bytes: HTTPReplyBuilder.response(status: reply.status, headers: headers, body: body))
    }
}

extension CompiledHTTPRules {
    /// Compiles `http-request` rules (with a proxy's standalone `redirect` rules after them, as
    /// HAProxy orders them). A rule that does not compile is reported with its location and left out.
    static func compile(
        request: [HTTPRequestRule], proxyName: String, compileCondition: (Condition?) -> CompiledCondition??, report: (SourceLocation, String) -> Void
    ) -> CompiledHTTPRules {
        var rules: [Rule] = []
        for rule in request {
            guard let condition = compileCondition(rule.condition) else { continue }
            do {
                let action: Action
                switch rule.action {
                case .header(let header): action = .header(try CompiledHeaderAction(header))
                case .setPath(let format): action = .setPath(try LogFormatTemplate(format))
                case .setPathAndQuery(let format): action = .setPathAndQuery(try LogFormatTemplate(format))
                case .setQuery(let format): action = .setQuery(try LogFormatTemplate(format))
                case .setURI(let format): action = .setURI(try LogFormatTemplate(format))
                case .setMethod(let format): action = .setMethod(try LogFormatTemplate(format))
                case .replaceTarget(let part, let regex, let format):
                    action = .replaceTarget(part, Converter.SendableRegex(regex: try CompiledHeaderAction.regex(regex)), try LogFormatTemplate(format))
                case .redirect(let redirect): action = try compiledRedirect(redirect)
                case .allow: action = .allow
                case .deny(let reply): action = .countingError(try compiledReply(reply))
                case .return(let reply): action = try compiledReply(reply)
                case .tarpit(let reply): action = .countingError(try compiledReply(reply, tarpit: true))
                case .useService(let service): action = .service(service)
                case .variable(let variable): action = .variable(try CompiledVariableAction(variable))
                case .stickCounter(let counter): action = .stickCounter(try CompiledStickAction(counter, level: .stream, countsRequest: true))
                case .patternFile(let change): action = .patternFile(try CompiledPatternFileAction(change))
                case .silentDrop: action = .silentDrop
                // A failed authentication is an HTTP error for the tracked counters, as in HAProxy.
                case .auth(let realm): action = .countingError(.authenticate(realm: realm ?? proxyName))
                case .capture(let sample, let slot): action = .capture(try compiledSample(sample), slot: slot, response: false)
                }
                rules.append(Rule(action: action, condition: condition))
            } catch {
                report(rule.location, error.message)
            }
        }
        return CompiledHTTPRules(rules: rules)
    }

    /// Compiles `http-response` rules.
    static func compile(
        response: [HTTPResponseRule], compileCondition: (Condition?) -> CompiledCondition??, report: (SourceLocation, String) -> Void
    ) -> CompiledHTTPRules {
        var rules: [Rule] = []
        for rule in response {
            guard let condition = compileCondition(rule.condition) else { continue }
            do {
                let action: Action
                switch rule.action {
                case .header(let header): action = .header(try CompiledHeaderAction(header))
                case .setStatus(let code, let reason): action = .setStatus(code: code, reason: reason)
                case .allow: action = .allow
                case .deny(let reply), .return(let reply): action = try compiledReply(reply)
                case .redirect(let redirect): action = try compiledRedirect(redirect)
                case .variable(let variable): action = .variable(try CompiledVariableAction(variable))
                case .stickCounter(let counter): action = .stickCounter(try CompiledStickAction(counter, level: .stream, countsRequest: true))
                case .patternFile(let change): action = .patternFile(try CompiledPatternFileAction(change))
                case .silentDrop: action = .silentDrop
                case .capture(let sample, let slot): action = .capture(try compiledSample(sample), slot: slot, response: true)
                }
                rules.append(Rule(action: action, condition: condition))
            } catch {
                report(rule.location, error.message)
            }
        }
        return CompiledHTTPRules(rules: rules)
    }

    private static func compiledSample(_ text: String) throws(RoutingError) -> CompiledSample {
        switch SampleExpression.parse(text) {
        case .success(let expression): return try CompiledSample(expression)
        case .failure(let error): throw RoutingError(error.message)
        }
    }

    private static func compiledRedirect(_ redirect: HTTPRedirect) throws(RoutingError) -> Action {
        .redirect(redirect, redirect.valueIsLogFormat ? try LogFormatTemplate(redirect.value) : nil)
    }

    private static func compiledReply(_ reply: HTTPReply, tarpit: Bool = false) throws(RoutingError) -> Action {
        var headers: [LogFormatTemplate] = []
        for field in reply.headers { headers.append(try LogFormatTemplate(field.value)) }
        if case .logFormat(let text) = reply.payload { return .reply(reply, try LogFormatTemplate(text), headers: headers, tarpit: tarpit) }
        return .reply(reply, nil, headers: headers, tarpit: tarpit)
    }
}
