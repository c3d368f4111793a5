/// One line of the statistics: a frontend, a backend, a server or a listener, with the cells it
/// carries (the others print empty).
public struct StatRow: Sendable, Equatable {
    /// HAProxy's `type` column: 0 frontend, 1 backend, 2 server, 3 listener.
    public enum Kind: Int, Sendable {
        case frontend = 0
        case backend = 1
        case server = 2
        case listener = 3

        /// The object-type letter of `show stat typed`.
        var letter: String {
            switch self {
            case .frontend: return "F"
            case .backend: return "B"
            case .server: return "S"
            case .listener: return "L"
            }
        }

        /// The object type of `show stat json`.
        var jsonName: String {
            switch self {
            case .frontend: return "Frontend"
            case .backend: return "Backend"
            case .server: return "Server"
            case .listener: return "Listener"
            }
        }
    }

    public var kind: Kind
    /// The proxy's `iid` and the server's or listener's `sid` (0 for a frontend or backend row).
    public var proxyID: Int
    public var objectID: Int
    public var isHTTP: Bool
    private var cells: [StatValue?]

    public init(kind: Kind, proxyName: String, serviceName: String, proxyID: Int, objectID: Int, isHTTP: Bool) {
        self.kind = kind
        self.proxyID = proxyID
        self.objectID = objectID
        self.isHTTP = isHTTP
        self.cells = Array(repeating: nil, count: StatField.allCases.count)
        self[.pxname] = .string(proxyName)
        self[.svname] = .string(serviceName)
        self[.pid] = .int(1)
        self[.iid] = .int(proxyID)
        self[.sid] = .int(objectID)
        self[.type] = .int(kind.rawValue)
        self[.moduleSeparator] = .string("-")
    }

    /// A cell; setting one the row's kind does not carry is ignored, so every row prints the
    /// columns HAProxy's would.
    public subscript(_ field: StatField) -> StatValue? {
        get { cells[field.rawValue] }
        set {
            guard newValue == nil || field.applies(to: kind, isHTTP: isHTTP) else { return }
            cells[field.rawValue] = newValue
        }
    }

    public subscript(int field: StatField) -> Int? {
        get { if case .int(let value)? = self[field] { return value } else { return nil } }
        set { self[field] = newValue.map(StatValue.int) }
    }

    public var proxyName: String { self[.pxname]?.text ?? "" }
    public var serviceName: String { self[.svname]?.text ?? "" }
    public var status: String { self[.status]?.text ?? "" }

    /// The cells that are present, in column order.
    public var presentFields: [(StatField, StatValue)] {
        StatField.allCases.compactMap { field in cells[field.rawValue].map { (field, $0) } }
    }
}
