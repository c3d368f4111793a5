/// What the `tcp-request` rules decide about a connection so far.
public enum InspectionVerdict: Sendable, Equatable {
    /// Go on: choose a backend and connect.
    case accept
    /// Close the connection; the index is the deciding rule's.
    case reject(rule: Int)
    /// Close the connection without a word to the client (`silent-drop`).
    case silentDrop(rule: Int)
    /// A rule's outcome depends on bytes not yet received: wait for more, or for the inspect delay.
    case waitForData
}
