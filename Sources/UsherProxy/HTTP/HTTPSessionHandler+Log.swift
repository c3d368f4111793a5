import NIOCore
import UsherRouting

extension HTTPSessionHandler {
    /// The exchange's `option httplog` line, when the frontend logs.
    func log(_ exchange: HTTPExchange) {
        guard frontend.logsSessions else { return }
    }
}
