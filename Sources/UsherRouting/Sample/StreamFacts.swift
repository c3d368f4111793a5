/// What a stream (one HTTP request, or one TCP session) knows of where it runs: its frontend, the
/// backend and server once chosen, its number in the process and its unique ID. The `fe_name`,
/// `be_name`, `srv_name` fetches and the `%f`, `%b`, `%s`, `%ID`, `%rt` log-format variables read it.
public struct StreamFacts: Sendable, Equatable {
    public var frontendName: String?
    /// The proxy's number (HAProxy's `iid`: declaration order from 1, or 2 with a `stats socket`).
    public var frontendID: Int?
    public var backendName: String?
    public var backendID: Int?
    public var serverName: String?
    /// The server's number in its backend, from 1.
    public var serverID: Int?
    /// The stream's number in the process, from 0 (`%rt`).
    public var streamNumber: Int = 0
    /// The result of `unique-id-format`. usher renders it as the stream starts; HAProxy makes it
    /// when first asked for (`unique-id`), else once the request rules are done.
    public var uniqueID: String?
    /// Whether the unique ID exists yet as HAProxy sees it: `%ID` prints nothing before.
    public var uniqueIDIsSet = false
    /// Whether the client connection is TLS (`%ft` then adds `~` to the frontend's name).
    public var frontendIsTLS = false
    /// The stream is the first request of its client connection (`http_first_req`).
    public var isFirstRequest = true

    public init(frontendName: String? = nil, frontendID: Int? = nil, streamNumber: Int = 0) {
        self.frontendName = frontendName
        self.frontendID = frontendID
        self.streamNumber = streamNumber
    }
}
