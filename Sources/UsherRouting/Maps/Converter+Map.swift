/// `map(FILE[,DEFAULT])`, `map_METHOD(FILE[,DEFAULT])` and `map_METHOD_OUTPUT(FILE[,DEFAULT])`:
/// the value of the file's entry the input matches, else the default, else no value.
extension Converter {
    /// The matching methods a map's name may give, and what each means.
    static let mapMethods: [String: MatchMethod] = [
        "str": .string, "beg": .beginning, "sub": .substring, "dir": .directory, "dom": .domain,
        "end": .end, "reg": .regex, "int": .integer, "ip": .ip,
    ]

    /// The matcher a converter's name describes; `nil` when the name is not a map converter's.
    static func mapMatcher(named name: String) throws(RoutingError) -> PatternMatcher? {
        guard name == "map" || name.hasPrefix("map_") else { return nil }
        if name == "map" { return PatternMatcher(method: .string, output: .string) }
        let parts = name.dropFirst(4).split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        if parts == ["regm"] || parts.first == "regm" {
            throw RoutingError("converter '\(name)' (back-references in map values) is not supported by usher yet")
        }
        guard (1...2).contains(parts.count), let method = mapMethods[parts[0]] else {
            throw RoutingError("unknown converter '\(name)' (map converters are map, map_METHOD or map_METHOD_OUTPUT, METHOD one of str, beg, sub, dir, dom, end, reg, int, ip)")
        }
        var output = PatternMatcher.Output.string
        if parts.count == 2 {
            guard let known = PatternMatcher.Output(rawValue: parts[1]) else {
                throw RoutingError("unknown converter '\(name)' (a map's output type is str, int or ip)")
            }
            output = known
        }
        return PatternMatcher(method: method, output: output)
    }

    /// The map converter `call` names, or `nil` when it is another converter.
    static func mapConverter(_ call: (name: String, arguments: [String])) throws(RoutingError) -> Transform? {
        guard let matcher = try mapMatcher(named: call.name) else { return nil }
        guard (1...2).contains(call.arguments.count), !call.arguments[0].isEmpty else {
            throw RoutingError("converter '\(call.name)' expects a map file and an optional default value, e.g. \(call.name)(/etc/haproxy/hosts.map,default)")
        }
        let path = call.arguments[0]
        var fallback: SampleValue? = nil
        if call.arguments.count == 2 {
            do {
                fallback = try matcher.parseValue(call.arguments[1])
            } catch {
                throw RoutingError("in converter '\(call.name)': the default value: \(error.message)")
            }
        }
        let file = try PatternFileScope.files(for: call.name).file(path, layout: .map, user: .map)
        try file.register(matcher)
        let defaultValue = fallback
        return { value in
            guard let input = matcher.cast(value) else { return nil }
            if let found = file.lookup(input, matcher) { return found.value }
            return defaultValue
        }
    }
}
