import NIOConcurrencyHelpers
import UsherConfig

/// A `userlist` section ready to check requests: users by name with their password and groups
/// (from both directions), and the verifier that checks hashes.
public final class CompiledUserlist: Sendable {
    struct User: Sendable {
        var password: Userlist.Password?
        var groups: Set<String>
    }

    public let name: String
    let users: [String: User]
    let groupNames: Set<String>
    let verifier: CredentialVerifier

    init(_ userlist: Userlist, verifier: CredentialVerifier) {
        name = userlist.name
        var users: [String: User] = [:]
        for user in userlist.users where users[user.name] == nil {
            users[user.name] = User(password: user.password, groups: userlist.groups(of: user.name))
        }
        self.users = users
        groupNames = Set(userlist.groups.map(\.name))
        self.verifier = verifier
    }

    /// The hash `user`'s password is checked against, if it has one.
    func hash(of user: String) -> String? {
        if case .hashed(let hash)? = users[user]?.password { return hash }
        return nil
    }

    /// Whether the credentials are those of a user of this list. `known` holds the results of the
    /// hash checks already made for this request (by hash); new results are added to it.
    func authenticates(_ user: String, _ password: String, known: inout [String: Bool]) -> Bool {
        guard let entry = users[user], let stored = entry.password else { return false }
        switch stored {
        case .insecure(let text):
            return SystemCrypt.constantTimeEqual(text, password)
        case .hashed(let hash):
            if let result = known[hash] { return result }
            let result = verifier.verify(password, hash: hash)
            known[hash] = result
            return result
        }
    }

    /// The groups of `user` (empty for an unknown user).
    func groups(of user: String) -> Set<String> {
        users[user]?.groups ?? []
    }
}

/// The userlists of one configuration, as the routing table keeps them: what rules find by name,
/// and which of them rules read (for the checks the proxy makes before a request's rules).
public struct AuthenticationSet: Sendable {
    public let userlists: [String: CompiledUserlist]
    /// The userlists `http_auth`/`http_auth_group` fetches name somewhere in the configuration.
    public let referenced: [CompiledUserlist]

    public static let empty = AuthenticationSet(userlists: [:], referenced: [])

    /// The hashes a request's Basic credentials must be checked against that the verifier has not
    /// already seen match: one per referenced userlist that has the user with a hashed password.
    /// Empty when the request has no such credentials, or when every check is cached.
    public func pendingHashes(_ headers: HTTPHeaders) -> (password: String, hashes: [String], verifier: CredentialVerifier)? {
        guard !referenced.isEmpty, let credentials = HTTPAuthorization(headers)?.basicCredentials else { return nil }
        var hashes: [String] = []
        var verifier: CredentialVerifier?
        for userlist in referenced {
            guard let hash = userlist.hash(of: credentials.user), !hashes.contains(hash) else { continue }
            if userlist.verifier.isKnownMatch(credentials.password, hash: hash) { continue }
            hashes.append(hash)
            verifier = userlist.verifier
        }
        guard let verifier, !hashes.isEmpty else { return nil }
        return (credentials.password, hashes, verifier)
    }
}

/// What compiling a proxy's fetches finds as userlists. Bound while `RoutingTable.compile` runs;
/// records which userlists the fetches name.
public final class AuthenticationScope: Sendable {
    let userlists: [String: CompiledUserlist]
    private let used = NIOLockedValueBox<[String]>([])

    @TaskLocal public static var current: AuthenticationScope?

    init(userlists: [String: CompiledUserlist]) {
        self.userlists = userlists
    }

    var referenced: [CompiledUserlist] {
        used.withLockedValue { $0 }.compactMap { userlists[$0] }
    }

    /// The userlist `name` names, for fetch `what`; explains what is missing.
    static func resolve(_ name: String?, for what: String) throws(RoutingError) -> CompiledUserlist {
        guard let name, !name.isEmpty else {
            throw RoutingError("'\(what)' expects the name of a userlist, e.g. \(what)(admins)")
        }
        guard let scope = current, let userlist = scope.userlists[name] else {
            let hint = current.flatMap { NearestMatch.find(name, in: $0.userlists.keys) }.map { "; did you mean '\($0)'?" } ?? ""
            throw RoutingError("'\(what)' names userlist '\(name)', which no userlist section declares\(hint)")
        }
        scope.used.withLockedValue { if !$0.contains(name) { $0.append(name) } }
        return userlist
    }
}
