import UsherConfig

/// The runtime API commands usher knows, with HAProxy 2.6's usage lines and the level each needs;
/// and the texts built from them: `help`, and the answer to an unknown command.
public enum RuntimeAPICommandCatalogue {
    /// One command: the words that name it, its usage and description as `help` prints them, and
    /// the lowest level allowed to run it.
    public struct Entry: Sendable {
        public var keywords: [String]
        public var usage: String
        public var summary: String
        public var level: RuntimeAPILevel

        /// `  usage (padded to 40) : summary`, HAProxy's help line.
        var helpLine: String {
            let padded = usage.count >= 40 ? usage : usage + String(repeating: " ", count: 40 - usage.count)
            return "  \(padded): \(summary)\n"
        }
    }

    /// Sorted by usage, as HAProxy lists them.
    public static let entries: [Entry] = [
        Entry(keywords: ["add", "acl"], usage: "add acl [@<ver>] <acl> <pattern>", summary: "add an acl entry", level: .user),
        Entry(keywords: ["add", "map"], usage: "add map [@<ver>] <map> <key> <val>", summary: "add a map entry (payload supported instead of key/val)", level: .user),
        Entry(keywords: ["clear", "acl"], usage: "clear acl [@<ver>] <acl>", summary: "clear the contents of this acl", level: .user),
        Entry(keywords: ["clear", "counters"], usage: "clear counters [all]", summary: "clear max statistics counters (or all counters)", level: .operator),
        Entry(keywords: ["clear", "map"], usage: "clear map [@<ver>] <map>", summary: "clear the contents of this map", level: .user),
        Entry(keywords: ["clear", "table"], usage: "clear table <table> [<filter>]*", summary: "remove an entry from a table (filter: data/key)", level: .admin),
        Entry(keywords: ["del", "acl"], usage: "del acl <acl> [<key>|#<ref>]", summary: "delete acl entries matching <key>", level: .user),
        Entry(keywords: ["del", "map"], usage: "del map <map> [<key>|#<ref>]", summary: "delete map entries matching <key>", level: .user),
        Entry(keywords: ["disable", "frontend"], usage: "disable frontend <frontend>", summary: "temporarily disable specific frontend", level: .admin),
        Entry(keywords: ["disable", "server"], usage: "disable server (DEPRECATED)", summary: "disable a server for maintenance (use 'set server' instead)", level: .admin),
        Entry(keywords: ["enable", "frontend"], usage: "enable frontend <frontend>", summary: "re-enable specific frontend", level: .admin),
        Entry(keywords: ["enable", "server"], usage: "enable server  (DEPRECATED)", summary: "enable a disabled server (use 'set server' instead)", level: .admin),
        Entry(keywords: ["get", "acl"], usage: "get acl <acl> <value>", summary: "report the patterns matching a sample for an ACL", level: .user),
        Entry(keywords: ["get", "map"], usage: "get map <acl> <value>", summary: "report the keys and values matching a sample for a map", level: .user),
        Entry(keywords: ["get", "var"], usage: "get var <name>", summary: "read a process-wide variable (proc.<name>)", level: .operator),
        Entry(keywords: ["get", "weight"], usage: "get weight <bk>/<srv>", summary: "report a server's current weight", level: .user),
        Entry(keywords: ["operator"], usage: "operator", summary: "lower the level of the current CLI session to operator", level: .operator),
        Entry(keywords: ["set", "map"], usage: "set map <map> [<key>|#<ref>] <value>", summary: "modify a map entry", level: .user),
        Entry(keywords: ["set", "maxconn", "frontend"], usage: "set maxconn frontend <frontend> <value>", summary: "change a frontend's maxconn setting", level: .admin),
        Entry(keywords: ["set", "maxconn", "global"], usage: "set maxconn global <value>", summary: "change the per-process maxconn setting", level: .admin),
        Entry(keywords: ["set", "maxconn", "server"], usage: "set maxconn server <bk>/<srv>", summary: "change a server's maxconn setting", level: .admin),
        Entry(keywords: ["set", "server"], usage: "set server <bk>/<srv> [opts]", summary: "change a server's state, weight, address or ssl", level: .admin),
        Entry(keywords: ["set", "table"], usage: "set table <table> key <k> [data.* <v>]*", summary: "update or create a table entry's data", level: .admin),
        Entry(keywords: ["set", "weight"], usage: "set weight <bk>/<srv>  (DEPRECATED)", summary: "change a server's weight (use 'set server' instead)", level: .admin),
        Entry(keywords: ["show", "acl"], usage: "show acl [@<ver>] <acl>]", summary: "report available acls or dump an acl's contents", level: .user),
        Entry(keywords: ["show", "backend"], usage: "show backend", summary: "list backends in the current running config", level: .user),
        Entry(keywords: ["show", "cli", "level"], usage: "show cli level", summary: "display the level of the current CLI session", level: .user),
        Entry(keywords: ["show", "cli", "sockets"], usage: "show cli sockets", summary: "dump list of cli sockets", level: .user),
        Entry(keywords: ["show", "env"], usage: "show env [var]", summary: "dump environment variables known to the process", level: .operator),
        Entry(keywords: ["show", "info"], usage: "show info [desc|json|typed|float]*", summary: "report information about the running process", level: .user),
        Entry(keywords: ["show", "map"], usage: "show map [@ver] [map]", summary: "report available maps or dump a map's contents", level: .user),
        Entry(keywords: ["show", "peers"], usage: "show peers [dict|-] [section]", summary: "report the peers sections' sessions and shared tables", level: .user),
        Entry(keywords: ["show", "servers", "state"], usage: "show servers state [<backend>]", summary: "dump volatile server information (all or for a single backend)", level: .user),
        Entry(keywords: ["show", "sess"], usage: "show sess [id]", summary: "report the list of current sessions or dump this exact session", level: .operator),
        Entry(keywords: ["show", "stat"], usage: "show stat [desc|json|no-maint|typed|up]*", summary: "report counters for each proxy and server", level: .user),
        Entry(keywords: ["show", "table"], usage: "show table <table> [<filter>]*", summary: "report table usage stats or dump this table's contents (filter: data/key)", level: .operator),
        Entry(keywords: ["show", "version"], usage: "show version", summary: "show version of the current process", level: .user),
        Entry(keywords: ["shutdown", "session"], usage: "shutdown session [id]", summary: "kill a specific session", level: .admin),
        Entry(keywords: ["shutdown", "sessions", "server"], usage: "shutdown sessions server <bk>/<srv>", summary: "kill sessions on a server", level: .admin),
        Entry(keywords: ["user"], usage: "user", summary: "lower the level of the current CLI session to user", level: .user),
    ]

    /// The three commands every list ends with.
    static let sessionLines = "  help [<command>]                        : list matching or all commands\n"
        + "  prompt                                  : toggle interactive mode with prompt\n"
        + "  quit                                    : disconnect\n"

    /// The entry a request names (its keywords are the request's first words), the longest first.
    public static func entry(for request: RuntimeAPIRequest) -> Entry? {
        entries.filter { request.starts(with: $0.keywords) }.max { $0.keywords.count < $1.keywords.count }
    }

    /// `help [words…]`: every command, or those starting with the words given.
    public static func help(_ words: [String]) -> String {
        "The following commands are valid at this level:\n" + listing(matchingFirst: words) + sessionLines
    }

    /// HAProxy 2.6's answer to a command it does not know: the commands sharing the longest run of
    /// leading words with it, and among those the nearest by spelling of the words that follow.
    public static func unknownCommand(_ words: [String]) -> String {
        let length = entries.map { entry in zip(entry.keywords, words).prefix { $0 == $1 }.count }.max() ?? 0
        let header = length == 0 && (words.first ?? "").isEmpty
            ? "Unknown command. Please enter one of the following commands only:\n"
            : "Unknown command, but maybe one of the following ones is a better match:\n"
        guard length < words.count, !words[length].isEmpty else {
            return header + listing(matchingFirst: Array(words.prefix(length))) + sessionLines
        }
        // The five nearest (ties keep list order), cut where they get much worse than the best.
        let rest = Array(words[length...].prefix(5 - min(length, 5)))
        let restSignature = WordFingerprint(rest)
        var matches: [(entry: Entry, distance: Int)] = []
        for entry in entries where entry.keywords.count > length && Array(entry.keywords.prefix(length)) == Array(words.prefix(length)) {
            let tail = Array(entry.keywords[length...])
            let totalLength = rest.reduce(0) { $0 + $1.utf8.count } + tail.reduce(0) { $0 + $1.utf8.count }
            let distance = restSignature.distance(to: WordFingerprint(tail))
            guard distance < 5 * totalLength / 2 else { continue }
            matches.append((entry, distance))
        }
        let best = matches.enumerated().sorted { ($0.element.distance, $0.offset) < ($1.element.distance, $1.offset) }.prefix(5).map(\.element)
        guard let first = best.first else {
            return header + listing(matchingFirst: Array(words.prefix(length))) + sessionLines
        }
        let kept = best.prefix { $0.distance <= 5 * first.distance / 2 }.map(\.entry)
        return header + kept.sorted { $0.usage < $1.usage }.map(\.helpLine).joined() + sessionLines
    }

    static func listing(matchingFirst words: [String]) -> String {
        entries.filter { entry in zip(entry.keywords, words).allSatisfy { $0 == $1 } && (words.count <= entry.keywords.count || words.isEmpty) }
            .map(\.helpLine).joined()
    }
}

/// HAProxy's spelling fingerprint of words: how often each pair of adjacent character classes
/// (letters, digits, other; word start and end) occurs. Two spellings are near when few pairs differ.
struct WordFingerprint {
    private var counts = [Int](repeating: 0, count: 32 * 32)

    init(_ words: [String]) {
        for word in words {
            var from = 28
            for byte in word.utf8 {
                let to: Int
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"): to = Int(byte - UInt8(ascii: "a")) + 1
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): to = Int(byte - UInt8(ascii: "A")) + 1
                case UInt8(ascii: "0")...UInt8(ascii: "9"): to = 27
                default: to = 28
                }
                counts[32 * from + to] += 1
                from = to
            }
            counts[32 * from + 28] += 1
        }
    }

    func distance(to other: WordFingerprint) -> Int {
        zip(counts, other.counts).reduce(0) { $0 + abs($1.0 - $1.1) }
    }
}
