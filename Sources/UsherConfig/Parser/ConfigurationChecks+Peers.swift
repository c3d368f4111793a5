extension ConfigurationChecks {
    /// `peers` sections and the tables they share: a table naming an undeclared section, a remote
    /// peer without an address, a section without a peer for this instance (ignored, as HAProxy
    /// ignores it: its tables stay local).
    static func checkPeers(_ configuration: Configuration, into diagnostics: inout [Diagnostic]) {
        let sections = Set(configuration.peers.map(\.name))
        for proxy in configuration.proxies {
            guard let table = proxy.stickTable, let name = table.peers, !sections.contains(name) else { continue }
            let hint = NearestMatch.find(name, in: sections).map { "; did you mean '\($0)'?" } ?? ""
            diagnostics.append(.alert(table.location, "\(proxy.kind.rawValue) '\(proxy.name)': stick-table names peers section '\(name)', which is not declared\(hint)"))
        }
        for section in configuration.peers where !section.isDisabled {
            let local = configuration.localPeerName
            for peer in section.peers where peer.address == nil && peer.name != local {
                diagnostics.append(.alert(peer.location, "peers section '\(section.name)': remote peer '\(peer.name)' needs an address (only this instance's own 'server' line may go without one)"))
            }
            guard let local else { continue }
            guard let own = section.peers.first(where: { $0.name == local }) else {
                diagnostics.append(.warning(section.location, "peers section '\(section.name)' has no peer named '\(local)' (this instance's name: -L, else 'localpeer', else the host name): it is ignored and its tables are not synchronised"))
                continue
            }
            if own.address == nil && section.bind == nil {
                diagnostics.append(.alert(own.location, "peers section '\(section.name)': local peer '\(local)' has no address and the section no 'bind' line: there is nowhere to listen"))
            }
        }
    }
}
