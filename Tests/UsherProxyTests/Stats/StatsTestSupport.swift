import Foundation

/// Helpers for the statistics tests: real `curl` requests, and the CSV read back into cells.
enum StatsTestSupport {
    /// Whether the suites that need HAProxy run: always under `CI=true`, where a missing haproxy
    /// must fail the run rather than skip it.
    static var haproxyRequired: Bool {
        ExternalProcess.required("haproxy")
    }

    /// `curl` with `arguments`; returns the HTTP status (`-w %{http_code}`) and the body.
    @discardableResult
    static func curl(_ arguments: [String]) throws -> (status: Int, body: String) {
        let result = try ExternalProcess.run(["curl", "-s", "-S", "--max-time", "5", "-w", "\n%{http_code}"] + arguments)
        var lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.popLast() ?? "") ?? 0
        return (status, lines.joined(separator: "\n"))
    }

    /// A CSV row by `pxname/svname`, each cell by column name.
    struct CSV {
        var header: [String]
        var rows: [(key: String, cells: [String: String])]

        init(_ text: String) {
            let lines = text.split(separator: "\n").map(String.init)
            header = (lines.first ?? "").dropFirst(2).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if header.last == "" { header.removeLast() }
            var rows: [(String, [String: String])] = []
            for line in lines.dropFirst() {
                let cells = Self.split(line)
                var named: [String: String] = [:]
                for (index, name) in header.enumerated() where index < cells.count { named[name] = cells[index] }
                rows.append(("\(named["pxname"] ?? "")/\(named["svname"] ?? "")", named))
            }
            self.rows = rows
        }

        subscript(_ key: String) -> [String: String]? { rows.first { $0.key == key }?.cells }

        /// Splits a CSV line, honouring quotes.
        static func split(_ line: String) -> [String] {
            var cells: [String] = []
            var current = ""
            var quoted = false
            var iterator = Array(line)[...]
            while let character = iterator.popFirst() {
                if quoted {
                    if character == "\"" {
                        if iterator.first == "\"" { current.append("\""); iterator = iterator.dropFirst() } else { quoted = false }
                    } else {
                        current.append(character)
                    }
                } else if character == "\"" {
                    quoted = true
                } else if character == "," {
                    cells.append(current)
                    current = ""
                } else {
                    current.append(character)
                }
            }
            cells.append(current)
            return cells
        }
    }
}
