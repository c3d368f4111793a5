/// A health check that speaks a server's own protocol: `option mysql-check`, `pgsql-check`,
/// `redis-check`, `smtpchk`, `ldap-check`. Which check method is on is `ProxySettings.isEnabled`
/// of the option's name; its arguments are here.
public enum ProtocolCheck: Sendable, Equatable {
    /// `option mysql-check [user NAME [post-41|pre-41]]`: without a user, the server's greeting
    /// alone is read; with one, a login without password and a QUIT follow.
    case mysql(user: String?, post41: Bool)
    /// `option pgsql-check user NAME`: a StartupMessage, then the server's authentication answer.
    case pgsql(user: String)
    /// `option redis-check`: `PING`, then `+PONG`.
    case redis
    /// `option smtpchk [HELO|EHLO DOMAIN]`: the greeting, the hello command and QUIT, each answered 2xx.
    case smtp(hello: String, domain: String)
    /// `option ldap-check`: an anonymous LDAPv3 bind, answered with success.
    case ldap

    /// The option's name, as in `option NAME`.
    public var optionName: String {
        switch self {
        case .mysql: "mysql-check"
        case .pgsql: "pgsql-check"
        case .redis: "redis-check"
        case .smtp: "smtpchk"
        case .ldap: "ldap-check"
        }
    }
}
