import NIOCore

extension CheckOutcome {
    /// HAProxy's short check status for the stats (`check_status`): the layer and what happened.
    var statusCode: String {
        switch self {
        case .passed(let layer): return "L\(layer)OK"
        case .connectFailure(let error):
            if case ChannelError.connectTimeout = error { return "L4TOUT" }
            return "L4CON"
        case .timeout(let layer): return "L\(layer)TOUT"
        case .invalidResponse, .closedWithoutResponse, .tlsHandshakeFailed: return "L6RSP"
        case .verdict(let verdict): return verdict.status.rawValue
        case .layer7(let passed, let reason, let code, _):
            if passed { return "L7OK" }
            if reason.contains("timeout") { return "L7TOUT" }
            return code == nil ? "L7RSP" : "L7STS"
        }
    }
}
