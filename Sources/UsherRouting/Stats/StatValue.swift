/// One cell of a statistics row.
public enum StatValue: Sendable, Equatable {
    case int(Int)
    case string(String)

    /// The cell as the CSV and the typed output print it.
    public var text: String {
        switch self {
        case .int(let value): return String(value)
        case .string(let value): return value
        }
    }
}
