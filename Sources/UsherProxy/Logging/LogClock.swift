#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import UsherRouting

/// Reads the wall clock for log lines, in local time as HAProxy logs.
enum LogClock {
    /// Now, broken down.
    static func now() -> LogTimestamp {
        var value = timeval()
        gettimeofday(&value, nil)
        return timestamp(seconds: Int(value.tv_sec), microseconds: Int(value.tv_usec))
    }

    static func timestamp(seconds: Int, microseconds: Int) -> LogTimestamp {
        var time = time_t(seconds)
        var parts = tm()
        localtime_r(&time, &parts)
        return LogTimestamp(
            year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
            hour: Int(parts.tm_hour), minute: Int(parts.tm_min), second: Int(parts.tm_sec),
            millisecond: microseconds / 1000, microsecond: microseconds, utcOffset: Int(parts.tm_gmtoff)
        )
    }

    /// `wallMicroseconds` broken down in UTC (the CLF date, `%trg`).
    static func utcTimestamp(wallMicroseconds: Int64) -> LogTimestamp {
        var time = time_t(wallMicroseconds / 1_000_000)
        var parts = tm()
        gmtime_r(&time, &parts)
        let microseconds = Int(wallMicroseconds % 1_000_000)
        return LogTimestamp(
            year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
            hour: Int(parts.tm_hour), minute: Int(parts.tm_min), second: Int(parts.tm_sec),
            millisecond: microseconds / 1000, microsecond: microseconds, utcOffset: 0
        )
    }

    /// Wall-clock seconds since the epoch (persistence cookie dates).
    static func unixSeconds() -> Int64 {
        wallMicroseconds() / 1_000_000
    }

    /// Wall-clock microseconds since the epoch.
    static func wallMicroseconds() -> Int64 {
        var value = timeval()
        gettimeofday(&value, nil)
        return Int64(value.tv_sec) * 1_000_000 + Int64(value.tv_usec)
    }

    static func timestamp(wallMicroseconds: Int64) -> LogTimestamp {
        timestamp(seconds: Int(wallMicroseconds / 1_000_000), microseconds: Int(wallMicroseconds % 1_000_000))
    }

    /// The system's host name (`%H`, `log-send-hostname` without a name), read once: log lines
    /// ask for it per session, and a system call each time is not worth a rename that HAProxy
    /// does not follow either.
    static func hostname() -> String { systemHostname }

    private static let systemHostname: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        return String(cString: buffer)
    }()
}
