/// `stick-table type … size … [expire …] [nopurge] [peers …] [srvkey …] [store …]` in a frontend,
/// backend or listen section, or `table NAME type …` in a `peers` section: a table of entries keyed
/// by an address, a number or a string, each keeping the counters `store` names.
public struct StickTableDefinition: Sendable, Equatable {
    public enum KeyType: Sendable, Equatable {
        /// IPv4 addresses (an IPv6 one is stored only if it maps an IPv4 one).
        case ip
        case ipv6
        /// 32-bit integers.
        case integer
        /// Text cut to `length` bytes (32 unless given).
        case string(length: Int)
        /// Blocks of exactly `length` bytes: longer ones cut, shorter ones padded with zeros.
        case binary(length: Int)

        /// The word `type` takes.
        public var name: String {
            switch self {
            case .ip: "ip"
            case .ipv6: "ipv6"
            case .integer: "integer"
            case .string: "string"
            case .binary: "binary"
            }
        }
    }

    /// How `stick store` identifies a server (`srvkey`).
    public enum ServerKey: String, Sendable, Equatable {
        case name
        case addr
    }

    /// The table's name: its proxy's, or `PEERS/NAME` for a `peers` section's `table`.
    public var name: String
    public var keyType: KeyType
    /// At most this many entries.
    public var size: Int
    /// An entry not tracked, matched or stored for this long goes away; nil: only when the table is full.
    public var expire: Duration?
    /// When full, refuse new entries instead of evicting the oldest.
    public var noPurge: Bool
    /// The `peers` section that keeps it in sync with other instances.
    public var peers: String?
    public var serverKey: ServerKey
    /// What each entry keeps, in the order `store` gave.
    public var stored: [StickData]
    /// Whether `type string|binary` was given its `len` (HAProxy counts a string's given length
    /// plus one, its default as is: the peers protocol compares the two).
    public var keyLengthGiven = false
    public var location: SourceLocation

    public init(
        name: String, keyType: KeyType, size: Int, expire: Duration? = nil, noPurge: Bool = false, peers: String? = nil,
        serverKey: ServerKey = .name, stored: [StickData] = [], location: SourceLocation
    ) {
        self.name = name
        self.keyType = keyType
        self.size = size
        self.expire = expire
        self.noPurge = noPurge
        self.peers = peers
        self.serverKey = serverKey
        self.stored = stored
        self.location = location
    }
}

/// One kind of data a stick-table entry keeps (`store conn_cur,http_req_rate(10s)`).
public struct StickData: Sendable, Hashable {
    /// The kinds, in the order HAProxy lists them (`show table` prints an entry's data in this order).
    public enum Kind: String, Sendable, Hashable, CaseIterable, Comparable {
        case serverID = "server_id"
        case gpt0
        case gpc0
        case gpc0Rate = "gpc0_rate"
        case connectionCount = "conn_cnt"
        case connectionRate = "conn_rate"
        case connectionsCurrent = "conn_cur"
        case sessionCount = "sess_cnt"
        case sessionRate = "sess_rate"
        case httpRequestCount = "http_req_cnt"
        case httpRequestRate = "http_req_rate"
        case httpErrorCount = "http_err_cnt"
        case httpErrorRate = "http_err_rate"
        case bytesInCount = "bytes_in_cnt"
        case bytesInRate = "bytes_in_rate"
        case bytesOutCount = "bytes_out_cnt"
        case bytesOutRate = "bytes_out_rate"
        case gpc1
        case gpc1Rate = "gpc1_rate"
        case serverKey = "server_key"
        case httpFailCount = "http_fail_cnt"
        case httpFailRate = "http_fail_rate"
        /// `gpt(N)`: an array of N tags.
        case gptArray = "gpt"
        /// `gpc(N)`: an array of N counters.
        case gpcArray = "gpc"
        /// `gpc_rate(N,PERIOD)`: an array of N rates.
        case gpcRateArray = "gpc_rate"

        /// Whether it is a rate over a period (it takes a period argument).
        public var isRate: Bool {
            switch self {
            case .gpc0Rate, .gpc1Rate, .connectionRate, .sessionRate, .httpRequestRate, .httpErrorRate, .bytesInRate, .bytesOutRate,
                 .httpFailRate, .gpcRateArray:
                true
            default:
                false
            }
        }

        /// Whether it is an array (it takes a number of elements).
        public var isArray: Bool { self == .gptArray || self == .gpcArray || self == .gpcRateArray }

        public static func < (lhs: Kind, rhs: Kind) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    public var kind: Kind
    /// A rate's period.
    public var period: Duration?
    /// An array's number of elements (1…100).
    public var count: Int

    public init(_ kind: Kind, period: Duration? = nil, count: Int = 1) {
        self.kind = kind
        self.period = period
        self.count = count
    }
}

/// The stick-counter actions of `tcp-request`, `http-request` and `http-response` rules.
public enum StickCounterAction: Sendable, Equatable {
    /// `track-scN KEY [table NAME]`: the entry for KEY becomes stick counter N of the session
    /// (`tcp-request connection|session`) or of the request (`tcp-request content`, `http-*`).
    case track(counter: Int, key: SampleExpression, table: String?)
    /// `sc-inc-gpc0(N)`, `sc-inc-gpc1(N)` (`element` 0 or 1, `inArray` false: the legacy counter, or
    /// the array's element where the table has `gpc(…)`), `sc-inc-gpc(IDX,N)` (`inArray`: the array
    /// only): adds one to a general purpose counter of stick counter N's entry, and to its rate.
    case incrementGPC(element: Int, counter: Int, inArray: Bool)
    /// `sc-set-gpt0(N) VALUE`, `sc-set-gpt(IDX,N) VALUE`: sets a general purpose tag.
    case setGPT(element: Int, counter: Int, inArray: Bool, value: SampleExpression)

    /// The stick counter the action works on.
    public var counter: Int {
        switch self {
        case .track(let counter, _, _), .incrementGPC(_, let counter, _), .setGPT(_, let counter, _, _): counter
        }
    }
}

/// A `peers` section: the instances that share stick tables, and the tables it declares
/// (`table NAME …`, named `SECTION/NAME` elsewhere in the file).
public struct PeersSection: Sendable, Equatable {
    /// A `peer NAME ADDRESS` (or `server NAME [ADDRESS]`) line.
    public struct Peer: Sendable, Equatable {
        public var name: String
        /// nil for a `server` line without an address (the local peer).
        public var address: String?
        public var location: SourceLocation

        public init(name: String, address: String?, location: SourceLocation) {
            self.name = name
            self.address = address
            self.location = location
        }
    }

    public var name: String
    public var peers: [Peer] = []
    /// `bind ADDRESS` (HAProxy 2.x): where the local peer listens when its `server` line has no address.
    public var bind: String?
    public var tables: [StickTableDefinition] = []
    public var isDisabled = false
    public var location: SourceLocation

    public init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }
}

/// `stick match|on|store-request|store-response PATTERN [table NAME] [COND]` in a backend:
/// persistence through a stick table (the entry keeps the server's id).
public struct StickRule: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// Looks the key up; an entry with a usable server sends the request there.
        case match
        /// Keeps the key with the server that took the request, once connected.
        case storeRequest = "store-request"
        /// Keeps a key read from the response with the server that answered.
        case storeResponse = "store-response"
    }

    public var kind: Kind
    public var key: SampleExpression
    /// The table; nil: the backend's own.
    public var table: String?
    public var condition: Condition?
    public var location: SourceLocation

    public init(kind: Kind, key: SampleExpression, table: String?, condition: Condition?, location: SourceLocation) {
        self.kind = kind
        self.key = key
        self.table = table
        self.condition = condition
        self.location = location
    }
}
