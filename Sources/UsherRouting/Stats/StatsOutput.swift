/// The three text forms of the statistics: HAProxy's CSV, `show stat typed` and `show stat json`.
public enum StatsOutput {
    /// `# pxname,svname,…,` then one line per row, each ending with a comma as HAProxy's do.
    public static func csv(_ rows: [StatRow], header: Bool = true) -> String {
        var text = ""
        if header {
            text = "# " + StatField.allCases.map(\.name).joined(separator: ",") + ",\n"
        }
        for row in rows {
            for field in StatField.allCases {
                if let value = row[field] { text += csvCell(value.text) }
                text += ","
            }
            text += "\n"
        }
        return text
    }

    /// Quotes a cell that holds a comma, a quote or a line break (RFC 4180).
    static func csvCell(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }

    /// `F.2.0.0.pxname.1:KNS:str:fe_main`, one line per present cell.
    public static func typed(_ rows: [StatRow]) -> String {
        var text = ""
        for row in rows {
            for (field, value) in row.presentFields where field != .moduleSeparator {
                text += "\(row.kind.letter).\(row.proxyID).\(row.objectID).\(field.typedPosition).\(field.name).1:\(field.tags):\(field.valueType):\(value.text)\n"
            }
        }
        return text
    }

    /// `[[{…},…],[…]]`: one array per row, one object per present cell.
    public static func json(_ rows: [StatRow]) -> String {
        var text = "["
        for (rowIndex, row) in rows.enumerated() {
            if rowIndex > 0 { text += "," }
            text += "["
            var first = true
            for (field, value) in row.presentFields where field != .moduleSeparator {
                if !first { text += "," }
                first = false
                let cell: String
                switch value {
                case .int(let number): cell = "{\"type\":\"\(field.valueType)\",\"value\":\(number)}"
                case .string(let string): cell = "{\"type\":\"str\",\"value\":\(jsonString(string))}"
                }
                text += "{\"objType\":\"\(row.kind.jsonName)\",\"proxyId\":\(row.proxyID),\"id\":\(row.objectID),"
                    + "\"field\":{\"pos\":\(field.typedPosition),\"name\":\(jsonString(field.name))},\"processNum\":1,"
                    + "\"tags\":\(tagsJSON(field.tags)),\"value\":\(cell)}"
            }
            text += "]"
        }
        return text + "]\n"
    }

    static func tagsJSON(_ tags: String) -> String {
        let letters = Array(tags)
        let origin: String
        switch letters.first {
        case "K": origin = "Key"
        case "C": origin = "Config"
        case "S": origin = "Status"
        case "P": origin = "Product"
        default: origin = "Metric"
        }
        let nature: String
        switch letters.count > 1 ? letters[1] : "G" {
        case "N": nature = "Name"
        case "M": nature = "Max"
        case "L": nature = "Limit"
        case "C": nature = "Counter"
        case "R": nature = "Rate"
        case "A": nature = "Age"
        case "a": nature = "Avg"
        case "D": nature = "Duration"
        case "O": nature = "Output"
        case "T": nature = "Time"
        default: nature = "Gauge"
        }
        let scope = letters.count > 2 && letters[2] == "S" ? "Service" : "Process"
        return "{\"origin\":\"\(origin)\",\"nature\":\"\(nature)\",\"scope\":\"\(scope)\"}"
    }

    /// A JSON string literal.
    public static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
