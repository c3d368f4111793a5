/// The keywords of a `userlist` section: `group` and `user`.
enum UserlistKeywords {
    /// Reads one line into the section; returns a warning, if any.
    static func handle(_ line: ConfigurationLine, into section: inout Userlist) throws -> String? {
        let words = line.words
        switch line.keyword {
        case "group":
            guard words.count >= 2 else { throw ConfigurationError("'group' expects a group name, optionally followed by 'users' and a comma-separated list of users") }
            let name = words[1]
            var users: [String] = []
            var rest = words.dropFirst(2)
            while let option = rest.first {
                rest = rest.dropFirst()
                guard option == "users" else {
                    throw ConfigurationError("'group' takes only the 'users' option, not '\(option)'")
                }
                // As HAProxy, `users` without a list adds nobody.
                if let list = rest.first {
                    users += Self.list(list)
                    rest = rest.dropFirst()
                }
            }
            if section.groups.contains(where: { $0.name == name }) {
                return "ignoring duplicated group '\(name)' in userlist '\(section.name)'"
            }
            section.groups.append(Userlist.Group(name: name, users: users, location: line.location))
            return nil
        case "user":
            guard words.count >= 2 else {
                throw ConfigurationError("'user' expects a user name, then 'password HASH' or 'insecure-password TEXT', and optionally 'groups G1,G2'")
            }
            let name = words[1]
            var password: Userlist.Password? = nil
            var groups: [String] = []
            var rest = words.dropFirst(2)
            while let option = rest.first {
                rest = rest.dropFirst()
                switch option {
                case "password", "insecure-password":
                    guard let value = rest.first else { throw ConfigurationError("'\(option)' expects a value in 'user \(name)'") }
                    rest = rest.dropFirst()
                    password = option == "password" ? .hashed(value) : .insecure(value)
                case "groups":
                    if let list = rest.first {
                        groups += Self.list(list)
                        rest = rest.dropFirst()
                    }
                default:
                    let hint = NearestMatch.find(option, in: ["password", "insecure-password", "groups"]).map { "; did you mean '\($0)'?" } ?? ""
                    throw ConfigurationError("unexpected '\(option)' in 'user \(name)' (expected 'password', 'insecure-password' or 'groups')\(hint)")
                }
            }
            if section.users.contains(where: { $0.name == name }) {
                return "ignoring duplicated user '\(name)' in userlist '\(section.name)'"
            }
            section.users.append(Userlist.User(name: name, password: password, groups: groups, location: line.location))
            return nil
        default:
            let hint = NearestMatch.find(line.keyword, in: ["group", "user"]).map { "; did you mean '\($0)'?" } ?? ""
            throw ConfigurationError("unknown keyword '\(line.keyword)' in a userlist section (it holds 'group' and 'user' lines)\(hint)")
        }
    }

    /// A comma-separated list; empty items are skipped.
    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map(String.init)
    }

    /// What can only be checked once the section is read: every group a user names exists, every
    /// user a group names exists. Alerts at the line that names the missing one.
    static func check(_ section: Userlist) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let groupNames = Set(section.groups.map(\.name))
        let userNames = Set(section.users.map(\.name))
        for user in section.users {
            for group in user.groups where !groupNames.contains(group) {
                let hint = NearestMatch.find(group, in: groupNames).map { "; did you mean '\($0)'?" } ?? ""
                diagnostics.append(.alert(user.location, "userlist '\(section.name)': user '\(user.name)' names group '\(group)', which this userlist does not declare\(hint)"))
            }
        }
        for group in section.groups {
            for user in group.users where !userNames.contains(user) {
                let hint = NearestMatch.find(user, in: userNames).map { "; did you mean '\($0)'?" } ?? ""
                diagnostics.append(.alert(group.location, "userlist '\(section.name)': group '\(group.name)' names user '\(user)', which this userlist does not declare\(hint)"))
            }
        }
        return diagnostics
    }
}
