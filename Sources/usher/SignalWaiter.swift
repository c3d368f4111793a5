import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// Blocks the main thread until a stop signal (SIGTERM, SIGINT) or `stop()`; other signals can be
/// given handlers. The handlers run on a queue of their own, never on an event loop.
final class SignalWaiter: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let queue = DispatchQueue(label: "usher.signals")
    private var sources: [DispatchSourceSignal] = []

    /// Stops the wait on SIGTERM or SIGINT, calling `onStop` with the signal first.
    init(onStop: @escaping @Sendable (Int32) -> Void = { _ in }) {
        signal(SIGPIPE, SIG_IGN)
        for sig in [SIGTERM, SIGINT] {
            handle(sig) { [done] in
                onStop(sig)
                done.signal()
            }
        }
    }

    /// Runs `action` on each `sig`.
    func handle(_ sig: Int32, _ action: @escaping @Sendable () -> Void) {
        signal(sig, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
        source.setEventHandler(handler: action)
        source.resume()
        sources.append(source)
    }

    /// Ends the wait from anywhere.
    func stop() {
        done.signal()
    }

    /// Ends the wait after `delay`.
    func stop(after delay: DispatchTimeInterval) {
        queue.asyncAfter(deadline: .now() + delay) { [done] in done.signal() }
    }

    /// Runs `action` on the signal queue after `delay`.
    func after(_ delay: DispatchTimeInterval, _ action: @escaping @Sendable () -> Void) {
        queue.asyncAfter(deadline: .now() + delay, execute: action)
    }

    func wait() {
        done.wait()
    }
}
