import NIOConcurrencyHelpers
import UsherConfig

/// The pattern files of one configuration, one per path, in the order they were first named: what
/// `show map` and `show acl` list. A reload builds a new set (its maps are read again from disk).
public final class PatternFileSet: @unchecked Sendable {
    private let lock = NIOLock()
    private var byPath: [String: PatternFile] = [:]
    private var ordered: [PatternFile] = []
    private let load: (String) throws -> [String]

    /// `load` gives a file's lines; it runs only while the configuration is compiled.
    public init(load: @escaping (String) throws -> [String] = { _ in [] }) {
        self.load = load
    }

    /// Every file, in the order they were first named.
    public var files: [PatternFile] { lock.withLock { ordered } }

    /// The file of this path, or `#ID`.
    public subscript(name: String) -> PatternFile? {
        lock.withLock {
            if name.hasPrefix("#") { return Int(name.dropFirst()).flatMap { id in ordered.first { $0.id == id } } }
            return byPath[name]
        }
    }

    /// The file at `path`, read now if it is the first use. `layout` is what the user needs, `nil`
    /// for an action, which takes the file as it is (or, first, as `guess` reads it; a missing
    /// file is then an empty one).
    func file(_ path: String, layout: PatternFile.Layout?, guess: PatternFile.Layout = .map, user: PatternFile.UserKind) throws(RoutingError) -> PatternFile {
        if let known = lock.withLock({ byPath[path] }) {
            if let layout { try known.require(layout, by: user) }
            return known
        }
        var lines: [String] = []
        do {
            lines = try load(path)
        } catch {
            // An action may name a file no converter reads: it starts empty, as in HAProxy.
            if layout != nil { throw RoutingError("failed to open pattern file '\(path)': \(error)") }
        }
        let file = lock.withLock {
            let file = PatternFile(path: path, id: ordered.count, lines: lines, layout: layout ?? guess, tentative: layout == nil)
            byPath[path] = file
            ordered.append(file)
            return file
        }
        if let layout { try file.require(layout, by: user) }
        return file
    }
}

/// The pattern files converters, ACLs and actions find while a configuration is compiled (bound by
/// `RoutingTable.compile`, as `StickTableScope` is).
public enum PatternFileScope {
    @TaskLocal public static var current: PatternFileSet?

    static func files(for what: String) throws(RoutingError) -> PatternFileSet {
        guard let current else { throw RoutingError("'\(what)' reads a file, which cannot be read here") }
        return current
    }
}
