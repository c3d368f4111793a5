import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// What a process holds, read from /proc: its resident size and its open file descriptors.
struct Footprint: Sendable, CustomStringConvertible {
    var residentBytes: Int
    var descriptors: Int

    /// The footprint of process `pid` now (nil once it has gone).
    static func of(_ pid: Int32) -> Footprint? {
        guard let resident = MemoryBoundTests.residentBytes(pid: pid),
            let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")
        else { return nil }
        return Footprint(residentBytes: resident, descriptors: entries.count)
    }

    var description: String { "RSS \(residentBytes >> 10) KiB, \(descriptors) fds" }
}

/// Samples a process's footprint every few milliseconds on its own thread and keeps the peaks
/// (resident size and descriptors, each its own maximum).
final class FootprintSampler: Sendable {
    private let state: NIOLockedValueBox<(peak: Footprint, running: Bool)>
    private let done = DispatchSemaphore(value: 0)

    init(pid: Int32, start: Footprint, every interval: Double = 0.02) {
        let state = NIOLockedValueBox((peak: start, running: true))
        self.state = state
        let done = self.done
        Thread.detachNewThread {
            while state.withLockedValue({ $0.running }) {
                if let now = Footprint.of(pid) {
                    state.withLockedValue {
                        $0.peak.residentBytes = max($0.peak.residentBytes, now.residentBytes)
                        $0.peak.descriptors = max($0.peak.descriptors, now.descriptors)
                    }
                }
                Thread.sleep(forTimeInterval: interval)
            }
            done.signal()
        }
    }

    /// The peak so far, the sampler still running.
    var peak: Footprint { state.withLockedValue { $0.peak } }

    /// Stops sampling and returns the peaks.
    func stop() -> Footprint {
        state.withLockedValue { $0.running = false }
        done.wait()
        return peak
    }
}

/// How far above its baseline a process may stay once a fault has ended.
struct FootprintBound: Sendable, CustomStringConvertible {
    /// Resident bytes above the baseline (the allocator keeps some of what a burst used).
    var residentBytes: Int
    /// Descriptors above the baseline.
    var descriptors: Int

    /// For a fault that opens many connections at once: the allocator's arenas keep part of
    /// what a thousand sessions used; no descriptor may stay.
    static let burst = FootprintBound(residentBytes: 24 << 20, descriptors: 0)
    /// Between two rounds of the same fault: the second reuses what the first left.
    static let repeated = FootprintBound(residentBytes: 4 << 20, descriptors: 0)
    /// For a fault of a few connections.
    static let few = FootprintBound(residentBytes: 8 << 20, descriptors: 0)

    var description: String { "+\(residentBytes >> 20) MiB, +\(descriptors) fds" }
}

/// A fault's measurements, printed for the closing note (`grep 'fault figures'` in a test run).
struct FaultFigures: CustomStringConvertible {
    var fault: String
    var baseline: Footprint
    var peak: Footprint
    var after: Footprint
    var bound: FootprintBound

    var isWithinBound: Bool {
        (SanitizedRun.isActive || after.residentBytes <= baseline.residentBytes + bound.residentBytes)
            && after.descriptors <= baseline.descriptors + bound.descriptors
    }

    var description: String {
        "fault figures: \(fault): RSS baseline \(baseline.residentBytes >> 10) KiB, peak \(peak.residentBytes >> 10) KiB, "
            + "after \(after.residentBytes >> 10) KiB; fds baseline \(baseline.descriptors), peak \(peak.descriptors), "
            + "after \(after.descriptors) (bound \(bound))"
    }
}
