/// A `userlist NAME` section: the users (with their passwords) and groups that `http_auth`,
/// `http_auth_group`, `http-request auth` and `stats http-request auth` check requests against.
public struct Userlist: Sendable, Equatable {
    /// `group NAME [users U1,U2…]`.
    public struct Group: Sendable, Equatable {
        public var name: String
        /// The users the `users` option names (a user may also name its groups itself).
        public var users: [String]
        public var location: SourceLocation

        public init(name: String, users: [String] = [], location: SourceLocation) {
            self.name = name
            self.users = users
            self.location = location
        }
    }

    /// How a user's password is given.
    public enum Password: Sendable, Equatable {
        /// `password HASH`: a crypt(3) string (`$6$…`, `$5$…`, `$y$…`, `$1$…`, DES…).
        case hashed(String)
        /// `insecure-password TEXT`: the password itself.
        case insecure(String)
    }

    /// `user NAME [password HASH | insecure-password TEXT] [groups G1,G2…]`.
    public struct User: Sendable, Equatable {
        public var name: String
        /// None: no password can match (as HAProxy, which accepts such a user).
        public var password: Password?
        /// The groups the `groups` option names.
        public var groups: [String]
        public var location: SourceLocation

        public init(name: String, password: Password?, groups: [String] = [], location: SourceLocation) {
            self.name = name
            self.password = password
            self.groups = groups
            self.location = location
        }
    }

    public var name: String
    public var location: SourceLocation
    /// In declaration order; names are unique (a repeated one is ignored with a warning).
    public var groups: [Group] = []
    public var users: [User] = []

    public init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }

    /// The groups `user` belongs to, from both directions: the user's `groups` option and the
    /// groups' `users` options.
    public func groups(of user: String) -> Set<String> {
        var result = Set(users.first { $0.name == user }?.groups ?? [])
        for group in groups where group.users.contains(user) {
            result.insert(group.name)
        }
        return result
    }
}
