import Foundation

/// Whether the suite runs under a sanitizer (`scripts/sanitize` sets `USHER_SANITIZER`). Resident
/// sizes mean nothing there: ASan keeps freed memory in quarantine (256 MiB by default) and both
/// sanitizers map shadow memory, so the tests that bound usher's RSS check only their other
/// figures (descriptors, bytes, answers). The bounds are judged in every ordinary run.
enum SanitizedRun {
    static let isActive = ProcessInfo.processInfo.environment["USHER_SANITIZER"] != nil

    /// `growth` (bytes) is within `bound`, or RSS is not judged in this run.
    static func residentGrowthIsWithin(_ growth: Int, _ bound: Int) -> Bool {
        isActive || growth < bound
    }
}
