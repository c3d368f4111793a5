extension HTTPHeaderField {
    /// A `Name: value` header line (without its line ending), the value without surrounding
    /// spaces and tabs; `nil` when there is no `:` or no name.
    init?(line: String) {
        guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else { return nil }
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        let value = line[line.index(after: colon)...].drop(while: isBlank)
        let end = value.lastIndex(where: { !isBlank($0) }).map { value.index(after: $0) } ?? value.startIndex
        self.init(name: String(line[..<colon]), value: String(value[..<end]))
    }
}
