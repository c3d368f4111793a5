/// A change to one header field, by its position in the ``HTTPHeaders`` it was computed from.
public struct HeaderEdit: Sendable, Equatable {
    /// The index of the field in ``HTTPHeaders/fields``.
    public var index: Int
    /// The new value; `nil` removes the field.
    public var value: String?

    public init(index: Int, value: String?) {
        self.index = index
        self.value = value
    }

    /// Applies `edits` (computed from `headers`) and appends `added`, keeping every other field in
    /// place.
    public static func apply(_ edits: [HeaderEdit], adding added: [HTTPField] = [], to headers: inout HTTPHeaders) {
        for edit in edits.sorted(by: { $0.index > $1.index }) where headers.fields.indices.contains(edit.index) {
            if let value = edit.value {
                headers.fields[edit.index].value = value
            } else {
                headers.fields.remove(at: edit.index)
            }
        }
        headers.fields += added
    }
}
