/// The session object (HTTP or TCP) that keeps a connection's variables for as long as they live;
/// rules and fetches reach them through `SampleContext.variables`.
public protocol VariableStorage: AnyObject {
    var sessionVariables: SessionVariables { get set }
}
