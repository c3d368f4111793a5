/// The keywords of a `peers` section: its peers (`peer`, or 2.x's `server` with `bind` for the
/// local one), its tables, `disabled`.
enum PeersKeywords {
    /// Reads one line into the section; returns a warning, if any.
    static func handle(_ line: ConfigurationLine, into section: inout PeersSection) throws -> String? {
        let words = line.words
        switch line.keyword {
        case "peer", "server":
            guard words.count >= 2 else { throw ConfigurationError("'\(line.keyword)' expects a peer name and, for a remote peer, its address") }
            let name = words[1]
            if let existing = section.peers.first(where: { $0.name == name }) {
                throw ConfigurationError("peer '\(name)' is already declared at \(existing.location)")
            }
            if line.keyword == "peer", words.count < 3 { throw ConfigurationError("'peer \(name)' expects an address such as 10.0.0.2:10000") }
            let address = words.count >= 3 ? words[2] : nil
            if let address {
                guard case .success = Address.parse(address, portRequired: true) else {
                    throw ConfigurationError("'\(line.keyword) \(name)' expects an address with a port such as 10.0.0.2:10000, not '\(address)'")
                }
            }
            section.peers.append(PeersSection.Peer(name: name, address: address, location: line.location))
            if words.count > 3 {
                return "options after the address of '\(line.keyword) \(name)' (\(words.dropFirst(3).joined(separator: " "))) are not applied by usher: the connection is plain TCP"
            }
            return nil
        case "table":
            guard words.count >= 2 else { throw ConfigurationError("'table' expects a name, then 'type' and 'size' as in 'stick-table'") }
            let name = "\(section.name)/\(words[1])"
            if let existing = section.tables.first(where: { $0.name == name }) {
                throw ConfigurationError("table '\(words[1])' is already declared in peers section '\(section.name)' at \(existing.location)")
            }
            var table = try StickTableParser.parse(words.dropFirst(2), name: name, allowsPeers: false, location: line.location)
            table.peers = section.name
            section.tables.append(table)
            return StickTableParser.unappliedWarning(table)
        case "disabled":
            section.isDisabled = true
            return nil
        case "enabled", "enable":
            section.isDisabled = false
            return nil
        case "bind":
            guard words.count >= 2 else { throw ConfigurationError("'bind' expects an address such as 10.0.0.1:10000") }
            if section.bind != nil { throw ConfigurationError("a peers section takes one 'bind' line") }
            guard case .success = Address.parse(words[1], portRequired: true) else {
                throw ConfigurationError("'bind' expects an address with a port such as 10.0.0.1:10000, not '\(words[1])'")
            }
            section.bind = words[1]
            return words.count > 2 ? "'bind' options in a peers section (\(words.dropFirst(2).joined(separator: " "))) are ignored by usher" : nil
        case "default-bind", "default-server", "log":
            return "'\(line.keyword)' in a peers section is ignored by usher"
        case "shards":
            throw ConfigurationError("'shards' in a peers section is not an HAProxy 2.6 keyword")
        default:
            let known = ["peer", "server", "table", "bind", "default-bind", "default-server", "log", "disabled", "enabled"]
            let hint = NearestMatch.find(line.keyword, in: known).map { "; did you mean '\($0)'?" } ?? ""
            throw ConfigurationError("unknown keyword '\(line.keyword)' in a peers section\(hint)")
        }
    }
}
