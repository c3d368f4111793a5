extension ProxyKeywords {
    /// `bind … mode OCTAL | uid N | gid N | user NAME | group NAME`: the socket file's permissions
    /// and owner. Names are looked up now, so an unknown one is an error on its line.
    static func parseUnixPermission(_ option: String, _ value: String, into permissions: inout UnixSocketPermissions) throws {
        switch option {
        case "mode":
            // Octal, as chmod reads it: `600`, `0660`, `0o660` is not HAProxy's and is refused.
            guard !value.isEmpty, value.utf8.count <= 6, let bits = UInt32(value, radix: 8), bits <= 0o7777 else {
                throw ConfigurationError("bind option 'mode' expects octal permissions such as 660 or 0600, not '\(value)'")
            }
            permissions.mode = bits
        case "uid", "gid":
            guard let id = UInt32(value), id != UInt32.max else {
                throw ConfigurationError("bind option '\(option)' expects a numeric \(option == "uid" ? "user" : "group") ID, not '\(value)'")
            }
            if option == "uid" { permissions.userID = id } else { permissions.groupID = id }
        case "user":
            guard let id = SystemAccounts.userID(named: value) else {
                throw ConfigurationError("bind option 'user': unknown user '\(value)'")
            }
            permissions.userID = id
        default:
            guard let id = SystemAccounts.groupID(named: value) else {
                throw ConfigurationError("bind option 'group': unknown group '\(value)'")
            }
            permissions.groupID = id
        }
    }
}
