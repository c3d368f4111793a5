/// Why a TLS handshake with a server did not complete.
struct ServerTLSHandshakeError: Error, CustomStringConvertible {
    private enum Code {
        case timedOut
        case closed
        case failed(String)
        case nameMismatch(String)
    }

    private let code: Code

    /// `timeout connect` (or a health check's connection timeout) passed first.
    static let timedOut = ServerTLSHandshakeError(code: .timedOut)
    /// The server closed the connection before the handshake was over.
    static let closed = ServerTLSHandshakeError(code: .closed)

    static func failed(_ error: Error) -> ServerTLSHandshakeError {
        ServerTLSHandshakeError(code: .failed("\(error)"))
    }

    /// `verify required`: the certificate does not carry the SNI sent or `verifyhost`.
    static func nameMismatch(expected: String) -> ServerTLSHandshakeError {
        ServerTLSHandshakeError(code: .nameMismatch(expected))
    }

    var isTimeout: Bool {
        if case .timedOut = code { return true }
        return false
    }

    var description: String {
        switch code {
        case .timedOut: return "TLS handshake timed out"
        case .closed: return "connection closed during the TLS handshake"
        case .failed(let reason): return "TLS handshake failed: \(reason)"
        case .nameMismatch(let name): return "the server's certificate is not valid for '\(name)'"
        }
    }
}
