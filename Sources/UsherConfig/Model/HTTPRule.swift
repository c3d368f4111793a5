/// One rule of an HTTP rule list, `HTTPRequestRule` or `HTTPResponseRule`: an action and the
/// condition that guards it.
public struct HTTPRule<Action: Sendable & Equatable>: Sendable, Equatable {
    public var action: Action
    public var condition: Condition?
    public var location: SourceLocation

    public init(action: Action, condition: Condition?, location: SourceLocation) {
        self.action = action
        self.condition = condition
        self.location = location
    }
}
