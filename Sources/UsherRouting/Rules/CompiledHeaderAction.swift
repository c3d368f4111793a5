import UsherConfig

/// `set-header`, `add-header`, `del-header`, `replace-header`, `replace-value`, ready to run.
/// Compiled regular expressions are immutable and matched without shared state, so the action may
/// cross threads as the ACL patterns do.
struct CompiledHeaderAction: @unchecked Sendable {
    enum Kind: @unchecked Sendable {
        case set(LogFormatTemplate)
        case add(LogFormatTemplate)
        case delete(HTTPHeaderAction.NameMatch, Regex<AnyRegexOutput>?)
        /// The whole value (`replace-header`) or each comma-separated element (`replace-value`).
        case replace(Regex<AnyRegexOutput>, LogFormatTemplate, eachElement: Bool)
    }

    let name: String
    let kind: Kind

    init(_ action: HTTPHeaderAction) throws(RoutingError) {
        name = action.name
        switch action {
        case .set(_, let value): kind = .set(try LogFormatTemplate(value))
        case .add(_, let value): kind = .add(try LogFormatTemplate(value))
        case .delete(let name, let match):
            kind = .delete(match, match == .regex ? try Self.regex(name) : nil)
        case .replace(_, let regex, let replacement):
            kind = .replace(try Self.regex(regex), try LogFormatTemplate(replacement), eachElement: false)
        case .replaceValue(_, let regex, let replacement):
            kind = .replace(try Self.regex(regex), try LogFormatTemplate(replacement), eachElement: true)
        }
    }

    static func regex(_ text: String) throws(RoutingError) -> Regex<AnyRegexOutput> {
        do {
            return try Regex(text)
        } catch {
            throw RoutingError("invalid regular expression '\(text)': \(error)")
        }
    }

    func apply(to headers: inout HTTPHeaders, _ context: inout SampleContext) {
        switch kind {
        case .set(let template):
            let value = template.render(&context)
            headers.set(name, value)
        case .add(let template):
            headers.add(name, template.render(&context))
        case .delete(let match, let regex):
            headers.fields.removeAll { field in
                let lowerField = field.name.lowercased(), lowerName = name.lowercased()
                switch match {
                case .exact: return field.hasName(name)
                case .prefix: return lowerField.hasPrefix(lowerName)
                case .suffix: return lowerField.hasSuffix(lowerName)
                case .substring: return lowerField.contains(lowerName)
                case .regex: return regex.map { (try? $0.firstMatch(in: field.name)) != nil } ?? false
                }
            }
        case .replace(let regex, let template, let eachElement):
            let replacement = template.render(&context)
            for index in headers.fields.indices where headers.fields[index].hasName(name) {
                let value = headers.fields[index].value
                if eachElement {
                    let elements = value.split(separator: ",", omittingEmptySubsequences: false).map { element in
                        let trimmed = element.drop { $0 == " " || $0 == "\t" }
                        return Self.substitute(String(trimmed), regex: regex, replacement: replacement)
                    }
                    headers.fields[index].value = elements.joined(separator: ", ")
                } else {
                    headers.fields[index].value = Self.substitute(value, regex: regex, replacement: replacement)
                }
            }
        }
    }

    /// When `regex` matches somewhere in `value`, the value becomes `replacement` with `\N`
    /// replaced by the match's groups, as HAProxy's replace-header does; otherwise it is kept.
    static func substitute(_ value: String, regex: Regex<AnyRegexOutput>, replacement: String) -> String {
        guard let match = try? regex.firstMatch(in: value) else { return value }
        var result = ""
        var characters = replacement[...]
        while let character = characters.first {
            characters = characters.dropFirst()
            if character == "\\", let digit = characters.first, let group = digit.wholeNumberValue {
                characters = characters.dropFirst()
                if group < match.output.count, let substring = match.output[group].substring { result += substring }
                continue
            }
            result.append(character)
        }
        return result
    }
}
