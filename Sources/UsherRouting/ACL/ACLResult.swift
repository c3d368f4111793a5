/// The three-valued result of an ACL or condition: HAProxy's PASS, FAIL and MISS. `miss` means the
/// answer depends on bytes that have not arrived yet.
public enum ACLResult: Sendable, Equatable {
    case pass
    case fail
    case miss

    public static prefix func ! (value: ACLResult) -> ACLResult {
        switch value {
        case .pass: return .fail
        case .fail: return .pass
        case .miss: return .miss
        }
    }

    /// Conjunction: any fail decides; otherwise any miss leaves it open.
    static func && (lhs: ACLResult, rhs: ACLResult) -> ACLResult {
        if lhs == .fail || rhs == .fail { return .fail }
        if lhs == .miss || rhs == .miss { return .miss }
        return .pass
    }

    /// Disjunction: any pass decides; otherwise any miss leaves it open.
    static func || (lhs: ACLResult, rhs: ACLResult) -> ACLResult {
        if lhs == .pass || rhs == .pass { return .pass }
        if lhs == .miss || rhs == .miss { return .miss }
        return .fail
    }
}
