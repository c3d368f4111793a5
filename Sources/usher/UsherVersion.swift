/// The version `usher -v` prints.
enum UsherVersion {
    static let current = "0.1.0"
}
