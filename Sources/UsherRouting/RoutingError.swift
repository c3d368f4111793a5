/// Why a configuration cannot be turned into routing decisions; the caller adds file and line.
public struct RoutingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
