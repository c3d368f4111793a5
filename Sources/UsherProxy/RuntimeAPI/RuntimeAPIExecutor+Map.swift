import UsherRouting

/// `show|get|add|set|del|clear map` and `show|get|add|del|clear acl`: the maps and ACL pattern
/// files in memory, as HAProxy 2.6's CLI shows and changes them. Changes are seen at once by every
/// converter and ACL that reads the file; they last until the next reload.
extension RuntimeAPIExecutor {
    var patternFiles: PatternFileSet { runtime.table.patternFiles }

    enum PatternFileKind {
        case map, acl

        var unknown: String {
            self == .map ? "Unknown map identifier. Please use #<id> or <file>.\n" : "Unknown ACL identifier. Please use #<id> or <file>.\n"
        }
    }

    /// The file a command names (its path or `#ID`) among those `show map`/`show acl` list.
    private func patternFile(_ name: String, _ kind: PatternFileKind) -> PatternFile? {
        guard !name.isEmpty, let file = patternFiles[name] else { return nil }
        switch kind {
        case .map: return file.layout == .map ? file : nil
        case .acl: return file.userKinds.contains(.acl) || file.layout == .patterns ? file : nil
        }
    }

    /// `show map|acl [FILE|#ID]`: the list of files, or one file's entries.
    func showPatternFiles(_ kind: PatternFileKind, _ name: String) -> RuntimeAPIReply {
        guard name.isEmpty else {
            guard let file = patternFile(name, kind) else { return .output(kind.unknown) }
            let lines = file.snapshot.map { entry in
                "0x\(String(entry.id, radix: 16)) \(entry.key)" + (entry.value.map { " " + $0 } ?? "") + "\n"
            }
            return .output(lines.joined())
        }
        var text = "# id (file) description\n"
        for file in patternFiles.files where patternFile("#\(file.id)", kind) != nil {
            var kinds: [String] = []
            for user in file.userKinds where !kinds.contains(user.rawValue) { kinds.append(user.rawValue) }
            let usedBy = kinds.isEmpty ? "" : " used by " + kinds.joined(separator: ", by ")
            text += "\(file.id) (\(file.path)) pattern loaded from file '\(file.path)'\(usedBy). curr_ver=0 next_ver=0 entry_cnt=\(file.count)\n"
        }
        return .output(text)
    }

    /// `get map|acl FILE VALUE`: for each way the file is matched, what `VALUE` finds.
    func getPatternFile(_ kind: PatternFileKind, _ name: String, _ value: String) -> RuntimeAPIReply {
        guard !name.isEmpty, !value.isEmpty else {
            return .output(kind == .map ? "Missing map identifier and/or key.\n" : "Missing ACL identifier and/or key.\n")
        }
        guard let file = patternFile(name, kind) else { return .output(kind.unknown) }
        var text = ""
        for (matcher, match) in file.describeLookups(value) {
            text += "type=\(matcher.method.rawValue), case=\(matcher.ignoreCase ? "insensitive" : "sensitive"), "
            guard let match else {
                text += kind == .map ? "found=no\n" : "match=no\n"
                continue
            }
            let index = matcher.isTree ? "tree" : "list"
            switch kind {
            case .map:
                text += "found=yes, idx=\(index), key=\"\(match.entry.key)\", "
                if let value = match.value {
                    text += "value=\"\(value.text)\", type=\"\(Self.typeName(value))\"\n"
                } else {
                    text += "value=none\n"
                }
            case .acl:
                text += "match=yes, idx=\(index), pattern=\"\(match.entry.key)\"\n"
            }
        }
        return .output(text)
    }

    static func typeName(_ value: SampleValue) -> String {
        switch value {
        case .integer: "sint"
        case .address(.v4): "ipv4"
        case .address(.v6): "ipv6"
        case .boolean: "bool"
        case .binary: "bin"
        case .string: "str"
        }
    }

    /// `add map FILE KEY VALUE`, `add acl FILE PATTERN`.
    func addToPatternFile(_ kind: PatternFileKind, _ words: [String]) -> RuntimeAPIReply {
        switch kind {
        case .map:
            guard words.count == 3 else {
                if words.count == 1 {
                    return .output("adding entries from a payload ('add map FILE <<') is not supported by usher yet.\n")
                }
                return .output("'add map' expects three parameters (map identifier, key and value) or one parameter (map identifier) and a payload\n")
            }
        case .acl:
            guard words.count == 2 else { return .output("'add acl' expects two parameters: ACL identifier and pattern.\n") }
        }
        guard let file = patternFile(words[0], kind) else { return .output(kind.unknown) }
        if kind == .acl, file.layout == .map {
            return .output("This ACL is shared with a map containing samples. You must use the command 'add map' to add values.\n")
        }
        do {
            try file.add(key: words[1], value: kind == .map ? words[2] : nil)
        } catch {
            return .output(Self.message(error))
        }
        return .output("")
    }

    /// `set map FILE KEY|#ID VALUE`.
    func setInPatternFile(_ words: [String]) -> RuntimeAPIReply {
        guard words.count == 3 else { return .output("'set map' expects three parameters: map identifier, key and value.\n") }
        guard let file = patternFile(words[0], .map) else { return .output(PatternFileKind.map.unknown) }
        do {
            guard try file.setValue(words[2], forKey: words[1]) else { return .output("entry not found.\n") }
        } catch {
            return .output(Self.message(error))
        }
        return .output("")
    }

    /// `del map|acl FILE KEY|#ID`.
    func deleteFromPatternFile(_ kind: PatternFileKind, _ words: [String]) -> RuntimeAPIReply {
        guard words.count == 2 else {
            return .output(kind == .map ? "This command expects two parameters: map identifier and key.\n" : "This command expects two parameters: ACL identifier and key.\n")
        }
        guard let file = patternFile(words[0], kind) else { return .output(kind.unknown) }
        guard file.remove(key: words[1]) else { return .output("Key not found.\n") }
        return .output("")
    }

    /// `clear map|acl FILE`.
    func clearPatternFile(_ kind: PatternFileKind, _ name: String) -> RuntimeAPIReply {
        guard !name.isEmpty else { return .output(kind == .map ? "Missing map identifier.\n" : "Missing ACL identifier.\n") }
        guard let file = patternFile(name, kind) else { return .output(kind.unknown) }
        file.clear()
        return .output("")
    }

    private static func message(_ error: PatternFile.ChangeError) -> String {
        switch error {
        case .invalid(let message): return message + ".\n"
        case .full: return "Out of memory error: the map or ACL holds \(PatternFile.maximumEntries) entries already.\n"
        }
    }
}
